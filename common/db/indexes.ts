/**
 * Index migrations on tables that may already be large: built `CONCURRENTLY`, so writes go on
 * while an index is built. PostgreSQL refuses that inside a transaction, so a migration using
 * these sets `transaction = false` (each statement then commits alone). A build that failed
 * half-way leaves an invalid index behind: it is dropped first, so running the migration again
 * repairs it.
 */
import type { QueryRunner } from "typeorm";

/** An index to build: its name (unqualified) and what follows `ON` (`schema.table (columns) [WHERE ...]`). */
export interface IndexDefinition {
  name: string;
  on: string;
}

export async function createIndexesConcurrently(
  db: QueryRunner,
  schema: string,
  indexes: readonly IndexDefinition[],
): Promise<void> {
  for (const index of indexes) {
    await db.query(`DROP INDEX CONCURRENTLY IF EXISTS "${schema}"."${index.name}"`);
    await db.query(`CREATE INDEX CONCURRENTLY "${index.name}" ON ${index.on}`);
  }
}

export async function dropIndexesConcurrently(
  db: QueryRunner,
  schema: string,
  names: readonly string[],
): Promise<void> {
  for (const name of names) await db.query(`DROP INDEX CONCURRENTLY IF EXISTS "${schema}"."${name}"`);
}

/** Builds indexes in the migration's transaction (a migration's `down`, see {@link dropIndexes}). */
export async function createIndexes(db: QueryRunner, indexes: readonly IndexDefinition[]): Promise<void> {
  for (const index of indexes) await db.query(`CREATE INDEX IF NOT EXISTS "${index.name}" ON ${index.on}`);
}

/**
 * Drops indexes (a migration's `down`). Not `CONCURRENTLY`: TypeORM runs an undo inside a
 * transaction whatever the migration's `transaction` says, and a drop is quick.
 */
export async function dropIndexes(db: QueryRunner, schema: string, names: readonly string[]): Promise<void> {
  for (const name of names) await db.query(`DROP INDEX IF EXISTS "${schema}"."${name}"`);
}

/**
 * An index migration's `up`: `indexes` built concurrently, then the `replaced` ones (which they
 * serve in place of) dropped concurrently. Its `down` is {@link restoreReplacedIndexes}.
 */
export async function replaceIndexesConcurrently(
  db: QueryRunner,
  schema: string,
  indexes: readonly IndexDefinition[],
  replaced: readonly IndexDefinition[],
): Promise<void> {
  await createIndexesConcurrently(db, schema, indexes);
  await dropIndexesConcurrently(
    db,
    schema,
    replaced.map((index) => index.name),
  );
}

/**
 * An index migration's `down` (in TypeORM's undo transaction: not concurrently, so writes to the
 * table wait while an index is built): the `replaced` indexes built again, `indexes` dropped.
 */
export async function restoreReplacedIndexes(
  db: QueryRunner,
  schema: string,
  indexes: readonly IndexDefinition[],
  replaced: readonly IndexDefinition[],
): Promise<void> {
  await createIndexes(db, replaced);
  await dropIndexes(
    db,
    schema,
    indexes.map((index) => index.name),
  );
}
