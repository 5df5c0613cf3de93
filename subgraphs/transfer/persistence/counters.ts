import { LEADING_DIGITS, LEADING_TWO_DIGITS, type RowCounter } from "../../../common/db/row-counter";

/**
 * Transfers per status, kind and bucket of the amount (its two leading significant digits and
 * power of ten): the equality filters of `transfers` (decision 0043) and, with the amount index,
 * its `minAmount`/`maxAmount` range (decisions 0046, 0051).
 */
export const TRANSFER_COUNTER: RowCounter = {
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
 * The counter migration 1732370000000 made (status x kind x the amount's leading digit and power
 * of ten), which 1732380000000 replaces with {@link TRANSFER_COUNTER}: kept as it was, so those
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
