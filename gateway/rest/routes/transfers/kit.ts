/**
 * What the TransferOrchestrator transfer routes share: the TransferDto, and the three shapes most
 * of them take (a list of a kind, one transfer of a kind, an action on one transfer). A path that
 * names a kind (`/Transfers/outgoing/{transferId}`) answers 404 TRANSFER_NOT_FOUND for a transfer
 * of another kind.
 */
import type { GraphQLSchema } from "graphql";
import { jsonSchemaOfFragment, type JsonSchema } from "../../json-schema";
import type { HttpMethod, RestRoute } from "../../route";
import { dto, PAGE_QUERY, page, pageOperation, pageSchema } from "../shared";

export const TRANSFER_DTO_FRAGMENT = `
fragment TransferDto on Transfer {
  id kind type status clientId accountId counterAccountId recipientId counterpartyName counterpartyIban
  accountNumber railReference amount currency reference paymentId failureCode lastError idempotencyKey
  createdAt updatedAt
  confirmation { id status attemptsLeft expiresAt }
  fx { sourceAmount sourceCurrency targetAmount targetCurrency rate quoteId }
  statusHistory { sequence from to reason changedBy changedAt }
}`;
export const TRANSFER_DTO_REF = { $ref: "#/components/schemas/TransferDto" };
export const TAG = "TransferOrchestrator - Transfers";

/** The path segment that names a kind -> its GraphQL `TransferKind`. */
const KINDS = {
  internal: "INTERNAL",
  outgoing: "OUTGOING",
  incoming: "INCOMING",
  "foreign-exchange": "FX",
} as const;
type KindSegment = keyof typeof KINDS;

/** The mutation's transfer as the TransferDto. */
export const transferDto = (mutation: string) => (data: Record<string, unknown>, schema: GraphQLSchema) =>
  dto(data[mutation], schema, "Transfer");

interface KindRoute {
  path: string;
  summary: string;
  auth: RestRoute["auth"];
  /** The kind the path names; none: any kind. */
  kind?: KindSegment;
  /** The operation's name (its OpenAPI operationId). */
  name: string;
}

/** `transfers` behind a path: all kinds (`kind` is then a query parameter), or the path's kind. */
export function listRoute(route: KindRoute): RestRoute {
  const { kind } = route;
  return {
    method: "get",
    path: route.path,
    summary: route.summary,
    tag: TAG,
    auth: route.auth,
    input: {
      query: {
        ...(kind ? {} : { kind: { variable: "kind", description: "internal, outgoing, incoming or fx" } }),
        status: {
          variable: "status",
          description: "A status of the kind's state table, e.g. pendingConfirmation, processing, completed",
        },
        clientId: { variable: "clientId", description: "The client" },
        accountId: { variable: "accountId", description: "Debited or credited account" },
        ...PAGE_QUERY,
      },
    },
    operation: pageOperation(
      route.name,
      "transfers",
      {
        ...(kind ? {} : { kind: "TransferKind" }),
        status: "TransferStatus",
        clientId: "ID",
        accountId: "ID",
      },
      TRANSFER_DTO_FRAGMENT,
      kind ? { kind: KINDS[kind] } : {},
    ),
    result: page("transfers", "Transfer"),
    resultSchema: (schema) => pageSchema(schema, TRANSFER_DTO_REF),
  };
}

/** `transfer(id)` behind a path; with a kind, a transfer of another kind is not found there. */
export function readRoute(route: KindRoute): RestRoute {
  return {
    method: "get",
    path: route.path,
    summary: route.summary,
    tag: TAG,
    auth: route.auth,
    input: { params: { transferId: "id" } },
    operation: `query ${route.name}($id: ID!) { transfer(id: $id) { ...TransferDto } } ${TRANSFER_DTO_FRAGMENT}`,
    result: (data, schema) => {
      const transfer = data.transfer as { kind: string } | null;
      if (!transfer || (route.kind && transfer.kind !== KINDS[route.kind])) return undefined;
      return dto(transfer, schema, "Transfer");
    },
    resultSchema: () => TRANSFER_DTO_REF,
    notFoundCode: "TRANSFER_NOT_FOUND",
  };
}

/**
 * A mutation of one transfer (or confirmation) named by the path parameter `param`, answering
 * the transfer. `body` declares the JSON body's fields with their GraphQL types, each passed as
 * the mutation's argument of the same name.
 */
export function actionRoute(route: {
  method: HttpMethod;
  path: string;
  summary: string;
  auth: RestRoute["auth"];
  mutation: string;
  param?: string;
  body?: Record<string, string>;
  tag?: string;
}): RestRoute {
  const param = route.param ?? "transferId";
  const body = Object.entries(route.body ?? {});
  const declared = body.map(([name, type]) => `, $${name}: ${type}`).join("");
  const passed = body.map(([name]) => `, ${name}: $${name}`).join("");
  return {
    method: route.method,
    path: route.path,
    summary: route.summary,
    tag: route.tag ?? TAG,
    auth: route.auth,
    input: {
      params: { [param]: "id" },
      ...(body.length ? { body: Object.fromEntries(body.map(([name]) => [name, name])) } : {}),
    },
    operation: `mutation ${route.mutation[0].toUpperCase()}${route.mutation.slice(1)}($id: ID!${declared}) {
      ${route.mutation}(id: $id${passed}) { ...TransferDto }
    } ${TRANSFER_DTO_FRAGMENT}`,
    result: transferDto(route.mutation),
    resultSchema: () => TRANSFER_DTO_REF,
  };
}

export function transferComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return { TransferDto: jsonSchemaOfFragment(schema, TRANSFER_DTO_FRAGMENT) };
}
