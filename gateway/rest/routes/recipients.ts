/**
 * TransferOrchestrator - FrontOffice Recipients routes (paths proposed in DESIGN.md section 7):
 * any authenticated caller; the transfer subgraph limits a front-office token to its own client.
 */
import type { RestRoute } from "../route";
import { dtoOf, fragmentDto, listRoute } from "./shared";

const RECIPIENT_DTO_FRAGMENT = `
fragment RecipientDto on Recipient {
  id clientId name iban bic currency country visible createdAt updatedAt
}`;
const RECIPIENT_DTO = fragmentDto(RECIPIENT_DTO_FRAGMENT);
const TAG = "TransferOrchestrator - Recipients";

export const recipientComponentSchemas = RECIPIENT_DTO.component;

export const recipientRoutes: RestRoute[] = [
  listRoute({
    path: "/Recipients",
    summary: "List visible recipients in the order they were added (a front-office token: its own)",
    tag: TAG,
    auth: "any",
    name: "Recipients",
    field: "recipients",
    filter: {
      clientId: { type: "ID", description: "The owning client" },
      currency: { type: "String", description: "ISO 4217 code" },
      includeHidden: { type: "Boolean", description: "Also hidden recipients (true/false)" },
    },
    items: RECIPIENT_DTO,
  }),
  {
    method: "post",
    path: "/Recipients",
    summary:
      "Add a recipient; body `{clientId, name, iban, bic, currency}` (a front-office token: its own client)",
    tag: TAG,
    auth: "any",
    input: { body: "input" },
    operation: `mutation AddRecipient($input: AddRecipientInput!) { addRecipient(input: $input) { ...RecipientDto } }
      ${RECIPIENT_DTO_FRAGMENT}`,
    result: dtoOf("addRecipient", RECIPIENT_DTO),
    resultSchema: () => RECIPIENT_DTO.ref,
  },
  {
    method: "get",
    path: "/Recipients/{recipientId}",
    summary: "A recipient by id",
    tag: TAG,
    auth: "any",
    input: { params: { recipientId: "id" } },
    operation: `query Recipient($id: ID!) { recipient(id: $id) { ...RecipientDto } } ${RECIPIENT_DTO_FRAGMENT}`,
    result: dtoOf("recipient", RECIPIENT_DTO),
    resultSchema: () => RECIPIENT_DTO.ref,
    notFoundCode: "RECIPIENT_NOT_FOUND",
  },
  {
    method: "put",
    path: "/Recipients/{recipientId}/visibility",
    summary: "Hide or show a recipient; body `{visible}`",
    tag: TAG,
    auth: "any",
    input: { params: { recipientId: "id" }, body: { visible: "visible" } },
    operation: `mutation RecipientVisibility($id: ID!, $visible: Boolean!) {
      setRecipientVisibility(id: $id, visible: $visible) { ...RecipientDto }
    } ${RECIPIENT_DTO_FRAGMENT}`,
    result: dtoOf("setRecipientVisibility", RECIPIENT_DTO),
    resultSchema: () => RECIPIENT_DTO.ref,
  },
];
