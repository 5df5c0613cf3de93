/**
 * TransferOrchestrator foreign-exchange routes (paths proposed in DESIGN.md section 7): a quote
 * for exchanging between two accounts of one client, the exchange at that quote, and reading
 * FX transfers.
 */
import type { RestRoute } from "../../route";
import { dtoOf, fragmentDto, idempotencyKeyHeader } from "../shared";
import { kindListRoute, kindReadRoute, TAG, TRANSFER_DTO } from "./kit";

const FX_QUOTE_DTO_FRAGMENT = `
fragment FxQuoteDto on FxQuote {
  id sourceAccountId targetAccountId sourceAmount sourceCurrency targetAmount targetCurrency midRate rate
  spreadBps expiresAt
}`;
const FX_QUOTE_DTO = fragmentDto(FX_QUOTE_DTO_FRAGMENT);

export const fxComponentSchemas = FX_QUOTE_DTO.component;

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
    result: dtoOf("fxQuote", FX_QUOTE_DTO),
    resultSchema: () => FX_QUOTE_DTO.ref,
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
    } ${TRANSFER_DTO.fragment}`,
    result: dtoOf("createFxTransfer", TRANSFER_DTO),
    resultSchema: () => TRANSFER_DTO.ref,
  },
  kindReadRoute({
    path: "/Transfers/foreign-exchange/{transferId}",
    summary: "Fetch a foreign-exchange transfer with its rate (a front-office token: its own)",
    auth: "any",
    kind: "foreign-exchange",
    name: "FxTransfer",
  }),
  kindListRoute({
    path: "/internal/Transfers/foreign-exchange",
    summary: "Fetch foreign-exchange transfers based on the specified filters",
    auth: "system",
    kind: "foreign-exchange",
    name: "InternalFxTransfers",
  }),
  kindReadRoute({
    path: "/internal/Transfers/foreign-exchange/{transferId}",
    summary: "Fetch any foreign-exchange transfer",
    auth: "system",
    kind: "foreign-exchange",
    name: "InternalFxTransfer",
  }),
];
