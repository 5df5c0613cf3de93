import type { RowCounter } from "../../../common/db/row-counter";

/** Clients per status, type and risk level, the equality filters of `clients` (decision 0043). */
export const CLIENT_COUNTER: RowCounter = {
  table: "client.client",
  totals: "client.client_count",
  dimensions: {
    status: { column: "status", type: "text" },
    type: { column: "type", type: "text" },
    riskLevel: { column: "risk_level", type: "text" },
  },
};
