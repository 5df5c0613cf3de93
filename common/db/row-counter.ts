/**
 * Exact row counts that do not scan (decision 0043). A list table's rows are counted per
 * combination of the equality filters its list documents (transfers: status x kind) in a totals
 * table. Triggers on the list table, in the writer's own transaction, append `+n`/`-n` rows to a
 * delta table (never an update of a shared row, so writers do not queue on a hot row, and a
 * rollback leaves nothing); a periodic roll-up folds the deltas into the totals in one
 * statement. A count reads totals and deltas in one statement (one snapshot), so it is exact
 * whether or not the roll-up has run. The tables and triggers are made by a migration
 * (row-counter-ddl.ts).
 */
import type { DataSource, EntityManager } from "typeorm";
import { log } from "../log";
import { lazyCount } from "./data-source";

/** A counted table: where its counts live and the columns they are kept per. */
export interface RowCounter {
  /** The counted table, `schema.table`. */
  table: string;
  /** The totals table, `schema.name`; its deltas are `<totals>_delta`. */
  totals: string;
  /**
   * The counted columns by the filter property that compares a list's rows with them for
   * equality (`{ status: "status" }`), with their SQL type (that of the counted column).
   */
  dimensions: Readonly<Record<string, { column: string; type: string }>>;
}

/** The delta table of a counter. */
export const deltasOf = (counter: RowCounter): string => `${counter.totals}_delta`;

/**
 * The exact count of `counter.table`'s rows matching `filter`, read from the counter, or
 * undefined when the counter cannot answer it: when a property of `filter` that is set is no
 * dimension (a caller's own client, a date range, a search), the rows are narrowed by
 * something the counter does not keep. Set means truthy, as the lists' queries read their
 * filters (`if (filter.status) ...`): a property left empty narrows nothing there either.
 * `filter` must hold every condition of the list's query: a list that always narrows its
 * rows (accounts: `kind = 'CLIENT'`) passes that condition too.
 */
export function counterCount(
  db: DataSource | EntityManager,
  counter: RowCounter,
  filter: object,
): (() => Promise<number>) | undefined {
  const values: unknown[] = [];
  const conditions: string[] = [];
  for (const [property, value] of Object.entries(filter)) {
    if (!value) continue;
    if (!Object.hasOwn(counter.dimensions, property)) return undefined;
    const dimension = counter.dimensions[property];
    values.push(value);
    conditions.push(`${dimension.column} = $${values.length}`);
  }
  const columns = Object.values(counter.dimensions).map((dimension) => dimension.column);
  const where = conditions.length ? `WHERE ${conditions.join(" AND ")}` : "";
  // One statement, so one snapshot: a roll-up committing meanwhile is seen whole or not at all.
  const sql = `SELECT coalesce(sum(n), 0)::bigint AS total FROM (
      SELECT ${columns.join(", ")}, n FROM ${counter.totals}
      UNION ALL SELECT ${columns.join(", ")}, n FROM ${deltasOf(counter)}) counted ${where}`;
  return lazyCount(db, sql, values);
}

/** The exact count of each value of one dimension (transfers per status), from the counter; absent values are 0. */
export async function countsBy(
  db: DataSource | EntityManager,
  counter: RowCounter,
  property: string,
): Promise<Record<string, number>> {
  const { column } = counter.dimensions[property];
  const rows = (await db.query(
    `SELECT ${column} AS value, sum(n)::text AS n FROM (
       SELECT ${column}, n FROM ${counter.totals} UNION ALL SELECT ${column}, n FROM ${deltasOf(counter)}) counted
     GROUP BY ${column}`,
  )) as { value: string; n: string }[];
  return Object.fromEntries(rows.filter((row) => row.n !== "0").map((row) => [row.value, Number(row.n)]));
}

/**
 * Folds every committed delta of `counter` into its totals, in one statement: the deltas it
 * deletes and the totals it adds them to commit together. Safe to run concurrently (another
 * process's roll-up waits on the delta rows this one deletes, then finds them gone); deltas
 * written meanwhile are left for the next roll-up. Returns the number of deltas folded.
 */
export async function rollUp(db: DataSource | EntityManager, counter: RowCounter): Promise<number> {
  const columns = Object.values(counter.dimensions)
    .map((dimension) => dimension.column)
    .join(", ");
  const rows = (await db.query(
    `WITH folded AS (DELETE FROM ${deltasOf(counter)} RETURNING ${columns}, n),
          sums AS (INSERT INTO ${counter.totals} (${columns}, n)
                   SELECT ${columns}, sum(n) FROM folded GROUP BY ${columns}
                   ON CONFLICT (${columns}) DO UPDATE SET n = ${counter.totals}.n + excluded.n)
     SELECT count(*)::int AS folded FROM folded`,
  )) as { folded: number }[];
  return rows[0].folded;
}

/** The periodic roll-up of a process's counters; `stop` waits for a roll-up under way. */
export interface CountRollUp {
  stop(): Promise<void>;
}

/**
 * Rolls `counters` up every `intervalMs` (0: never; counts stay exact, only slower to read as
 * deltas pile up). The timer does not keep the process alive. A roll-up that folded deltas then
 * vacuums the delta table: a count reads it whole, and autovacuum (once a minute at best) would
 * let a busy minute's dead rows pile up in it; `SKIP_LOCKED` leaves it to another process's
 * vacuum under way, and the table is made with `vacuum_truncate = false`, so no vacuum takes the
 * lock that would hold writers back while it gives empty pages back.
 */
export function startCountRollUp(
  db: DataSource,
  counters: readonly RowCounter[],
  intervalMs: number,
): CountRollUp {
  if (!counters.length || intervalMs <= 0) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= (async () => {
      for (const counter of counters) {
        try {
          if ((await rollUp(db, counter)) > 0) await db.query(`VACUUM (SKIP_LOCKED) ${deltasOf(counter)}`);
        } catch (error) {
          log.error({ err: error, counter: counter.totals }, "count roll-up failed");
        }
      }
    })().finally(() => (running = undefined));
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
