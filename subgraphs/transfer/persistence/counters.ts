import type { RowCounter } from "../../../common/db/row-counter";

/** Transfers per status and kind, the equality filters of `transfers` (decision 0043). */
export const TRANSFER_COUNTER: RowCounter = {
  table: "transfer.transfer",
  totals: "transfer.transfer_count",
  dimensions: { status: { column: "status", type: "text" }, kind: { column: "kind", type: "text" } },
};
