import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  type IndexDefinition,
  replaceIndexesConcurrently,
  restoreReplacedIndexes,
} from "../../../../common/db/indexes";
import { tableLock } from "../../../../common/db/table-lock";
import { searchIndexes, trgmSchema } from "./1732360000001-ClientSearchIndexes";

/** The index, given the schema `pg_trgm` is installed in (its operator class is qualified by it). */
const indexes = (trgm: string): IndexDefinition[] => [
  { name: "client_search_text_trgm_idx", on: `client.client USING gin (search_text ${trgm}.gin_trgm_ops)` },
];

/** Table pages whose rows are given their search text per statement while the column is filled. */
const BATCH_PAGES = 500;

/**
 * `clients(filter: { search })` through one column (decision 0063): `search_text` holds the full
 * name, legal name, email and external id, lowercased, separated by U+001F (which no input may
 * hold: every string argument is refused with a control character in it), so a search is one
 * byte-wise `LIKE` against one trigram index. It was four `ILIKE`s over four indexes, and each
 * `ILIKE` lowercased its column and the pattern again for every row it rechecked: a count of
 * 11,111 matches among 100,000 clients took 7-12 ms in PostgreSQL, now 3.6-4.6.
 *
 * Kept by a row trigger on every insert and update (writers need not know it), filled a range of
 * table pages per statement committed alone, and indexed `CONCURRENTLY`, so clients are written
 * meanwhile (the statements that lock the table wait for it a bounded time, `tableLock`): a stored
 * generated column would do the same in one statement but rewrite the table under its most
 * exclusive lock (2 s at 100,000 clients, in which no client could be read). The trigger exists
 * before the filling starts, so a row written meanwhile is given its text by one or the other.
 * Without `pg_trgm` the column is kept all the same and the search reads it unindexed.
 */
export class ClientSearchText1732420000000 implements MigrationInterface {
  name = "ClientSearchText1732420000000";
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE OR REPLACE FUNCTION client.search_text(
        first_name text, last_name text, legal_name text, email text, external_id text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT lower(client.full_name(first_name, last_name) || E'\\x1f' || coalesce(legal_name, '')
          || E'\\x1f' || coalesce(email, '') || E'\\x1f' || coalesce(external_id, '')) $$`);
    await tableLock(db, `ALTER TABLE client.client ADD COLUMN IF NOT EXISTS search_text text`);
    await db.query(`CREATE OR REPLACE FUNCTION client.set_search_text() RETURNS trigger
      LANGUAGE plpgsql AS $$
      BEGIN
        NEW.search_text := client.search_text(NEW.first_name, NEW.last_name, NEW.legal_name, NEW.email,
                                              NEW.external_id);
        RETURN NEW;
      END $$`);
    await tableLock(
      db,
      `CREATE OR REPLACE TRIGGER client_search_text BEFORE INSERT OR UPDATE ON client.client
        FOR EACH ROW EXECUTE FUNCTION client.set_search_text()`,
    );
    await fill(db);
    // The planner's statistics of the new column: without them it takes a broad search for a
    // narrow one and sorts its thousands of matches rather than walking the order's index. The
    // vacuum clears the copies the filling left, so pages are all-visible again.
    await db.query(`VACUUM (ANALYZE) client.client`);
    const trgm = await trgmSchema(db);
    if (trgm) await replaceIndexesConcurrently(db, "client", indexes(trgm), searchIndexes(trgm));
  }

  async down(db: QueryRunner): Promise<void> {
    const trgm = await trgmSchema(db);
    if (trgm) await restoreReplacedIndexes(db, "client", indexes(trgm), searchIndexes(trgm));
    await tableLock(db, `DROP TRIGGER IF EXISTS client_search_text ON client.client`);
    await db.query(`DROP FUNCTION IF EXISTS client.set_search_text()`);
    await tableLock(db, `ALTER TABLE client.client DROP COLUMN IF EXISTS search_text`);
    await db.query(`DROP FUNCTION IF EXISTS client.search_text(text, text, text, text, text)`);
  }
}

/**
 * Gives every client written before the trigger its search text, a range of table pages per
 * statement, in the table's own order: each statement rewrites rows of neighbouring pages (a
 * row's new copy mostly lands on its own page), and a row moved meanwhile (by the filling or a
 * writer) has its text already. Reads the pages the table had when it began: later ones hold
 * only rows written under the trigger.
 */
async function fill(db: QueryRunner): Promise<void> {
  const [{ pages }] = (await db.query(
    `SELECT pg_relation_size('client.client') / current_setting('block_size')::int AS pages`,
  )) as { pages: string }[];
  for (let first = 0; first < Number(pages); first += BATCH_PAGES) {
    await db.query(
      `UPDATE client.client
          SET search_text = client.search_text(first_name, last_name, legal_name, email, external_id)
        WHERE ctid >= $1::tid AND ctid < $2::tid AND search_text IS NULL`,
      [`(${first},0)`, `(${first + BATCH_PAGES},0)`],
    );
  }
}
