/**
 * TransferOrchestrator routes over transfers of any kind (paths proposed in DESIGN.md section 7):
 * listing and reading them, the way money to an account number would travel, internal transfers,
 * and the operators' next step. Front-office paths are open to any caller (the subgraph limits a
 * customer to its own); `/internal` paths are for system callers.
 */
import { toRestSpelling } from "../../../../common/enum-spelling";
import { jsonSchemaOfType } from "../../json-schema";
import type { RestRoute } from "../../route";
import { transferActionRoute, kindListRoute, kindReadRoute, TAG } from "./kit";

export const generalTransferRoutes: RestRoute[] = [
  kindListRoute({
    path: "/Transfers",
    summary: "Fetch transfers based on the specified filters (a front-office token: its own)",
    auth: "any",
    name: "Transfers",
  }),
  {
    // Before `/Transfers/{transferId}`, which would otherwise take this path.
    method: "get",
    path: "/Transfers/type",
    summary:
      "How money to an account number in a currency would travel: `internal` for a 12-digit account number of this bank, otherwise by the IBAN's country and the currency `sepa`, `fasterPayments` or `swift` (400 naming recipientAccountNumber for an invalid IBAN)",
    tag: TAG,
    auth: "any",
    input: {
      query: {
        recipientAccountNumber: {
          variable: "recipientAccountNumber",
          description: "A 12-digit account number of this bank or an IBAN (spaces and case are ignored)",
        },
        currency: { variable: "currency", description: "ISO 4217 code" },
      },
    },
    operation: `query TransferType($recipientAccountNumber: String!, $currency: String!) {
      transferType(recipientAccountNumber: $recipientAccountNumber, currency: $currency)
    }`,
    result: (data) => ({ type: toRestSpelling(data.transferType as string) }),
    resultSchema: (schema) => ({
      type: "object",
      properties: { type: jsonSchemaOfType(schema, "TransferType") },
    }),
  },
  kindReadRoute({
    path: "/Transfers/{transferId}",
    summary: "Fetch transfer details (any kind) by the specified transfer identifier",
    auth: "any",
    name: "Transfer",
  }),
  kindListRoute({
    path: "/internal/Transfers/internal",
    summary: "Fetch internal transfers based on the specified filters",
    auth: "system",
    kind: "internal",
    name: "InternalTransfers",
  }),
  transferActionRoute({
    method: "post",
    path: "/internal/Transfers/{transferId}/execute",
    summary:
      "Run a transfer's next step now, whatever its kind (409 TRANSFER_ALREADY_FINISHED when none is left, TRANSFER_INVALID_STATE while it waits for a code or an operator)",
    auth: "system",
    mutation: "executeTransfer",
  }),
];
