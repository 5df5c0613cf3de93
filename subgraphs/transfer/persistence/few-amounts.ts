/**
 * The page of an amount range that holds few transfers (decision 0055). A keyset page is ordered
 * by `(created_at, id)`, and PostgreSQL serves it by walking `transfer_created_amount_idx` and
 * checking each entry's amount until it has the page: about `21 N / m` entries for a range of `m`
 * transfers among `N`, 48,000 for the 556 at or above 100,000.00 among 1,000,000, and it keeps that
 * plan even with an exact estimate (decision 0051). When the range holds few transfers, reading
 * them all through the amount index and sorting them is cheaper: the page then gets one more
 * condition, the ids of its first rows picked that way.
 *
 * Whether a range holds few is read from an in-memory copy of the amount counter's buckets
 * ({@link AmountSpread}), refreshed in the background when an amount page finds it older than a
 * few seconds: no statement per page, and none at all while no amount page is asked for. The copy
 * only picks the plan; the page's rows are the same either way.
 */
import type { DataSource, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { countedRows, DECIMAL } from "../../../common/db/row-counter";
import { log } from "../../../common/log";
import { TRANSFER_COUNTER } from "./counters";

/**
 * At most this many transfers in the amount range's buckets (of any status and kind): the few
 * path reads them all through the amount index and sorts them. The index holds every column that
 * read needs (decision 0057): where the visibility map is set, an index-only read, about 0.3 us an
 * entry on this machine; for transfers changed since autovacuum last passed, a heap row each, about
 * 1.3-2.3 us warm (the rule below is reckoned for that worse case). A constant bounds that work
 * whatever the table's size.
 */
export const FEW_AMOUNTS = 1000;
/**
 * And the range's transfers times its matches at most this share of all transfers. The walk of the
 * order's index reads about `21 N / c` entries for `c` matches (the status and kind too) among
 * `N`, at about 0.03 us each, plus the amount's `21 a / c` heap rows; the few path `a` heap rows
 * for `a` transfers in the amount range. So the few path is cheaper when `a c` is below about
 * `21 N` times an entry's share of a heap row's cost (1/45-1/80 measured: 0.26-0.47); at 1,000,000
 * the measured crossing of an amount range alone was 550-800 matches (decision 0055). A status or a
 * kind lowers `c`, so the walk's cost rises and the few path takes larger ranges.
 */
export const FEW_SHARE = 0.5;
/** How old the copy of the counter may be before an amount page has it read again (in the background). */
export const SPREAD_MAX_AGE_MS = 5000;

/** Which path amount pages take: by the counter's copy, or always one of the two (tests, benches). */
export type FewAmountsChoice = "counted" | "always" | "never";

export interface FewAmountsOptions {
  choice: FewAmountsChoice;
  threshold: number;
  maxAgeMs: number;
}

/** What a list's filter may hold for the few path: an amount range, a status and a kind. */
export interface AmountFilter {
  status?: string | null;
  kind?: string | null;
  minAmount?: string | null;
  maxAmount?: string | null;
}

const RANGE_PROPERTIES = new Set(["status", "kind", "minAmount", "maxAmount"]);

/**
 * `LEADING_TWO_DIGITS.of` (common/db/row-counter.ts) in JavaScript, for a decimal string: the
 * amount's two leading significant digits and power of ten, numbered from [1.0, 1.1) as 0, and -1
 * for everything below 1. The tests hold it to the SQL's.
 */
export function amountBucketOf(amount: string): number {
  if (!DECIMAL.test(amount)) throw new Error(`not a decimal: ${amount}`);
  if (amount.startsWith("-")) return -1;
  const [whole, fraction = ""] = amount.split(".");
  const integer = whole.replace(/^0+/, "");
  if (!integer) return -1;
  const tenths = integer + (fraction[0] ?? "0"); // the digits of trunc(amount * 10)
  return (tenths.length - 2) * 90 + Number(tenths.slice(0, 2)) - 10;
}

/** One status x kind's buckets, ascending, and the running sum of their transfers. */
interface SpreadGroup {
  status: string;
  kind: string;
  buckets: number[];
  /** `before[i]`: the transfers in `buckets[0 .. i - 1]`. */
  before: number[];
}

/** The first index of `sorted` whose value is at least `value`. */
function lowerIndex(sorted: readonly number[], value: number): number {
  let [low, high] = [0, sorted.length];
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The amount counter's transfers per status, kind and bucket of the amount (totals plus deltas),
 * as read at one moment: 4,614 numbers at 1,000,000 transfers of the bench.
 */
export class AmountSpread {
  private constructor(private readonly groups: readonly SpreadGroup[]) {}

  /** Reads the counter, one statement: a few thousand totals at 1,000,000 transfers. */
  static async read(db: DataSource): Promise<AmountSpread> {
    const { status, kind, amountBucket } = TRANSFER_COUNTER.dimensions;
    const columns = `${status.column}, ${kind.column}, ${amountBucket.column}`;
    const rows = (await db.query(
      `SELECT ${status.column} AS status, ${kind.column} AS kind, ${amountBucket.column} AS bucket,
              sum(n)::float8 AS n
         FROM (${countedRows(TRANSFER_COUNTER, columns)}) counted
        GROUP BY ${columns} HAVING sum(n) <> 0
        ORDER BY ${columns}`,
    )) as { status: string; kind: string; bucket: number; n: number }[];
    const groups = new Map<string, SpreadGroup>();
    for (const row of rows) {
      const key = `${row.status}\u0000${row.kind}`;
      let group = groups.get(key);
      if (!group) groups.set(key, (group = { status: row.status, kind: row.kind, buckets: [], before: [0] }));
      group.buckets.push(row.bucket);
      group.before.push(group.before[group.before.length - 1] + row.n);
    }
    return new AmountSpread([...groups.values()]);
  }

  /** Every transfer counted. */
  get total(): number {
    return this.groups.reduce((sum, group) => sum + group.before[group.before.length - 1], 0);
  }

  /**
   * At least the number of transfers whose amount is in `filter`'s range, of any status and kind
   * (`inRange`), and of those with its status and kind (`matching`): every transfer of each
   * bucket the range touches, from the lower bound's bucket to the upper bound's (an upper bound
   * counts its whole bucket: `250` counts [250, 260)).
   */
  atMost(filter: AmountFilter): { inRange: number; matching: number } {
    const low = filter.minAmount ? amountBucketOf(filter.minAmount) : -Infinity;
    const high = filter.maxAmount ? amountBucketOf(filter.maxAmount) : Infinity;
    const counted = { inRange: 0, matching: 0 };
    if (low > high) return counted;
    for (const group of this.groups) {
      const { buckets, before } = group;
      const n = before[lowerIndex(buckets, high + 1)] - before[lowerIndex(buckets, low)];
      counted.inRange += n;
      if (
        (!filter.status || group.status === filter.status) &&
        (!filter.kind || group.kind === filter.kind)
      ) {
        counted.matching += n;
      }
    }
    return counted;
  }
}

/**
 * Picks the path of an amount-range page and narrows the page to the few path's ids. One per
 * subgraph instance: it keeps the instance's copy of the counter.
 */
export class FewAmounts {
  private readonly options: FewAmountsOptions;
  private spread?: AmountSpread;
  private readAt = -Infinity;
  private reading?: Promise<void>;

  constructor(
    private readonly db: DataSource,
    options: Partial<FewAmountsOptions> = {},
  ) {
    this.options = { choice: "counted", threshold: FEW_AMOUNTS, maxAgeMs: SPREAD_MAX_AGE_MS, ...options };
  }

  /**
   * True when `filter`'s page should read its range through the amount index: a filter of an
   * amount range, with perhaps a status and a kind, and nothing else (a caller's client, an
   * account, dates or the history narrow by columns that index does not hold: their own indexes
   * serve them), whose range holds at most the threshold of transfers of any status and kind by
   * the copy of the counter (the few path reads all of those, whatever the status and kind), and
   * where those times the matches are at most {@link FEW_SHARE} of all transfers (the walk's cost
   * against the few path's: on a small table the walk is the cheaper even for few matches, and
   * those pages stay as they were). A missing or old copy is read again in the background; this
   * page uses the copy there is (none, or one older than twice the age limit: the usual path).
   */
  takesFewPath(filter: object): filter is AmountFilter {
    if (!isAmountRange(filter)) return false;
    if (this.options.choice !== "counted") return this.options.choice === "always";
    const age = performance.now() - this.readAt;
    if (age > this.options.maxAgeMs) void this.refresh();
    // A copy much older than that (an idle spell) is not trusted either: the range may have grown
    // past the threshold meanwhile, and every page until the read ends would read all of it.
    if (!this.spread || age > 2 * this.options.maxAgeMs) return false;
    const { inRange, matching } = this.spread.atMost(filter);
    return inRange <= this.options.threshold && inRange * matching <= FEW_SHARE * this.spread.total;
  }

  /** Reads the counter again unless a read is under way; a failed read keeps the old copy. */
  refresh(): Promise<void> {
    this.reading ??= AmountSpread.read(this.db)
      .then((spread) => {
        this.spread = spread;
        this.readAt = performance.now();
      })
      .catch((error: unknown) => {
        this.readAt = performance.now(); // not again at once: the next try after the same wait
        log.error({ err: error }, "reading the amount counter's buckets failed");
      })
      .finally(() => (this.reading = undefined));
    return this.reading;
  }

  /**
   * Adds the few path's condition to a page of `filter` (a query of transfers, alias `t`, ordered
   * by `(created_at, id)`, `size + 1` rows after `after`): its id is one of the first `size + 1`
   * transfers meeting the page's own conditions. The transfers in the amount range are read in a
   * subquery kept apart from everything else (`OFFSET 0`: neither the order nor the status, kind
   * or cursor reach it), so PostgreSQL can only read them through the amount index (which holds
   * every column the subquery reads: index-only where the visibility map allows, else a bitmap and
   * their heap rows), and not, say, AND that bitmap with the status index's 170,000 entries,
   * which its estimates prefer; status, kind and the cursor are then checked on those rows, which
   * are sorted by `(created_at, id)`; the page reads the first ones by their key. The page's
   * conditions all stay, so its rows are the same as without.
   */
  narrow<T extends ObjectLiteral>(
    query: SelectQueryBuilder<T>,
    filter: AmountFilter,
    size: number,
    after?: KeysetPosition,
  ): void {
    const range: string[] = [];
    const rest: string[] = [];
    const values: Record<string, unknown> = { fewLimit: size + 1 };
    const condition = (to: string[], sql: string, name: string, value: string | null | undefined) => {
      if (!value) return;
      to.push(sql);
      values[name] = value;
    };
    condition(range, "f.amount >= :fewMin::numeric", "fewMin", filter.minAmount);
    condition(range, "f.amount <= :fewMax::numeric", "fewMax", filter.maxAmount);
    condition(rest, "m.status = :fewStatus", "fewStatus", filter.status);
    condition(rest, "m.kind = :fewKind", "fewKind", filter.kind);
    if (after) {
      rest.push("(m.created_at, m.id) > (:fewAfterCreatedAt, :fewAfterId)");
      Object.assign(values, { fewAfterCreatedAt: after.createdAt, fewAfterId: after.id });
    }
    query.andWhere(
      `t.id = ANY (ARRAY(SELECT m.id FROM (
         SELECT f.id, f.created_at, f.status, f.kind FROM transfer.transfer f WHERE ${range.join(" AND ")} OFFSET 0) m
         ${rest.length ? `WHERE ${rest.join(" AND ")}` : ""} ORDER BY m.created_at, m.id LIMIT :fewLimit))`,
      values,
    );
  }
}

/** An amount range with perhaps a status and a kind, and nothing else set; bounds plain decimals. */
function isAmountRange(filter: object): filter is AmountFilter {
  const range = filter as AmountFilter;
  if (!range.minAmount && !range.maxAmount) return false;
  for (const bound of [range.minAmount, range.maxAmount]) {
    if (bound && (typeof bound !== "string" || !DECIMAL.test(bound))) return false;
  }
  // Any other property set, even to a falsy value, keeps the usual path (a condition on it may narrow).
  return Object.entries(filter).every(([property, value]) => value == null || RANGE_PROPERTIES.has(property));
}
