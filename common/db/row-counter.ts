/**
 * Exact row counts that do not scan (decision 0043). A list table's rows are counted per
 * combination of the equality filters its list documents (transfers: status x kind) in a totals
 * table. Triggers on the list table, in the writer's own transaction, append `+n`/`-n` rows to a
 * delta table (never an update of a shared row, so writers do not queue on a hot row, and a
 * rollback leaves nothing); a periodic roll-up folds the deltas into the totals in one
 * statement. A count reads totals and deltas in one statement (one snapshot), so it is exact
 * whether or not the roll-up has run. The tables and triggers are made by a migration
 * (row-counter-ddl.ts). A counter may also keep a column's values in buckets and answer a range
 * filter over it exactly: the buckets inside the range from the counter, the rows of a bound's
 * bucket from the table (decisions 0046, 0051).
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
   * The counted dimensions by the filter property that compares a list's rows with them for
   * equality (`{ status: { column: "status", type: "text" } }`).
   */
  dimensions: Readonly<Record<string, CountedDimension>>;
  /** A range filter the counter answers too, through a dimension of buckets (decision 0046). */
  range?: CountedRange;
}

/** A column of the totals and deltas tables: a counted table's column, or a value computed from one. */
export interface CountedDimension {
  /** Its name in the totals and deltas tables. */
  column: string;
  /** Its SQL type there. */
  type: string;
  /** The counted table's column it is kept from (default: `column`). */
  source?: string;
  /** Its SQL value from the SQL of the source column's value (default: that value itself). */
  of?: (value: string) => string;
}

/**
 * Buckets of a column's values, in SQL: each value's bucket (an integer, ordered as the values
 * are), a bucket's lowest (inclusive) and highest (exclusive) value, and a value that splits it
 * in two. Each bucket is a dimension value of the counter; a range is counted as the buckets
 * wholly inside it (from the counter) plus the rows in range of the bucket each bound falls in,
 * counted from the table (an index of the column makes that an index-only count), or that
 * bucket's total minus its rows out of range, whichever side of the split the bound leaves
 * smaller.
 */
export interface Buckets {
  of(value: string): string;
  lower(bucket: string): string;
  upper(bucket: string): string;
  middle(bucket: string): string;
}

/**
 * A positive value's leading digit and power of ten, `d x 10^k` (`900.00`: [900, 1000);
 * `250`: [200, 300)), numbered `9k + d - 1`, and -1 for every value below 1. Exact (digits, no
 * logarithm), immutable. Every round bound a person types (50, 200, 1000) is a bucket's edge,
 * so its range needs no row counted.
 */
export const LEADING_DIGITS: Buckets = {
  of: (value) =>
    `(CASE WHEN ${value} >= 1 THEN (length(trunc(${value})::text) - 1) * 9 + left(trunc(${value})::text, 1)::int - 1 ELSE -1 END)`,
  lower: (bucket) =>
    `(CASE WHEN ${bucket} < 0 THEN '-Infinity'::numeric ELSE (${bucket} % 9 + 1) * 10::numeric ^ (${bucket} / 9) END)`,
  upper: (bucket) =>
    `(CASE WHEN ${bucket} < 0 THEN 1::numeric ELSE (${bucket} % 9 + 2) * 10::numeric ^ (${bucket} / 9) END)`,
  middle: (bucket) =>
    `(CASE WHEN ${bucket} < 0 THEN 0.5::numeric ELSE (${bucket} % 9 + 1.5) * 10::numeric ^ (${bucket} / 9) END)`,
};

/**
 * Buckets of a value's `digits` (2 or more) leading significant digits and power of ten: `9 x
 * 10^(digits - 1)` buckets per power of ten, numbered from [1, 1 + 10^(1 - digits)) as 0, and -1
 * for every value below 1. The digits are those of `trunc(value * 10^(digits - 1))`: exact, no
 * logarithm.
 */
function leadingDigits(digits: number): Buckets {
  const scale = 10 ** (digits - 1); // also the lowest number of `digits` digits
  const perPower = 9 * scale;
  const shift = digits - 1;
  const edge = (bucket: string, plus: string) =>
    `(${bucket} % ${perPower} + ${plus}) * 10::numeric ^ (${bucket} / ${perPower} - ${shift})`;
  return {
    of: (value) =>
      `(CASE WHEN ${value} >= 1 THEN (length(trunc(${value} * ${scale})::text) - ${digits}) * ${perPower} + left(trunc(${value} * ${scale})::text, ${digits})::int - ${scale} ELSE -1 END)`,
    lower: (bucket) =>
      `(CASE WHEN ${bucket} < 0 THEN '-Infinity'::numeric ELSE ${edge(bucket, `${scale}`)} END)`,
    upper: (bucket) => `(CASE WHEN ${bucket} < 0 THEN 1::numeric ELSE ${edge(bucket, `${scale + 1}`)} END)`,
    middle: (bucket) => `(CASE WHEN ${bucket} < 0 THEN 0.5::numeric ELSE ${edge(bucket, `${scale}.5`)} END)`,
  };
}

/**
 * A value's two leading significant digits and power of ten, `dd x 10^k` (`250`: [250, 260);
 * `1.234`: [1.2, 1.3); `12345.67`: [12000, 13000)), 90 buckets per power of ten, numbered
 * `90 (k + 1) + dd - 10` from [1.0, 1.1), and -1 for every value below 1 (decision 0051). A
 * bucket holds a tenth of its {@link LEADING_DIGITS} bucket's span, so a bound's rows counted
 * from the table are about ten times fewer, and every bound of two significant digits (250,
 * 1.5, 12000) is an edge. Exact (digits, no logarithm), immutable.
 */
export const LEADING_TWO_DIGITS: Buckets = leadingDigits(2);

/**
 * A value's three leading significant digits and power of ten, `ddd x 10^k` (`15.55`: [15.5, 15.6);
 * `123.45`: [123, 124)), 900 buckets per power of ten, numbered `900 (k + 2) + ddd - 100` from
 * [1.00, 1.01), and -1 for every value below 1 (decision 0058). Bucket `b` (`b >= 0`) lies in
 * {@link LEADING_TWO_DIGITS}' bucket `b / 10` (its first two digits), and every edge of that one
 * is an edge of this one: the finer level of a bound's bucket. Exact, immutable.
 */
export const LEADING_THREE_DIGITS: Buckets = leadingDigits(3);

/** A range filter over one column, counted by buckets of it. */
export interface CountedRange {
  /** The filter properties of its lowest and highest value, both inclusive. */
  min: string;
  max: string;
  /** The dimension holding each row's bucket; its `source` is the column the range bounds. */
  bucket: string;
  /** The SQL type of the bounded column. */
  type: string;
  buckets: Buckets;
  /**
   * A counter of the same rows by the same equality dimensions in finer buckets of the same
   * column (each inside one of `buckets`, every edge of those one of its edges), with a range of
   * its own: the rows in range of a bound's bucket are then its finer buckets wholly in range
   * (from that counter) plus the rows of the bound's finer bucket (from the table), while the
   * buckets between the bounds' still come from this counter, which has fewer rows to sum
   * (decision 0058).
   */
  finer?: RangeCounter;
}

/** A counter that answers a range filter. */
export type RangeCounter = RowCounter & { range: CountedRange };

/** The SQL of `dimension`'s value in a row of the counted table (`row`: its alias, `OLD`, `NEW`). */
export function dimensionValue(dimension: CountedDimension, row: string): string {
  const value = `${row}.${dimension.source ?? dimension.column}`;
  return dimension.of ? dimension.of(value) : value;
}

/** The delta table of a counter. */
export const deltasOf = (counter: RowCounter): string => `${counter.totals}_delta`;

/**
 * A counter's rows of `columns` with their `n`, totals and deltas together: summed in one
 * statement, an exact count whether or not the roll-up has run.
 */
export const countedRows = (counter: RowCounter, columns: string): string =>
  `SELECT ${columns}, n FROM ${counter.totals} UNION ALL SELECT ${columns}, n FROM ${deltasOf(counter)}`;

/** A decimal bound a range count takes; anything else (`NaN`, `1e9`) leaves the count to `count(*)`. */
export const DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * The exact count of `counter.table`'s rows matching `filter`, read from the counter, or
 * undefined when the counter cannot answer it: when a property of `filter` that is set is no
 * dimension (a caller's own client, a date range, a search) nor a bound of the counter's range,
 * the rows are narrowed by something the counter does not keep. Set means truthy, as the
 * lists' queries read their filters (`if (filter.status) ...`): a property left empty narrows
 * nothing there either. `filter` must hold every condition of the list's query: a list that
 * always narrows its rows (accounts: `kind = 'CLIENT'`) passes that condition too.
 *
 * With a range bound, the buckets wholly inside the range come from the counter and the rows of
 * the bucket each bound falls in are counted from the table (an index-only count over the
 * range's column where the table has the index), or from the finer counter and the table, all
 * in one statement: one snapshot, exact.
 */
export function counterCount(
  db: DataSource | EntityManager,
  counter: RowCounter,
  filter: object,
): (() => Promise<number>) | undefined {
  const values: unknown[] = [];
  const param = (value: unknown) => `$${values.push(value)}`;
  const equal: Equalities = { values: [], rows: [] };
  const { range } = counter;
  const bounds: { min?: string; max?: string } = {};
  for (const [property, value] of Object.entries(filter)) {
    if (!value) continue;
    if (range && (property === range.min || property === range.max)) {
      if (typeof value !== "string" || !DECIMAL.test(value)) return undefined;
      bounds[property === range.min ? "min" : "max"] = param(value);
      continue;
    }
    if (!Object.hasOwn(counter.dimensions, property)) return undefined;
    const at = param(value);
    equal.values.push([property, at]);
    equal.rows.push(`${dimensionValue(counter.dimensions[property], "r")} = ${at}`);
  }
  // One statement, so one snapshot: a roll-up committing meanwhile is seen whole or not at all,
  // and a row committed meanwhile is in both the table and the deltas, or in neither.
  if (!range || !(bounds.min || bounds.max)) {
    return lazyCount(db, `SELECT ${counted(counter, equal, [])}::bigint AS total`, values);
  }
  const sql = `SELECT (${rangeParts({ ...counter, range }, bounds, equal).join(" + ")})::bigint AS total
    FROM ${boundBuckets({ ...counter, range }, bounds)}`;
  return lazyCount(db, sql, values);
}

/** A count's equality filters: each property with its parameter, and their conditions on a row `r` of the table. */
interface Equalities {
  values: Array<[property: string, param: string]>;
  rows: string[];
}

/** The SQL sum of `counter`'s totals and deltas under the equalities and `where` (on its own columns). */
function counted(counter: RowCounter, equal: Equalities, where: ReadonlyArray<string | undefined | false>) {
  const columns = Object.values(counter.dimensions)
    .map((dimension) => dimension.column)
    .join(", ");
  const conditions = [
    ...equal.values.map(([property, at]) => `${counter.dimensions[property].column} = ${at}`),
    ...where.filter(Boolean),
  ];
  return `coalesce((SELECT sum(n) FROM (
      ${countedRows(counter, columns)}) counted
      ${conditions.length ? `WHERE ${conditions.join(" AND ")}` : ""}), 0)`;
}

/**
 * The statement's row `b`: the bounds, their buckets (`low`, `high`) and bound-level buckets
 * (`lo`, `hi`: the finer counter's, or the same), the bound-level buckets that begin the lower
 * bound's bucket's successor (`lo_end`) and the upper bound's bucket (`hi_start`), and whether
 * each bound's bound-level bucket is counted as its total minus its rows out of range (`lo_rest`,
 * `hi_rest`: when the bound leaves that side of the bucket's middle smaller, and the other bound
 * is not in it). Computed once (`OFFSET 0` keeps the planner from copying the expressions into
 * every place that reads them).
 */
function boundBuckets(counter: RangeCounter, bounds: { min?: string; max?: string }): string {
  const { range } = counter;
  const coarse = range.buckets;
  const fine = (range.finer ?? counter).range.buckets;
  const given = (bound: string | undefined) => (bound ? `${bound}::${range.type}` : `NULL::${range.type}`);
  const apart = bounds.min && bounds.max ? "k.hi > k.lo AND " : "";
  // Only the columns of the bounds set: every expression is planned, with each request.
  const [buckets, derived] = [[] as string[], [] as string[]];
  if (bounds.min) {
    buckets.push(`${coarse.of("min")} AS low`, `${fine.of("min")} AS lo`);
    derived.push(
      `${fine.of(coarse.upper("k.low"))} AS lo_end`,
      `${apart}k.min < ${fine.middle("k.lo")} AS lo_rest`,
    );
  }
  if (bounds.max) {
    buckets.push(`${coarse.of("max")} AS high`, `${fine.of("max")} AS hi`);
    derived.push(
      `${fine.of(coarse.lower("k.high"))} AS hi_start`,
      `${apart}k.max >= ${fine.middle("k.hi")} AS hi_rest`,
    );
  }
  return `(SELECT k.*, ${derived.join(", ")}
       FROM (SELECT min, max, ${buckets.join(", ")}
               FROM (SELECT ${given(bounds.min)} AS min, ${given(bounds.max)} AS max) given OFFSET 0) k OFFSET 0) b`;
}

/**
 * The terms of a range's count, read from the statement's row `b` ({@link boundBuckets}): the
 * counter's buckets strictly between the bounds' buckets; the bound-level buckets (the finer
 * counter's, or the counter's own) of the bounds' buckets wholly in range, with the bounds'
 * own bound-level buckets where `b` counts them as a total minus the rest; and for each bound
 * the rows of its bound-level bucket in range, or minus its rows out of range, from the table
 * (a `CASE` runs only the subquery of the branch it takes). All the bound-level buckets are
 * summed in one read of that counter: two ranges of its buckets, which overlap (their `OR`
 * counts each once) when both bounds are in one bucket of the counter.
 */
function rangeParts(
  counter: RangeCounter,
  bounds: { min?: string; max?: string },
  equal: Equalities,
): string[] {
  const { range } = counter;
  const bound = range.finer ?? counter;
  const fine = bound.range.buckets;
  const dimension = counter.dimensions[range.bucket];
  const value = `r.${dimension.source ?? dimension.column}`;
  const [min, max] = [bounds.min && "b.min", bounds.max && "b.max"];
  const rows = (where: Array<string | undefined | false>) =>
    `(SELECT count(*) FROM ${counter.table} r WHERE ${[...equal.rows, ...where.filter(Boolean)].join(" AND ")})`;
  const coarse = dimension.column;
  const parts = [counted(counter, equal, [min && `${coarse} > b.low`, max && `${coarse} < b.high`])];
  // The first and last bound-level buckets counted from the bound-level counter.
  const from = "b.lo + (NOT b.lo_rest)::int";
  const to = "b.hi - (NOT b.hi_rest)::int";
  const bucket = bound.dimensions[bound.range.bucket].column;
  // Each an index range of its own (a condition common to both would make the planner scan the
  // range between them and filter it).
  const lower = `${bucket} BETWEEN ${from} AND ${max ? `least(b.lo_end - 1, ${to})` : "b.lo_end - 1"}`;
  const upper = `${bucket} BETWEEN ${min ? `greatest(b.hi_start, ${from})` : "b.hi_start"} AND ${to}`;
  parts.push(counted(bound, equal, [min && max ? `((${lower}) OR (${upper}))` : min ? lower : upper]));
  if (min) {
    const rest = rows([`${value} >= ${fine.lower("b.lo")}`, `${value} < ${min}`]);
    const direct = rows([
      `${value} >= ${min}`,
      max && `${value} <= ${max}`,
      `${value} < ${fine.upper("b.lo")}`,
    ]);
    parts.push(`(CASE WHEN b.lo_rest THEN -${rest} ELSE ${direct} END)`);
  }
  if (max) {
    const rest = rows([`${value} > ${max}`, `${value} < ${fine.upper("b.hi")}`]);
    // Both bounds in one bound-level bucket: the lower bound's direct count holds every row in range.
    const direct = rows([`${value} >= ${fine.lower("b.hi")}`, `${value} <= ${max}`]);
    parts.push(
      `(CASE WHEN b.hi_rest THEN -${rest} WHEN ${min ? "b.hi > b.lo" : "true"} THEN ${direct} ELSE 0 END)`,
    );
  }
  return parts;
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
       ${countedRows(counter, column)}) counted
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
