/** Checks of the list counters (decision 0043) against `count(*)`. */
import { DataSource, type EntityManager } from "typeorm";
import { counterCount, type RowCounter } from "../../common/db/row-counter";

/** Every combination of the dimensions' values, each also left out (`undefined`). */
export function combinations(
  values: Record<string, readonly string[]>,
): Record<string, string | undefined>[] {
  let result: Record<string, string | undefined>[] = [{}];
  for (const [property, options] of Object.entries(values)) {
    result = result.flatMap((filter) =>
      [undefined, ...options].map((value) => ({ ...filter, [property]: value })),
    );
  }
  return result;
}

/** Bounds of a counter's range (decision 0046): its filter properties, either or both set. */
export type RangeBounds = Record<string, string>;

/**
 * The filters over `values` (every combination, each with every one of `ranges`) whose counter
 * count differs from `count(*)` of the counted table's rows under the same equalities (and
 * `fixed`, e.g. accounts' kind) and range bounds, read through `db` (a transaction's manager
 * sees its own writes). Empty when the counter is exact. Through a data source, a few filters
 * are checked at once (each on a connection of its own).
 */
export async function mismatches(
  db: DataSource | EntityManager,
  counter: RowCounter,
  values: Record<string, readonly string[]>,
  fixed: Record<string, string> = {},
  ranges: readonly RangeBounds[] = [{}],
): Promise<Array<{ filter: object; counted: number; actual: number }>> {
  const filters = combinations(values).flatMap((combination) =>
    ranges.map((bounds) => ({ combination, bounds })),
  );
  const check = async ({ combination, bounds }: (typeof filters)[number]) => {
    const filter = { ...combination, ...fixed, ...bounds };
    const count = counterCount(db, counter, filter);
    if (!count) throw new Error(`the counter does not take ${JSON.stringify(filter)}`);
    const [where, params] = plainWhere(counter, { ...combination, ...fixed }, bounds);
    const [{ actual }] = (await db.query(
      `SELECT count(*)::int AS actual FROM ${counter.table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`,
      params,
    )) as { actual: number }[];
    const counted = await count();
    return counted === actual ? [] : [{ filter: { ...combination, ...bounds }, counted, actual }];
  };
  const atOnce = db instanceof DataSource ? 4 : 1;
  const wrong = [];
  for (let i = 0; i < filters.length; i += atOnce) {
    for (const found of await Promise.all(filters.slice(i, i + atOnce).map(check))) wrong.push(...found);
  }
  return wrong;
}

/** The conditions (and their values) of `count(*)` under `equal` and `bounds`, written plainly. */
function plainWhere(
  counter: RowCounter,
  equal: Record<string, string | undefined>,
  bounds: RangeBounds,
): [string[], unknown[]] {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const [property, value] of Object.entries(equal)) {
    if (value === undefined) continue;
    params.push(value);
    where.push(`${counter.dimensions[property].column} = $${params.length}`);
  }
  const range = counter.range;
  if (range) {
    const column = counter.dimensions[range.bucket].source;
    for (const [property, op] of [
      [range.min, ">="],
      [range.max, "<="],
    ] as const) {
      if (bounds[property] === undefined) continue;
      params.push(bounds[property]);
      where.push(`${column} ${op} $${params.length}::${range.type}`);
    }
  }
  return [where, params];
}

/** How many deltas wait for the roll-up. */
export async function pendingDeltas(db: DataSource | EntityManager, counter: RowCounter): Promise<number> {
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ${counter.totals}_delta`)) as {
    n: number;
  }[];
  return n;
}
