/**
 * Clients' and accounts' exact counts without a scan (decision 0043), and `totalCount` through
 * the gateway: a system caller's broad filters read the counters, a front-office caller's
 * lists count only its own client's rows.
 */
import { randomUUID } from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import { createDataSource } from "../../common/db/data-source";
import { rollUp } from "../../common/db/row-counter";
import { CLIENT_COUNTER } from "../../subgraphs/client/persistence/counters";
import { ACCOUNT_COUNTER } from "../../subgraphs/ledger/persistence/counters";
import { THREE_DIGIT_COUNTER, TRANSFER_COUNTER } from "../../subgraphs/transfer/persistence/counters";
import { combinations, mismatches, pendingDeltas } from "../helpers/counts";
import { type Stack, startStack } from "../helpers/stack";

const CLIENT_VALUES = {
  status: ["inactive", "active", "blocked"],
  type: ["individual", "company"],
  riskLevel: ["low", "medium", "high", "prohibited"],
};
const ACCOUNT_VALUES = { currency: ["EUR", "USD", "JPY"], status: ["ACTIVE", "BLOCKED", "CLOSED"] };

let stack: Stack;
let db: DataSource;

beforeAll(async () => {
  stack = await startStack({ LIST_COUNT_ROLLUP_MS: "50" });
  db = createDataSource({
    url: stack.databaseUrl,
    schema: "public",
    entities: [],
    migrations: [],
  }).dataSource;
  await db.initialize();
});

afterAll(async () => {
  await db?.destroy();
  await stack?.stop();
});

/** Inserts `count` individual clients, statuses and risk levels cycling from `offset`; their ids. */
async function insertClients(on: DataSource | EntityManager, count: number, offset = 0): Promise<string[]> {
  const rows = (await on.query(
    `INSERT INTO client.client (type, status, risk_level, address_street_line1, address_city, address_zip,
                                address_country, phone_number, email, first_name, last_name, date_of_birth)
     SELECT 'individual', ($1::text[])[1 + (n + $2) % 3], ($3::text[])[1 + (n + $2) % 4], 'Main Street 1',
            'Berlin', '10115', 'DE', '+4930123456', 'c' || n || '@example.com', 'First', 'Last', date '1980-01-01'
       FROM generate_series(1, $4::int) AS n
     RETURNING id`,
    [CLIENT_VALUES.status, offset, CLIENT_VALUES.riskLevel, count],
  )) as { id: string }[];
  return rows.map((row) => row.id);
}

/** Inserts `count` client accounts of `clientId`, currencies and statuses cycling from `offset`. */
async function insertAccounts(on: DataSource | EntityManager, count: number, clientId: string, offset = 0) {
  await on.query(
    `INSERT INTO ledger.account (number, kind, client_id, currency, name, status)
     SELECT 'CNT' || substr(md5(random()::text), 1, 17), 'CLIENT', $1, ($2::text[])[1 + (n + $3) % 3], 'Account',
            ($4::text[])[1 + (n + $3) % 3]
       FROM generate_series(1, $5::int) AS n`,
    [clientId, ACCOUNT_VALUES.currency, offset, ACCOUNT_VALUES.status, count],
  );
}

async function insertTransfers(clientId: string, statuses: string[]) {
  await db.query(
    `INSERT INTO transfer.transfer (kind, status, client_id, account_id, amount, currency,
                                    idempotency_scope, idempotency_key, request_hash)
     SELECT 'INTERNAL', status, $1, gen_random_uuid(), 1, 'EUR', 'counts', gen_random_uuid()::text, 'h'
       FROM unnest($2::text[]) AS status`,
    [clientId, statuses],
  );
}

const actual = async (sql: string, values: unknown[] = []) =>
  ((await db.query(`SELECT count(*)::int AS n FROM ${sql}`, values)) as { n: number }[])[0].n;

describe("list counts", () => {
  it("When clients are inserted, change status or risk level, or roll back, then every status x type x risk level count equals count(*)", async () => {
    const ids = await insertClients(db, 30);
    expect(await mismatches(db, CLIENT_COUNTER, CLIENT_VALUES)).toEqual([]);
    await db.query(`UPDATE client.client SET status = 'blocked' WHERE id = ANY ($1)`, [ids.slice(0, 12)]);
    await db.query(`UPDATE client.client SET risk_level = 'prohibited' WHERE id = ANY ($1)`, [
      ids.slice(8, 20),
    ]);
    await db
      .transaction(async (tx) => {
        await insertClients(tx, 5, 1);
        await tx.query(`UPDATE client.client SET status = 'active' WHERE id = ANY ($1)`, [ids]);
        throw new Error("roll back");
      })
      .catch((error: Error) => expect(error.message).toBe("roll back"));
    expect(await mismatches(db, CLIENT_COUNTER, CLIENT_VALUES)).toEqual([]);
    await rollUp(db, CLIENT_COUNTER);
    expect(await mismatches(db, CLIENT_COUNTER, CLIENT_VALUES)).toEqual([]);
  });

  it("When accounts are opened, blocked and closed, then every currency x status count of client accounts equals count(*), and the bank's own are not among them", async () => {
    const clientId = randomUUID();
    await insertAccounts(db, 20, clientId);
    await db.query(
      `UPDATE ledger.account SET status = 'CLOSED' WHERE client_id = $1 AND status = 'BLOCKED'`,
      [clientId],
    );
    await db.query(`UPDATE ledger.account SET posted = posted + 5 WHERE client_id = $1`, [clientId]);
    expect(await mismatches(db, ACCOUNT_COUNTER, ACCOUNT_VALUES, { kind: "CLIENT" })).toEqual([]);
    const kinds = (await db.query(`SELECT DISTINCT kind FROM ledger.account`)) as { kind: string }[];
    expect(kinds.length).toBeGreaterThan(1); // the bank's own accounts are there too
    expect(
      await mismatches(db, ACCOUNT_COUNTER, { ...ACCOUNT_VALUES, kind: kinds.map((row) => row.kind) }),
    ).toEqual([]);
  });

  it("When a system caller asks for totalCount under each documented equality filter, then it is the exact count", async () => {
    await insertClients(db, 7, 2);
    await insertAccounts(db, 9, randomUUID(), 1);
    for (const filter of combinations({ status: ["BLOCKED"], riskLevel: ["HIGH"], type: ["INDIVIDUAL"] })) {
      const result = await stack.graphql(
        `query($f: ClientFilterInput) { clients(filter: $f) { totalCount } }`,
        {
          f: filter,
        },
      );
      const where = Object.entries(filter)
        .filter(([, value]) => value)
        .map(([key, value]) => `${key === "riskLevel" ? "risk_level" : key} = '${value!.toLowerCase()}'`);
      const expected = await actual(`client.client ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`);
      expect({ filter, count: result.data!.clients.totalCount }).toEqual({ filter, count: expected });
    }
    for (const filter of combinations({ currency: ["USD"], status: ["CLOSED"] })) {
      const result = await stack.graphql(
        `query($f: AccountFilterInput) { accounts(filter: $f) { totalCount } }`,
        {
          f: filter,
        },
      );
      const expected = await actual(
        `ledger.account WHERE kind = 'CLIENT' AND ($1::text IS NULL OR currency = $1) AND ($2::text IS NULL OR status = $2)`,
        [filter.currency ?? null, filter.status ?? null],
      );
      expect({ filter, count: result.data!.accounts.totalCount }).toEqual({ filter, count: expected });
    }
  });

  it("When a system caller asks for totalCount with an amount range, alone or with status, then it is the exact count", async () => {
    await db.query(
      `INSERT INTO transfer.transfer (kind, status, client_id, account_id, amount, currency,
                                      idempotency_scope, idempotency_key, request_hash)
       SELECT 'INTERNAL', (ARRAY['COMPLETED', 'FAILED'])[1 + n % 2], gen_random_uuid(), gen_random_uuid(), amount,
              'EUR', 'counts', gen_random_uuid()::text, 'h'
         FROM unnest($1::numeric[]) WITH ORDINALITY AS given (amount, n)`,
      [["0.5", "1", "99.99", "100", "149", "151", "199.99", "200", "950", "1000", "20000"]],
    );
    const ranges = [
      { minAmount: "100" },
      { minAmount: "160" },
      { maxAmount: "140" },
      { maxAmount: "199.99" },
      { minAmount: "120", maxAmount: "950" },
      { minAmount: "150", maxAmount: "199" },
    ];
    for (const range of ranges) {
      for (const status of [undefined, "FAILED"]) {
        const filter = { ...range, ...(status && { status }) };
        const result = await stack.graphql(
          `query($f: TransferFilterInput) { transfers(filter: $f) { totalCount } }`,
          { f: filter },
        );
        const expected = await actual(
          `transfer.transfer WHERE ($1::numeric IS NULL OR amount >= $1) AND ($2::numeric IS NULL OR amount <= $2)
             AND ($3::text IS NULL OR status = $3)`,
          [range.minAmount ?? null, range.maxAmount ?? null, status ?? null],
        );
        expect({ filter, count: result.data!.transfers.totalCount }).toEqual({ filter, count: expected });
      }
    }
  });

  it("When a front-office caller asks for totalCount, then it counts its own client's transfers and accounts only", async () => {
    const [mine, theirs] = [randomUUID(), randomUUID()];
    await insertTransfers(mine, ["COMPLETED", "COMPLETED", "FAILED"]);
    await insertTransfers(theirs, ["COMPLETED", "FAILED", "FAILED", "FAILED"]);
    await insertAccounts(db, 4, mine);
    await insertAccounts(db, 6, theirs);
    const token = await stack.clientToken(mine);
    const own = await stack.graphql(
      `{ all: transfers { totalCount } completed: transfers(filter: { status: COMPLETED }) { totalCount }
         failed: transfers(filter: { status: FAILED }) { totalCount }
         accounts { totalCount } usd: accounts(filter: { currency: "USD" }) { totalCount } }`,
      {},
      { token },
    );
    expect(own.errors).toBeUndefined();
    expect(own.data).toEqual({
      all: { totalCount: 3 },
      completed: { totalCount: 2 },
      failed: { totalCount: 1 },
      accounts: { totalCount: 4 },
      usd: { totalCount: await actual(`ledger.account WHERE client_id = $1 AND currency = 'USD'`, [mine]) },
    });
    const system = await stack.graphql(`{ transfers(filter: { status: FAILED }) { totalCount } }`);
    expect(system.data!.transfers.totalCount).toBe(await actual(`transfer.transfer WHERE status = 'FAILED'`));
  });

  it("When the subgraphs run, then their timers roll the deltas up", async () => {
    await insertClients(db, 3);
    await insertAccounts(db, 3, randomUUID());
    await insertTransfers(randomUUID(), ["FAILED"]);
    const until = Date.now() + 5000;
    const pending = async () =>
      (await pendingDeltas(db, CLIENT_COUNTER)) +
      (await pendingDeltas(db, ACCOUNT_COUNTER)) +
      (await pendingDeltas(db, TRANSFER_COUNTER)) +
      (await pendingDeltas(db, THREE_DIGIT_COUNTER));
    while ((await pending()) > 0 && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(await pending()).toBe(0);
  });
});
