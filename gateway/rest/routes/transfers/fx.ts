/**
 * TransferOrchestrator foreign-exchange routes (paths proposed in DESIGN.md section 7): a quote
 * for exchanging between two accounts of one client, the exchange at that quote, and reading
 * FX transfers.
 */
import type { GraphQLSchema } from "graphql";
import { jsonSchemaOfFragment, type JsonSchema } from "../../json-schema";
import type { RestRoute } from "../../route";
import { dto, idempotencyKeyHeader } from "../shared";
import { listRoute, readRoute, TAG, TRANSFER_DTO_FRAGMENT, TRANSFER_DTO_REF, transferDto } from "./kit";

const FX_QUOTE_DTO_FRAGMENT = `
fragment FxQuoteDto on FxQuote {
  id sourceAccountId targetAccountId sourceAmount sourceCurrency targetAmount targetCurrency midRate rate
  spreadBps expiresAt
}`;
const FX_QUOTE_DTO_REF = { $ref: "#/components/schemas/FxQuoteDto" };

export function fxComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return { FxQuoteDto: jsonSchemaOfFragment(schema, FX_QUOTE_DTO_FRAGMENT) };
}

export const fxTransferRoutes: RestRoute[] = [
  {
    method: "post",
    path: "/Transfers/foreign-exchange/quotes",
    summary:
      "Quote a rate for exchanging between two accounts of one client in different currencies; body `{sourceAccountId, targetAccountId, amount}` (the source amount). The quote is good until `expiresAt` and buys one transfer. (Not in the documentation: proposed.)",
    tag: TAG,
    auth: "any",
    input: {
      body: { sourceAccountId: "sourceAccountId", targetAccountId: "targetAccountId", amount: "amount" },
    },
    operation: `mutation FxQuote($sourceAccountId: ID!, $targetAccountId: ID!, $amount: String!) {
      fxQuote(sourceAccountId: $sourceAccountId, targetAccountId: $targetAccountId, amount: $amount) {
        ...FxQuoteDto
      }
    } ${FX_QUOTE_DTO_FRAGMENT}`,
    result: (data, schema) => dto(data.fxQuote, schema, "FxQuote"),
    resultSchema: () => FX_QUOTE_DTO_REF,
  },
  {
    method: "post",
    path: "/Transfers/foreign-exchange",
    summary:
      "Exchange at a quote, all or nothing; body `{quoteId}` (from `POST /Transfers/foreign-exchange/quotes`). 410 QUOTE_EXPIRED after its `expiresAt`; 409 QUOTE_ALREADY_USED for a second transfer",
    tag: TAG,
    auth: "any",
    input: { headers: idempotencyKeyHeader("transfer"), body: { quoteId: "quoteId" } },
    operation: `mutation CreateFxTransfer($quoteId: ID!, $idempotencyKey: String!) {
      createFxTransfer(quoteId: $quoteId, idempotencyKey: $idempotencyKey) { ...TransferDto }
    } ${TRANSFER_DTO_FRAGMENT}`,
    result: transferDto("createFxTransfer"),
    resultSchema: () => TRANSFER_DTO_REF,
  },
  readRoute({
    path: "/Transfers/foreign-exchange/{transferId}",
    summary: "Fetch a foreign-exchange transfer with its rate (a front-office token: its own)",
    auth: "any",
    kind: "foreign-exchange",
    name: "FxTransfer",
  }),
  listRoute({
    path: "/internal/Transfers/foreign-exchange",
    summary: "Fetch foreign-exchange transfers based on the specified filters",
    auth: "system",
    kind: "foreign-exchange",
    name: "InternalFxTransfers",
  }),
  readRoute({
    path: "/internal/Transfers/foreign-exchange/{transferId}",
    summary: "Fetch any foreign-exchange transfer",
    auth: "system",
    kind: "foreign-exchange",
    name: "InternalFxTransfer",
  }),
];
