/**
 * The tables and triggers of a {@link RowCounter}, for the migration that makes it (decision 0043).
 *
 * - Inserts and deletes: one trigger per statement, over the statement's transition table, so a
 *   bulk insert of a million rows appends one delta per combination, not a million.
 * - Updates: one trigger per row, fired only when a counted column is a target of the `UPDATE`
 *   and only for a row whose counted value changed (`WHEN`), so the updates that do not touch
 *   them (a transfer's lease, an account's balance) never call it. PostgreSQL allows no
 *   transition table on a trigger with a column list, hence per row. A dimension computed from a
 *   column (an amount's power of ten) is computed the same way in every trigger.
 * - `TRUNCATE` empties the counter too.
 */
import type { QueryRunner } from "typeorm";
import { deltasOf, dimensionValue, type RowCounter } from "./row-counter";
import { tableLock } from "./table-lock";

const unqualified = (name: string) => name.slice(name.indexOf(".") + 1);

/**
 * Makes the counter of `counter.table` and fills its totals from the rows there, without holding
 * writers off while it counts. Run outside a transaction (the migration's `transaction = false`):
 * each statement commits alone, and every one of them can run again (a migration that stopped
 * half-way is run again whole).
 *
 * 1. The tables, functions and triggers. Creating a trigger waits for the transactions that
 *    have written to the table to end, and every write after it fires it; the triggers are
 *    made one by one, so a write may fire some of them and not others, which step 2 settles.
 * 2. {@link reconcileRowCounter}, once every trigger exists.
 */
export async function createRowCounter(db: QueryRunner, counter: RowCounter): Promise<void> {
  const { table, totals } = counter;
  const deltas = deltasOf(counter);
  const dimensions = Object.values(counter.dimensions);
  const columns = dimensions.map((dimension) => dimension.column).join(", ");
  const declared = dimensions.map((dimension) => `${dimension.column} ${dimension.type} NOT NULL`).join(", ");
  const name = unqualified(totals);
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${totals} (${declared}, n bigint NOT NULL, PRIMARY KEY (${columns}))`,
  );
  // No index, no key: appended by writers, read whole by counts, emptied by the roll-up (which
  // vacuums it, without giving pages back: that would lock writers out meanwhile).
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${deltas} (${declared}, n bigint NOT NULL) WITH (vacuum_truncate = false)`,
  );
  const fn = async (suffix: string, body: string) =>
    db.query(`CREATE OR REPLACE FUNCTION ${totals}_${suffix}() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        ${body};
        RETURN NULL;
      END $$`);
  const grouped = (rows: string, sign: string) =>
    `INSERT INTO ${deltas} (${columns}, n) SELECT ${rowValues(counter)}, ${sign}count(*) FROM ${rows} r GROUP BY ${ordinals(counter)}`;
  await fn("inserted", grouped("inserted", ""));
  await fn("deleted", grouped("deleted", "-"));
  const of = (row: string) => dimensions.map((dimension) => dimensionValue(dimension, row)).join(", ");
  await fn("updated", `INSERT INTO ${deltas} (${columns}, n) VALUES (${of("OLD")}, -1), (${of("NEW")}, 1)`);
  // TRUNCATE, not DELETE: it waits for a roll-up under way, whose new totals row a DELETE would not see.
  await fn("truncated", `TRUNCATE ${totals}, ${deltas}`);
  const changed = dimensions
    .map(
      (dimension) =>
        `${dimensionValue(dimension, "OLD")} IS DISTINCT FROM ${dimensionValue(dimension, "NEW")}`,
    )
    .join(" OR ");
  const sources = [...new Set(dimensions.map((dimension) => dimension.source ?? dimension.column))].join(
    ", ",
  );
  await tableLock(
    db,
    `CREATE OR REPLACE TRIGGER ${name}_inserted AFTER INSERT ON ${table}
    REFERENCING NEW TABLE AS inserted FOR EACH STATEMENT EXECUTE FUNCTION ${totals}_inserted()`,
  );
  await tableLock(
    db,
    `CREATE OR REPLACE TRIGGER ${name}_deleted AFTER DELETE ON ${table}
    REFERENCING OLD TABLE AS deleted FOR EACH STATEMENT EXECUTE FUNCTION ${totals}_deleted()`,
  );
  await tableLock(
    db,
    `CREATE OR REPLACE TRIGGER ${name}_updated AFTER UPDATE OF ${sources} ON ${table}
    FOR EACH ROW WHEN (${changed}) EXECUTE FUNCTION ${totals}_updated()`,
  );
  await tableLock(
    db,
    `CREATE OR REPLACE TRIGGER ${name}_truncated AFTER TRUNCATE ON ${table}
    FOR EACH STATEMENT EXECUTE FUNCTION ${totals}_truncated()`,
  );
  await reconcileRowCounter(db, counter);
}

/**
 * Makes the counter agree with the table, in one statement (one snapshot): for each combination,
 * the rows the table holds minus what totals and deltas hold is added to the totals. With the
 * triggers in place that difference is exactly the rows written before they existed (a write
 * since is in both), so after it the counter equals `count(*)` in that snapshot, and every write
 * committed later fires the triggers. Adding commutes with a roll-up running meanwhile (it moves
 * deltas into totals, which leaves their sum as it was), and run again it adds nothing. Writers
 * are not held off; the statement reads every row of the table once. Also the repair, should a
 * counter ever be wrong (its triggers disabled by hand).
 */
export async function reconcileRowCounter(db: QueryRunner, counter: RowCounter): Promise<void> {
  const { table, totals } = counter;
  const columns = Object.values(counter.dimensions)
    .map((dimension) => dimension.column)
    .join(", ");
  await db.query(`INSERT INTO ${totals} (${columns}, n)
    SELECT ${columns}, sum(n) FROM (
      SELECT ${rowValues(counter)}, count(*) AS n FROM ${table} r GROUP BY ${ordinals(counter)}
      UNION ALL SELECT ${columns}, -n FROM ${totals}
      UNION ALL SELECT ${columns}, -n FROM ${deltasOf(counter)}) difference
    GROUP BY ${columns} HAVING sum(n) <> 0
    ON CONFLICT (${columns}) DO UPDATE SET n = ${totals}.n + excluded.n`);
}

/** The dimensions' values in a row `r` of the counted table, named as the counter's columns. */
const rowValues = (counter: RowCounter) =>
  Object.values(counter.dimensions)
    .map((dimension) => `${dimensionValue(dimension, "r")} AS ${dimension.column}`)
    .join(", ");

/** `1, 2, ...`: a `GROUP BY` of the dimensions' values selected first. */
const ordinals = (counter: RowCounter) =>
  Object.keys(counter.dimensions)
    .map((_, i) => i + 1)
    .join(", ");

/** Drops what {@link createRowCounter} made (a migration's `down`). */
export async function dropRowCounter(db: QueryRunner, counter: RowCounter): Promise<void> {
  const name = unqualified(counter.totals);
  for (const event of ["inserted", "deleted", "updated", "truncated"]) {
    await tableLock(db, `DROP TRIGGER IF EXISTS ${name}_${event} ON ${counter.table}`);
    await db.query(`DROP FUNCTION IF EXISTS ${counter.totals}_${event}()`);
  }
  await db.query(`DROP TABLE IF EXISTS ${deltasOf(counter)}`);
  await db.query(`DROP TABLE IF EXISTS ${counter.totals}`);
}
