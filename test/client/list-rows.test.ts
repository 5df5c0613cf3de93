/**
 * List pages read their rows raw (common/db/row-reader.ts, decision 0032): every column comes back
 * as TypeORM's `getMany` would give it (embedded objects, dates, jsonb, arrays, money as strings),
 * and a page asked for some properties reads those and the cursor's only.
 */
import { randomUUID } from "node:crypto";
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { createDataSource, keysetPage } from "../../common/db/data-source";
import type { RowProperties } from "../../common/db/row-reader";
import { CLIENT_SCHEMA, clientEntities, clientMigrations } from "../../subgraphs/client/persistence";
import { Client } from "../../subgraphs/client/persistence/entities";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "../../subgraphs/ledger/persistence";
import { AccountRow } from "../../subgraphs/ledger/persistence/entities";
import { TRANSFER_SCHEMA, transferEntities, transferMigrations } from "../../subgraphs/transfer/persistence";
import { TransferRow } from "../../subgraphs/transfer/persistence/entities";
import { suiteDatabase } from "../helpers/stack";

let database: { url: string; drop: () => Promise<void> };
let client: DataSource;
let ledger: DataSource;
let transfer: DataSource;
const tag = `rows-${randomUUID()}`;

beforeAll(async () => {
  database = await suiteDatabase();
  const open = (schema: string, entities: never[], migrations: never[]) =>
    createDataSource({ url: database.url, schema, entities, migrations }).dataSource.initialize();
  client = await open(CLIENT_SCHEMA, clientEntities as never[], clientMigrations as never[]);
  ledger = await open(LEDGER_SCHEMA, ledgerEntities as never[], ledgerMigrations as never[]);
  transfer = await open(TRANSFER_SCHEMA, transferEntities as never[], transferMigrations as never[]);
  await client.query(
    `INSERT INTO client.client (type, external_id, status, risk_level, address_street_line1, address_city, address_zip,
       address_country, phone_number, email, first_name, last_name, date_of_birth, citizenship_country,
       residence_country, document_type, document_number, document_issued_by, document_issued_country_code,
       document_issued_date, document_expiration_date)
     VALUES ('individual', $1, 'active', 'high', 'Main Street 1', 'Berlin', '10115', 'DE', '+4930123456',
       'ada@example.com', 'Ada', 'Lovelace', '1980-02-29', 'DE', 'DE', 'passport', 'X123', 'Berlin', 'DE',
       '2020-01-31', '2030-01-30')`,
    [`${tag}-individual`],
  );
  await client.query(
    `INSERT INTO client.client (type, external_id, status, risk_level, legal_name, company_type, industry, turnover,
       address_street_line1, address_city, address_zip, address_country, phone_number, pay_ins_countries,
       business_partners, fund_flows, company_registration_date)
     VALUES ('company', $1, 'inactive', 'medium', 'Acme Ltd', 'private', 'it', 'between100KAnd500KEur',
       '2 Dock Road', 'London', 'E14', 'GB', '+442070000000', ARRAY['uk','eea'],
       '[{"name": "Partner", "plannedTransfersQuantityMonth": 3}]', '{"plannedIncomingTransfersQuantity": 5}',
       '2001-12-31')`,
    [`${tag}-company`],
  );
  await ledger.query(
    `INSERT INTO ledger.account (number, kind, client_id, currency, name, status, overdraft_limit, posted, pending)
     VALUES ($1, 'CLIENT', $2, 'EUR', 'Savings', 'ACTIVE', 50000, 9007199254740993, 12)`,
    [`${tag.slice(0, 20)}`, randomUUID()],
  );
  await transfer.query(
    `INSERT INTO transfer.transfer (kind, status, type, amount, currency, rate, target_amount, reference,
       idempotency_scope, idempotency_key, request_hash)
     VALUES ('INCOMING', 'UNRECOGNIZED', 'SEPA', 12345678901234567.89, 'EUR', 1.0850000000001, 0.1, $1, 'rows', $1, 'h')`,
    [tag],
  );
});

afterAll(async () => {
  for (const source of [client, ledger, transfer]) await source?.destroy();
  await database?.drop();
});

/** The page `keysetPage` reads, and the same rows as `getMany` reads them. */
async function bothWays<T extends ObjectLiteral>(
  query: () => SelectQueryBuilder<T>,
  properties?: RowProperties,
): Promise<{ raw: T[]; hydrated: T[] }> {
  const { rows } = await keysetPage(query(), 100, undefined, properties);
  const alias = query().alias;
  const hydrated = await query().orderBy(`${alias}.created_at`).addOrderBy(`${alias}.id`).getMany();
  return { raw: rows, hydrated };
}

describe("list rows read raw", () => {
  it("When clients are listed, then each row equals TypeORM's entity, embedded parts, dates and JSON included", async () => {
    const { raw, hydrated } = await bothWays(() =>
      client
        .getRepository(Client)
        .createQueryBuilder("c")
        .where("c.external_id LIKE :tag", { tag: `${tag}%` }),
    );
    expect(raw).toHaveLength(2);
    expect(raw).toStrictEqual(hydrated);
    const [individual, company] = raw;
    expect(individual).toBeInstanceOf(Client);
    expect(individual.dateOfBirth).toBe("1980-02-29");
    expect(individual.identificationDocument?.expirationDate).toBe("2030-01-30");
    expect(individual.riskLevelCode).toBe(3);
    // The @AfterLoad listener ran: a company has no document at all.
    expect(company.identificationDocument).toBeNull();
    expect(company.payInsCountries).toEqual(["uk", "eea"]);
    expect(company.businessPartners?.[0].name).toBe("Partner");
  });

  it("When accounts and transfers are listed, then money stays an exact decimal string", async () => {
    const accounts = await bothWays(() =>
      ledger.getRepository(AccountRow).createQueryBuilder("a").where("a.name = 'Savings'"),
    );
    expect(accounts.raw).toStrictEqual(accounts.hydrated);
    expect(accounts.raw.map((a) => a.posted)).toContain("9007199254740993");
    const transfers = await bothWays(() =>
      transfer.getRepository(TransferRow).createQueryBuilder("t").where("t.reference = :tag", { tag }),
    );
    expect(transfers.raw).toStrictEqual(transfers.hydrated);
    expect(transfers.raw[0]).toMatchObject({ amount: "12345678901234567.89", rate: "1.0850000000001" });
  });

  it("When a page asks for some properties, then it reads those and the cursor's, and nothing else", async () => {
    const query = () =>
      client
        .getRepository(Client)
        .createQueryBuilder("c")
        .where("c.external_id LIKE :tag", { tag: `${tag}%` });
    const { raw, hydrated } = await bothWays(query, ["email", "address"]);
    // identificationDocument: set (to null) by the entity's @AfterLoad listener, which runs on every row.
    const keys = ["address", "createdAt", "email", "id", "identificationDocument"];
    expect(raw.map((row) => Object.keys(row).sort())).toEqual([keys, keys]);
    expect(raw.map(({ id, createdAt, email, address }) => ({ id, createdAt, email, address }))).toStrictEqual(
      hydrated.map(({ id, createdAt, email, address }) => ({ id, createdAt, email, address })),
    );
    // A property that is no column (a getter) may read any: the page reads them all.
    const computed = await bothWays(query, ["riskLevelCode"]);
    expect(computed.raw).toStrictEqual(computed.hydrated);
  });

  it("When pages of one shape are read again with other values, a cursor or another condition, then each reads its own rows", async () => {
    // keysetPage builds a shape's SQL text once (common/db/data-source.ts, pageSql): the values,
    // the cursor and each further condition must still reach PostgreSQL.
    const page = (where: Record<string, string>, after?: { createdAt: Date; id: string }) => {
      const query = client.getRepository(Client).createQueryBuilder("c");
      for (const [column, value] of Object.entries(where))
        query.andWhere(`c.${column} = :${column}`, { [column]: value });
      return keysetPage(query, 1, after, ["email"]).then(({ rows }) => rows.map((row) => row.email));
    };
    const both = { external_id: `${tag}-individual` };
    expect(await page(both)).toEqual(["ada@example.com"]);
    expect(await page({ external_id: `${tag}-company` })).toEqual([null]);
    expect(await page({ external_id: `${tag}-nobody` })).toEqual([]);
    expect(await page({ ...both, status: "inactive" })).toEqual([]);
    expect(await page({ ...both, status: "active" })).toEqual(["ada@example.com"]);
    const [ada] = await client.getRepository(Client).findBy({ externalId: `${tag}-individual` });
    expect(await page(both, { createdAt: ada.createdAt, id: ada.id })).toEqual([]);
    const before = { createdAt: new Date(ada.createdAt.getTime() - 1), id: ada.id };
    expect(await page(both, before)).toEqual(["ada@example.com"]);
  });
});
