/**
 * TransferOrchestrator - FrontOffice Recipients routes (paths proposed in DESIGN.md section 7):
 * any authenticated caller; the transfer subgraph limits a front-office token to its own client.
 */
import type { GraphQLSchema } from "graphql";
import { queryBoolean, queryInt } from "../convert";
import { jsonSchemaOfFragment, type JsonSchema } from "../json-schema";
import type { RestRoute } from "../route";
import { dto, dtoOrNotFound, PAGE_QUERY, page, pageSchema, requireUuids, field } from "./shared";

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
    style: "plain",
    query: {
      clientId: { description: "The owning client", graphqlType: "ID", uuid: true },
      currency: { description: "ISO 4217 code", graphqlType: "String" },
      includeHidden: { description: "Also hidden recipients (true/false)", graphqlType: "Boolean" },
      ...PAGE_QUERY,
    },
    flattenedVariables: ["filter"],
    operation: `query Recipients($filter: RecipientFilterInput, $first: Int, $after: String) {
      recipients(filter: $filter, first: $first, after: $after) {
        totalCount pageInfo { hasNextPage endCursor } nodes { ...RecipientDto }
      }
    } ${RECIPIENT_DTO_FRAGMENT}`,
    variables: ({ query }) => ({
      filter: {
        clientId: query.clientId,
        currency: query.currency,
        includeHidden: queryBoolean(query.includeHidden),
      },
      first: queryInt(query.first),
      after: query.after,
    }),
    result: page("recipients", "Recipient"),
    resultSchema: (schema) => pageSchema(schema, RECIPIENT_DTO_REF),
    errorStatuses: [400, 401, 403],
  },
  {
    method: "post",
    path: "/Recipients",
    summary:
      "Add a recipient; body `{clientId, name, iban, bic, currency}` (a front-office token: its own client)",
    tag: TAG,
    auth: "any",
    style: "plain",
    bodyVariable: "input",
    operation: `mutation AddRecipient($input: AddRecipientInput!) { addRecipient(input: $input) { ...RecipientDto } }
      ${RECIPIENT_DTO_FRAGMENT}`,
    variables: ({ body }) => {
      requireUuids({ clientId: field(body, "clientId") });
      return { input: body };
    },
    result: (data, schema) => dto(data.addRecipient, schema, "Recipient"),
    resultSchema: () => RECIPIENT_DTO_REF,
    errorStatuses: [400, 401, 403, 409],
  },
  {
    method: "get",
    path: "/Recipients/{recipientId}",
    summary: "A recipient by id",
    tag: TAG,
    auth: "any",
    style: "plain",
    uuidParams: ["recipientId"],
    operation: `query Recipient($id: ID!) { recipient(id: $id) { ...RecipientDto } } ${RECIPIENT_DTO_FRAGMENT}`,
    variables: ({ params }) => ({ id: params.recipientId }),
    result: dtoOrNotFound("recipient", "Recipient"),
    resultSchema: () => RECIPIENT_DTO_REF,
    errorStatuses: [400, 401, 403, 404],
    notFoundCode: "RECIPIENT_NOT_FOUND",
  },
  {
    method: "put",
    path: "/Recipients/{recipientId}/visibility",
    summary: "Hide or show a recipient; body `{visible}`",
    tag: TAG,
    auth: "any",
    style: "plain",
    uuidParams: ["recipientId"],
    bodyFields: ["visible"],
    operation: `mutation RecipientVisibility($id: ID!, $visible: Boolean!) {
      setRecipientVisibility(id: $id, visible: $visible) { ...RecipientDto }
    } ${RECIPIENT_DTO_FRAGMENT}`,
    variables: ({ params }) => ({ id: params.recipientId }),
    result: (data, schema) => dto(data.setRecipientVisibility, schema, "Recipient"),
    resultSchema: () => RECIPIENT_DTO_REF,
    errorStatuses: [400, 401, 403, 404],
  },
];
