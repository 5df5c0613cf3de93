/**
 * TransferOrchestrator outgoing transfer routes (paths proposed in DESIGN.md section 7): sending
 * money to one of the client's recipients, its one-time code, cancelling it, and the operators'
 * view and continuation.
 */
import type { RestRoute } from "../../route";
import { dtoOf, idempotencyKeyHeader } from "../shared";
import { transferActionRoute, kindListRoute, kindReadRoute, TAG, TRANSFER_DTO } from "./kit";

export const outgoingTransferRoutes: RestRoute[] = [
  {
    method: "post",
    path: "/Transfers/outgoing",
    summary:
      "Send money to one of the client's recipients; body `{accountId, recipientId, amount, reference}`. Answers the transfer `pendingConfirmation`; a one-time code goes to the client (never in an answer) and confirms it (`PUT /Transfers/outgoing/{transferId}/confirm`). Nothing is held until then.",
    tag: TAG,
    auth: "any",
    input: { headers: idempotencyKeyHeader("transfer"), body: "input" },
    operation: `mutation CreateOutgoingTransfer($input: OutgoingTransferInput!, $idempotencyKey: String!) {
      createOutgoingTransfer(input: $input, idempotencyKey: $idempotencyKey) { ...TransferDto }
    } ${TRANSFER_DTO.fragment}`,
    result: dtoOf("createOutgoingTransfer", TRANSFER_DTO),
    resultSchema: () => TRANSFER_DTO.ref,
  },
  kindReadRoute({
    path: "/Transfers/outgoing/{transferId}",
    summary: "Fetch an outgoing transfer (a front-office token: its own)",
    auth: "any",
    kind: "outgoing",
    name: "OutgoingTransfer",
  }),
  transferActionRoute({
    method: "put",
    path: "/Transfers/outgoing/{transferId}/confirm",
    summary:
      "Confirm an outgoing transfer with the one-time code, body `{code}`, and hold the funds (`processing`). A wrong code is 400 CONFIRMATION_CODE_INVALID with `attemptsLeft`; then 423 CONFIRMATION_LOCKED; an old code 410 CONFIRMATION_EXPIRED",
    auth: "any",
    mutation: "confirmTransfer",
    body: { code: "String!" },
  }),
  transferActionRoute({
    method: "put",
    path: "/Transfers/outgoing/{transferId}/cancel",
    summary:
      "Cancel an outgoing transfer the rail does not have yet (`pendingConfirmation` or `processing`); any hold is released",
    auth: "any",
    mutation: "cancelTransfer",
  }),
  kindListRoute({
    path: "/internal/Transfers/outgoing",
    summary: "Fetch outgoing transfers based on the specified filters",
    auth: "system",
    kind: "outgoing",
    name: "InternalOutgoingTransfers",
  }),
  kindReadRoute({
    path: "/internal/Transfers/outgoing/{transferId}",
    summary: "Fetch any outgoing transfer, with `lastError` when a step is being retried",
    auth: "system",
    kind: "outgoing",
    name: "InternalOutgoingTransfer",
  }),
  transferActionRoute({
    method: "post",
    path: "/internal/Transfers/outgoing/{transferId}/continue",
    summary:
      "Resume a transfer stopped in an intermediate state until it finishes or waits (safe to call twice). Like the mutation, it continues a transfer of any kind.",
    auth: "system",
    mutation: "continueTransfer",
  }),
];
