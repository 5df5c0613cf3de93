/**
 * TransferOrchestrator - FrontOffice Recipients routes (paths proposed in DESIGN.md section 7):
 * any authenticated caller; the transfer subgraph limits a front-office token to its own client.
 */
import type { GraphQLSchema } from "graphql";
import { jsonSchemaOfFragment, type JsonSchema } from "../json-schema";
import type { RestRoute } from "../route";
import { dto, dtoOrNotFound, PAGE_QUERY, page, pageOperation, pageSchema } from "./shared";

const RECIPIENT_DTO_FRAGMENT = `
fragment RecipientDto on Recipient {
  id clientId name iban bic currency country visible createdAt updatedAt
}`;
const RECIPIENT_DTO_REF = { $ref: "#/components/schemas/RecipientDto" };
const TAG = "TransferOrchestrator - Recipients";

export function recipientComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return { RecipientDto: jsonSchemaOfFragment(schema, RECIPIENT_DTO_FRAGMENT) };
}

export const recipientRoutes: RestRoute[] = [
  {
    method: "get",
    path: "/Recipients",
    summary: "List visible recipients in the order they were added (a front-office token: its own)",
    tag: TAG,
    auth: "any",
    input: {
      query: {
        clientId: { variable: "clientId", description: "The owning client" },
        currency: { variable: "currency", description: "ISO 4217 code" },
        includeHidden: { variable: "includeHidden", description: "Also hidden recipients (true/false)" },
        ...PAGE_QUERY,
      },
    },
    operation: pageOperation(
      "Recipients",
      "recipients",
      { clientId: "ID", currency: "String", includeHidden: "Boolean" },
      RECIPIENT_DTO_FRAGMENT,
    ),
    result: page("recipients", "Recipient"),
    resultSchema: (schema) => pageSchema(schema, RECIPIENT_DTO_REF),
  },
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
    result: (data, schema) => dto(data.addRecipient, schema, "Recipient"),
    resultSchema: () => RECIPIENT_DTO_REF,
  },
  {
    method: "get",
    path: "/Recipients/{recipientId}",
    summary: "A recipient by id",
    tag: TAG,
    auth: "any",
    input: { params: { recipientId: "id" } },
    operation: `query Recipient($id: ID!) { recipient(id: $id) { ...RecipientDto } } ${RECIPIENT_DTO_FRAGMENT}`,
    result: dtoOrNotFound("recipient", "Recipient"),
    resultSchema: () => RECIPIENT_DTO_REF,
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
    result: (data, schema) => dto(data.setRecipientVisibility, schema, "Recipient"),
    resultSchema: () => RECIPIENT_DTO_REF,
  },
];
