/**
 * Migration 1732420000000 (decision 0063): every client, those there before it and those written
 * while it runs, gets its search text, the four trigram indexes give way to one, and reverted it
 * leaves the table as it was.
 */
import type { DataSource } from "typeorm";
import { createDataSource, migrate } from "../../common/db/data-source";
import { CLIENT_SCHEMA, clientEntities, clientMigrations } from "../../subgraphs/client/persistence";
import { ClientSearchText1732420000000 } from "../../subgraphs/client/persistence/migrations/1732420000000-ClientSearchText";
import { emptyDatabase } from "../helpers/stack";

let database: { url: string; drop: () => Promise<void> };
const opened: DataSource[] = [];
beforeAll(async () => {
  database = await emptyDatabase();
});
afterAll(async () => {
  for (const source of opened) if (source.isInitialized) await source.destroy();
  await database.drop();
});

function source(migrations: typeof clientMigrations): DataSource {
  const { dataSource } = createDataSource({
    url: database.url,
    schema: CLIENT_SCHEMA,
    entities: clientEntities,
    migrations,
    poolSize: 2,
  });
  opened.push(dataSource);
  return dataSource;
}

/** Clients `first..last`: odd ones individuals, even ones companies (no first or last name). */
const insertClients = (db: DataSource, prefix: string, first: number, last: number) =>
  db.query(
    `INSERT INTO client.client (type, external_id, status, risk_level, first_name, last_name, date_of_birth,
       legal_name, email, address_street_line1, address_city, address_zip, address_country, phone_number)
     SELECT CASE WHEN n % 2 = 1 THEN 'individual' ELSE 'company' END, $1 || '-' || n, 'active', 'low',
            CASE WHEN n % 2 = 1 THEN 'Ada' || n END, CASE WHEN n % 2 = 1 THEN 'LOVELACE' END,
            CASE WHEN n % 2 = 1 THEN date '1980-01-01' END, CASE WHEN n % 2 = 0 THEN 'Analytical Engines ' || n END,
            CASE WHEN n % 3 = 0 THEN 'Client' || n || '@Example.com' END,
            'Main Street 1', 'Berlin', '10115', 'DE', '+4930123456'
       FROM generate_series($2::int, $3::int) AS n`,
    [prefix, first, last],
  );

/** Clients there before the migration. */
const OLD = 45_001;

const trigramIndexes = async (db: DataSource) =>
  (
    (await db.query(
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'client' AND indexname LIKE '%trgm%' ORDER BY 1`,
    )) as { indexname: string }[]
  ).map((row) => row.indexname);

it("When the migration runs over existing clients while others are written, then every client gets its text and one index serves the search; reverted, the four indexes come back", async () => {
  const upTo = clientMigrations.indexOf(ClientSearchText1732420000000);
  const before = source(clientMigrations.slice(0, upTo));
  await before.initialize();
  await migrate(before, CLIENT_SCHEMA);
  await insertClients(before, "old", 1, OLD);
  // More than two of the migration's batches of 500 pages.
  const [{ pages }] = (await before.query(
    `SELECT pg_relation_size('client.client') / current_setting('block_size')::int AS pages`,
  )) as { pages: string }[];
  expect(Number(pages)).toBeGreaterThan(1_000);

  const after = source(clientMigrations.slice(0, upTo + 1));
  await after.initialize();
  let writing = true;
  const writer = (async () => {
    let n = 0;
    while (writing) {
      n += 1;
      await insertClients(before, "new", n, n);
      await before.query(`UPDATE client.client SET email = $1 WHERE external_id = $2`, [
        `Moved${n}@x.org`,
        `old-${n}`,
      ]);
    }
    return n;
  })();
  await migrate(after, CLIENT_SCHEMA);
  writing = false;
  const written = await writer;

  const [check] = (await after.query(`
    SELECT count(*)::int AS clients,
           count(*) FILTER (WHERE search_text IS NULL)::int AS without,
           count(*) FILTER (WHERE search_text IS DISTINCT FROM client.search_text(
             first_name, last_name, legal_name, email, external_id))::int AS wrong
      FROM client.client`)) as { clients: number; without: number; wrong: number }[];
  expect(check).toEqual({ clients: OLD + written, without: 0, wrong: 0 });
  const [ada] = (await after.query(`SELECT search_text FROM client.client WHERE external_id = 'old-3'`)) as {
    search_text: string;
  }[];
  expect(ada.search_text).toBe(
    written >= 3
      ? "ada3 lovelace\x1f\x1fmoved3@x.org\x1fold-3"
      : "ada3 lovelace\x1f\x1fclient3@example.com\x1fold-3",
  );
  expect(await trigramIndexes(after)).toEqual(["client_search_text_trgm_idx"]);
  // A later write keeps it: the trigger.
  await after.query(`UPDATE client.client SET legal_name = 'Difference Engines' WHERE external_id = 'old-2'`);
  const [company] = (await after.query(
    `SELECT search_text FROM client.client WHERE search_text LIKE '%difference engines%'`,
  )) as { search_text: string }[];
  expect(company.search_text).toBe(
    `\x1fdifference engines\x1f${written >= 2 ? "moved2@x.org" : ""}\x1fold-2`,
  );

  await after.undoLastMigration({ transaction: "each" });
  expect(await trigramIndexes(after)).toEqual([
    "client_email_trgm_idx",
    "client_external_id_trgm_idx",
    "client_full_name_trgm_idx",
    "client_legal_name_trgm_idx",
  ]);
  const columns = (await after.query(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'client' AND table_name = 'client'
        AND column_name = 'search_text'`,
  )) as unknown[];
  expect(columns).toEqual([]);
});
