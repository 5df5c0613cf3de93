/**
 * TransferOrchestrator incoming transfer routes (paths proposed in DESIGN.md section 7): money
 * from another bank as the rail delivers it, and the operators' view and assignment of what
 * waits in suspense.
 */
import type { RestRoute } from "../../route";
import { dtoOf } from "../shared";
import { transferActionRoute, kindListRoute, kindReadRoute, TAG, TRANSFER_DTO } from "./kit";

export const incomingTransferRoutes: RestRoute[] = [
  kindReadRoute({
    path: "/Transfers/incoming/{transferId}",
    summary: "Fetch an incoming transfer (a front-office token: its own)",
    auth: "any",
    kind: "incoming",
    name: "IncomingTransfer",
  }),
  kindListRoute({
    path: "/internal/Transfers/incoming",
    summary:
      "Fetch incoming transfers based on the specified filters (`status=unrecognized`: those in suspense)",
    auth: "system",
    kind: "incoming",
    name: "InternalIncomingTransfers",
  }),
  kindReadRoute({
    path: "/internal/Transfers/incoming/{transferId}",
    summary: "Fetch any incoming transfer, recognised or not",
    auth: "system",
    kind: "incoming",
    name: "InternalIncomingTransfer",
  }),
  transferActionRoute({
    method: "put",
    path: "/internal/Transfers/incoming/{transferId}/assign",
    summary:
      "Credit an `unrecognized` incoming transfer, held in suspense, to a client account in its currency; body `{accountId}`",
    auth: "system",
    mutation: "assignIncomingTransfer",
    body: { accountId: "ID!" },
  }),
  {
    method: "post",
    path: "/internal/IncomingRequests",
    summary:
      "Money from another bank, as the rail delivers it; body `{externalId, accountNumber, amount, currency, senderName, senderIban, reference}`. The same `externalId` credits once (with other details: 409 INCOMING_ALREADY_RECEIVED); an account number that names no active account in the currency leaves it `unrecognized` in suspense",
    tag: TAG,
    auth: "system",
    input: { body: "input" },
    operation: `mutation ReceiveIncomingTransfer($input: IncomingTransferInput!) {
      receiveIncomingTransfer(input: $input) { ...TransferDto }
    } ${TRANSFER_DTO.fragment}`,
    result: dtoOf("receiveIncomingTransfer", TRANSFER_DTO),
    resultSchema: () => TRANSFER_DTO.ref,
  },
];
