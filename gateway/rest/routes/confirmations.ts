/**
 * TransferOrchestrator - Confirmations routes (paths proposed in DESIGN.md section 7): the
 * one-time code that confirms an outgoing transfer, as a resource of its own. A new code is sent
 * to the client (never answered here); verifying it does what `PUT /Transfers/outgoing/{id}/confirm`
 * does. Any authenticated caller; the subgraph limits a front-office token to its own transfers.
 */
import type { RestRoute } from "../route";
import { dtoOf, fragmentDto } from "./shared";
import { transferActionRoute } from "./transfers/kit";

const CONFIRMATION_DTO_FRAGMENT = `
fragment ConfirmationDto on Confirmation { id transferId status attemptsLeft expiresAt createdAt }`;
const CONFIRMATION_DTO = fragmentDto(CONFIRMATION_DTO_FRAGMENT);
const TAG = "TransferOrchestrator - Confirmations";

export const confirmationComponentSchemas = CONFIRMATION_DTO.component;

export const confirmationRoutes: RestRoute[] = [
  {
    method: "post",
    path: "/Confirmations",
    summary:
      "Send a new one-time code for an outgoing transfer waiting for confirmation; body `{transferId}`. The earlier code stops working; answers the new confirmation (never its code)",
    tag: TAG,
    auth: "any",
    input: { body: { transferId: "transferId" } },
    operation: `mutation SendConfirmationCode($transferId: ID!) {
      resendConfirmationCode(id: $transferId) { ...ConfirmationDto }
    } ${CONFIRMATION_DTO_FRAGMENT}`,
    result: dtoOf("resendConfirmationCode", CONFIRMATION_DTO),
    resultSchema: () => CONFIRMATION_DTO.ref,
  },
  transferActionRoute({
    method: "post",
    path: "/Confirmations/{confirmationId}/verify",
    summary:
      "Confirm the transfer with the code, body `{code}`, and hold its funds; answers the transfer (`processing`). Errors as `PUT /Transfers/outgoing/{transferId}/confirm`; 404 CONFIRMATION_NOT_FOUND once the code is used or replaced",
    auth: "any",
    tag: TAG,
    mutation: "verifyConfirmation",
    param: "confirmationId",
    body: { code: "String!" },
  }),
];
