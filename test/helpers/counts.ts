/** Checks of the list counters (decision 0043) against `count(*)`. */
import type { DataSource, EntityManager } from "typeorm";
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

/**
 * The filters over `values` (every combination) whose counter count differs from `count(*)` of
 * the counted table's rows under the same equalities (and `fixed`, e.g. accounts' kind), read
 * through `db` (a transaction's manager sees its own writes). Empty when the counter is exact.
 */
export async function mismatches(
  db: DataSource | EntityManager,
  counter: RowCounter,
  values: Record<string, readonly string[]>,
  fixed: Record<string, string> = {},
): Promise<Array<{ filter: object; counted: number; actual: number }>> {
  const wrong = [];
  for (const combination of combinations(values)) {
    const filter = { ...combination, ...fixed };
    const count = counterCount(db, counter, filter);
    if (!count) throw new Error(`the counter does not take ${JSON.stringify(filter)}`);
    const set = Object.entries(filter).filter(([, value]) => value !== undefined);
    const where = set.map(([property], i) => `${counter.dimensions[property].column} = $${i + 1}`);
    const [{ actual }] = (await db.query(
      `SELECT count(*)::int AS actual FROM ${counter.table} ${where.length ? `WHERE ${where.join(" AND ")}` : ""}`,
      set.map(([, value]) => value),
    )) as { actual: number }[];
    const counted = await count();
    if (counted !== actual) wrong.push({ filter: combination, counted, actual });
  }
  return wrong;
}

/** How many deltas wait for the roll-up. */
export async function pendingDeltas(db: DataSource | EntityManager, counter: RowCounter): Promise<number> {
  const [{ n }] = (await db.query(`SELECT count(*)::int AS n FROM ${counter.totals}_delta`)) as {
    n: number;
  }[];
  return n;
}
