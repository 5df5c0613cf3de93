import type { MigrationInterface, QueryRunner } from "typeorm";
import { createIndexesConcurrently, dropIndexes, type IndexDefinition } from "../../../../common/db/indexes";
import { log } from "../../../../common/log";

/**
 * The indexes, given the schema `pg_trgm` is installed in (its operator class is qualified by it).
 * Migration 1732420000000 replaces them with one index on `search_text`.
 */
export const searchIndexes = (trgm: string): IndexDefinition[] => [
  {
    name: "client_full_name_trgm_idx",
    on: `client.client USING gin (client.full_name(first_name, last_name) ${trgm}.gin_trgm_ops)`,
  },
  { name: "client_legal_name_trgm_idx", on: `client.client USING gin (legal_name ${trgm}.gin_trgm_ops)` },
  { name: "client_email_trgm_idx", on: `client.client USING gin (email ${trgm}.gin_trgm_ops)` },
  { name: "client_external_id_trgm_idx", on: `client.client USING gin (external_id ${trgm}.gin_trgm_ops)` },
];

/**
 * Trigram indexes for `clients(filter: { search })` (decision 0043): a case-insensitive substring
 * of the full name, legal name, email or external id is found through them rather than by reading
 * every client. The full name is `client.full_name`, `concat_ws(' ', first, last)` spelled with
 * immutable operators (`concat_ws` takes "any", so it is only stable, and no index may hold it);
 * the list's query calls it, so the index and the query name the same expression. The indexes
 * need the `pg_trgm` extension (PostgreSQL's contrib, trusted: a database owner may install it);
 * where it cannot be installed the search works as before, unindexed, and a warning says so.
 * Built `CONCURRENTLY`: clients can be written meanwhile.
 */
export class ClientSearchIndexes1732360000001 implements MigrationInterface {
  name = "ClientSearchIndexes1732360000001";
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE OR REPLACE FUNCTION client.full_name(first_name text, last_name text) RETURNS text
      LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT CASE WHEN first_name IS NULL THEN coalesce(last_name, '')
                    WHEN last_name IS NULL THEN first_name
                    ELSE first_name || ' ' || last_name END $$`);
    try {
      await db.query(`CREATE EXTENSION IF NOT EXISTS pg_trgm`);
    } catch (error) {
      log.warn(
        { err: error },
        "pg_trgm cannot be installed: clients' search stays unindexed (decision 0043)",
      );
    }
    const trgm = await trgmSchema(db);
    if (trgm) await createIndexesConcurrently(db, "client", searchIndexes(trgm));
  }

  async down(db: QueryRunner): Promise<void> {
    await dropIndexes(
      db,
      "client",
      searchIndexes("unused").map((index) => index.name),
    );
    await db.query(`DROP FUNCTION IF EXISTS client.full_name(text, text)`);
  }
}

/** The schema `pg_trgm` is installed in, if it is (installed above where it can be). */
export async function trgmSchema(db: QueryRunner): Promise<string | undefined> {
  const [installed] = (await db.query(
    `SELECT extnamespace::regnamespace::text AS schema FROM pg_extension WHERE extname = 'pg_trgm'`,
  )) as { schema: string }[];
  return installed?.schema;
}
