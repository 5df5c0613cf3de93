import type { RowCounter } from "../../../common/db/row-counter";

/**
 * Accounts per kind, currency and status (decision 0043): `accounts` lists those of kind
 * `CLIENT`, filtered by currency and status.
 */
export const ACCOUNT_COUNTER: RowCounter = {
  table: "ledger.account",
  totals: "ledger.account_count",
  dimensions: {
    kind: { column: "kind", type: "text" },
    currency: { column: "currency", type: "char(3)" },
    status: { column: "status", type: "text" },
  },
};
