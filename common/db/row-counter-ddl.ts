/**
 * The tables and triggers of a {@link RowCounter}, for the migration that makes it (decision 0043).
 *
 * - Inserts and deletes: one trigger per statement, over the statement's transition table, so a
 *   bulk insert of a million rows appends one delta per combination, not a million.
 * - Updates: one trigger per row, fired only when a counted column is a target of the `UPDATE`
 *   and only for a row whose counted value changed (`WHEN`), so the updates that do not touch
 *   them (a transfer's lease, an account's balance) never call it. PostgreSQL allows no
 *   transition table on a trigger with a column list, hence per row.
 * - `TRUNCATE` empties the counter too.
 */
import type { QueryRunner } from "typeorm";
import { deltasOf, type RowCounter } from "./row-counter";

const unqualified = (name: string) => name.slice(name.indexOf(".") + 1);

/**
 * Makes the counter of `counter.table` and fills its totals from the rows there. The table is
 * locked against writes (`SHARE ROW EXCLUSIVE`: reads go on) for the rest of the migration's
 * transaction, from before the triggers exist until the count is committed with them: a write
 * committed before the lock is in the count, a write after it fires the triggers, and none can
 * do both or neither. The count runs after the lock is granted (read committed: its snapshot is
 * taken then), so it sees every write that committed before.
 */
export async function createRowCounter(db: QueryRunner, counter: RowCounter): Promise<void> {
  const { table, totals } = counter;
  const deltas = deltasOf(counter);
  const dimensions = Object.values(counter.dimensions);
  const columns = dimensions.map((dimension) => dimension.column).join(", ");
  const declared = dimensions.map((dimension) => `${dimension.column} ${dimension.type} NOT NULL`).join(", ");
  const name = unqualified(totals);
  await db.query(`LOCK TABLE ${table} IN SHARE ROW EXCLUSIVE MODE`);
  await db.query(`CREATE TABLE ${totals} (${declared}, n bigint NOT NULL, PRIMARY KEY (${columns}))`);
  // No index, no key: appended by writers, read whole by counts, emptied by the roll-up.
  await db.query(`CREATE TABLE ${deltas} (${declared}, n bigint NOT NULL)`);
  const fn = async (suffix: string, body: string) =>
    db.query(`CREATE FUNCTION ${totals}_${suffix}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${body};
        RETURN NULL;
      END $$`);
  await fn(
    "inserted",
    `INSERT INTO ${deltas} (${columns}, n) SELECT ${columns}, count(*) FROM inserted GROUP BY ${columns}`,
  );
  await fn(
    "deleted",
    `INSERT INTO ${deltas} (${columns}, n) SELECT ${columns}, -count(*) FROM deleted GROUP BY ${columns}`,
  );
  const of = (row: string) => dimensions.map((dimension) => `${row}.${dimension.column}`).join(", ");
  await fn("updated", `INSERT INTO ${deltas} (${columns}, n) VALUES (${of("OLD")}, -1), (${of("NEW")}, 1)`);
  await fn("truncated", `DELETE FROM ${totals}; DELETE FROM ${deltas}`);
  const changed = dimensions
    .map((dimension) => `OLD.${dimension.column} IS DISTINCT FROM NEW.${dimension.column}`)
    .join(" OR ");
  await db.query(`CREATE TRIGGER ${name}_inserted AFTER INSERT ON ${table}
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION ${totals}_inserted()`);
  await db.query(`CREATE TRIGGER ${name}_deleted AFTER DELETE ON ${table}
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION ${totals}_deleted()`);
  await db.query(`CREATE TRIGGER ${name}_updated AFTER UPDATE OF ${columns} ON ${table}
    FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION ${totals}_updated()`);
  await db.query(`CREATE TRIGGER ${name}_truncated AFTER TRUNCATE ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION ${totals}_truncated()`);
  await db.query(
    `INSERT INTO ${totals} (${columns}, n) SELECT ${columns}, count(*) FROM ${table} GROUP BY ${columns}`,
  );
}

/** Drops what {@link createRowCounter} made (a migration's `down`). */
export async function dropRowCounter(db: QueryRunner, counter: RowCounter): Promise<void> {
  const name = unqualified(counter.totals);
  for (const event of ["inserted", "deleted", "updated", "truncated"]) {
    await db.query(`DROP TRIGGER IF EXISTS ${name}_${event} ON ${counter.table}`);
    await db.query(`DROP FUNCTION IF EXISTS ${counter.totals}_${event}()`);
  }
  await db.query(`DROP TABLE IF EXISTS ${deltasOf(counter)}`);
  await db.query(`DROP TABLE IF EXISTS ${counter.totals}`);
}
