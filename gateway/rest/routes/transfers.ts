/**
 * TransferOrchestrator transfer routes (paths proposed in DESIGN.md section 7), as far as the
 * transfer subgraph serves them: listing and reading transfers. Front-office paths are open to
 * any caller (the subgraph limits a customer to its own); `/internal` paths are for system callers.
 */
import type { GraphQLSchema } from "graphql";
import { queryInt } from "../convert";
import { jsonSchemaOfFragment, type JsonSchema } from "../json-schema";
import type { RestRoute } from "../route";
import { dtoOrNotFound, PAGE_QUERY, page, pageSchema } from "./shared";

const TRANSFER_DTO_FRAGMENT = `
fragment TransferDto on Transfer {
  id kind status clientId accountId counterAccountId amount currency reference paymentId failureCode
  idempotencyKey createdAt updatedAt statusHistory { sequence from to reason changedBy changedAt }
}`;
const TRANSFER_DTO_REF = { $ref: "#/components/schemas/TransferDto" };
const TAG = "TransferOrchestrator - Transfers";

export function transferComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return { TransferDto: jsonSchemaOfFragment(schema, TRANSFER_DTO_FRAGMENT) };
}

const LIST_OPERATION = (
  name: string,
) => `query ${name}($filter: TransferFilterInput, $first: Int, $after: String) {
  transfers(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...TransferDto }
  }
} ${TRANSFER_DTO_FRAGMENT}`;

function listRoute(route: {
  path: string;
  summary: string;
  auth: RestRoute["auth"];
  kind?: string;
  name: string;
}): RestRoute {
  return {
    method: "get",
    path: route.path,
    summary: route.summary,
    tag: TAG,
    auth: route.auth,
    style: route.path.startsWith("/internal/") ? "envelope" : "plain",
    query: {
      ...(route.kind ? {} : { kind: { description: "internal", graphqlType: "TransferKind" } }),
      status: { description: "created, completed or failed", graphqlType: "TransferStatus" },
      clientId: { description: "The client", graphqlType: "ID", uuid: true },
      accountId: { description: "Debited or credited account", graphqlType: "ID", uuid: true },
      ...PAGE_QUERY,
    },
    flattenedVariables: ["filter"],
    operation: LIST_OPERATION(route.name),
    variables: ({ query }) => ({
      filter: {
        kind: route.kind ?? query.kind,
        status: query.status,
        clientId: query.clientId,
        accountId: query.accountId,
      },
      first: queryInt(query.first),
      after: query.after,
    }),
    result: page("transfers", "Transfer"),
    resultSchema: (schema) => pageSchema(schema, TRANSFER_DTO_REF),
    errorStatuses: [400, 401, 403],
  };
}

export const transferRoutes: RestRoute[] = [
  listRoute({
    path: "/Transfers",
    summary: "Fetch transfers based on the specified filters (a front-office token: its own)",
    auth: "any",
    name: "Transfers",
  }),
  {
    method: "get",
    path: "/Transfers/{transferId}",
    summary: "Fetch transfer details by the specified transfer identifier",
    tag: TAG,
    auth: "any",
    style: "plain",
    uuidParams: ["transferId"],
    operation: `query Transfer($id: ID!) { transfer(id: $id) { ...TransferDto } } ${TRANSFER_DTO_FRAGMENT}`,
    variables: ({ params }) => ({ id: params.transferId }),
    result: dtoOrNotFound("transfer", "Transfer"),
    resultSchema: () => TRANSFER_DTO_REF,
    errorStatuses: [400, 401, 403, 404],
    notFoundCode: "TRANSFER_NOT_FOUND",
  },
  listRoute({
    path: "/internal/Transfers/internal",
    summary: "Fetch internal transfers based on the specified filters",
    auth: "system",
    kind: "internal",
    name: "InternalTransfers",
  }),
];
