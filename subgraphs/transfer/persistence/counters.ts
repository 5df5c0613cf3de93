import {
  LEADING_DIGITS,
  LEADING_THREE_DIGITS,
  LEADING_TWO_DIGITS,
  type RangeCounter,
  type RowCounter,
} from "../../../common/db/row-counter";

/**
 * Transfers per status, kind and bucket of the amount (its two leading significant digits and
 * power of ten), as migration 1732380000000 made it (decision 0051): answering the `minAmount` /
 * `maxAmount` range alone, a bound's whole bucket counted from the table.
 */
export const TWO_DIGIT_COUNTER: RangeCounter = {
  table: "transfer.transfer",
  totals: "transfer.transfer_amount2_count",
  dimensions: {
    status: { column: "status", type: "text" },
    kind: { column: "kind", type: "text" },
    amountBucket: { column: "amount_bucket", type: "integer", source: "amount", of: LEADING_TWO_DIGITS.of },
  },
  range: {
    min: "minAmount",
    max: "maxAmount",
    bucket: "amountBucket",
    type: "numeric",
    buckets: LEADING_TWO_DIGITS,
  },
};

/**
 * Transfers per status, kind and three leading significant digits of the amount (migration
 * 1732410000000, decision 0058): the finer level of {@link TRANSFER_COUNTER}'s bound buckets.
 */
export const THREE_DIGIT_COUNTER: RangeCounter = {
  ...TWO_DIGIT_COUNTER,
  totals: "transfer.transfer_amount3_count",
  dimensions: {
    ...TWO_DIGIT_COUNTER.dimensions,
    amountBucket: { ...TWO_DIGIT_COUNTER.dimensions.amountBucket, of: LEADING_THREE_DIGITS.of },
  },
  range: { ...TWO_DIGIT_COUNTER.range, buckets: LEADING_THREE_DIGITS },
};

/**
 * The counts of `transfers` (decision 0043) and its `minAmount`/`maxAmount` range (decisions
 * 0046, 0051, 0058): {@link TWO_DIGIT_COUNTER}'s buckets between the bounds', and in each bound's
 * bucket {@link THREE_DIGIT_COUNTER}'s buckets in range plus the rows of the bound's own from the
 * amount index. Both are rolled up.
 */
export const TRANSFER_COUNTER: RangeCounter = {
  ...TWO_DIGIT_COUNTER,
  range: { ...TWO_DIGIT_COUNTER.range, finer: THREE_DIGIT_COUNTER },
};

/** The transfer subgraph's counters, each rolled up. */
export const TRANSFER_COUNTERS: readonly RowCounter[] = [TWO_DIGIT_COUNTER, THREE_DIGIT_COUNTER];

/**
 * The counter migration 1732370000000 made (status x kind x the amount's leading digit and power
 * of ten), which 1732380000000 replaces with {@link TWO_DIGIT_COUNTER}: kept as it was, so those
 * migrations stay what they were.
 */
export const LEADING_DIGIT_COUNTER: RowCounter = {
  table: "transfer.transfer",
  totals: "transfer.transfer_amount_count",
  dimensions: {
    status: { column: "status", type: "text" },
    kind: { column: "kind", type: "text" },
    amountBucket: { column: "amount_bucket", type: "smallint", source: "amount", of: LEADING_DIGITS.of },
  },
  range: {
    min: "minAmount",
    max: "maxAmount",
    bucket: "amountBucket",
    type: "numeric",
    buckets: LEADING_DIGITS,
  },
};

/**
 * The counter migration 1732360000000 made (status x kind), which 1732370000000 replaces with
 * {@link LEADING_DIGIT_COUNTER}: kept as it was, so those migrations stay what they were.
 */
export const STATUS_KIND_COUNTER: RowCounter = {
  table: "transfer.transfer",
  totals: "transfer.transfer_count",
  dimensions: { status: { column: "status", type: "text" }, kind: { column: "kind", type: "text" } },
};
