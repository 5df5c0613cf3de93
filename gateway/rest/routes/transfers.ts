/**
 * TransferOrchestrator transfer routes (paths proposed in DESIGN.md section 7): listing and
 * reading transfers of each kind, sending money to a recipient (outgoing), exchanging between
 * currencies (foreign-exchange), the rail's incoming requests and the operators' actions.
 * Front-office paths are open to any caller (the subgraph limits a customer to its own);
 * `/internal` paths are for system callers. A path that names a kind
 * (`/Transfers/outgoing/{transferId}`) answers 404 TRANSFER_NOT_FOUND for a transfer of another kind.
 */
import type { GraphQLSchema } from "graphql";
import { toRestSpelling } from "../../../common/enum-spelling";
import { queryInt } from "../convert";
import { jsonSchemaOfFragment, jsonSchemaOfType, type JsonSchema } from "../json-schema";
import type { HttpMethod, RestRoute } from "../route";
import { styleOf } from "../router";
import {
  dto,
  field,
  idempotencyKeyHeader,
  PAGE_QUERY,
  page,
  pageSchema,
  requireUuids,
  restFieldName,
} from "./shared";

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

const FX_QUOTE_DTO_FRAGMENT = `
fragment FxQuoteDto on FxQuote {
  id sourceAccountId targetAccountId sourceAmount sourceCurrency targetAmount targetCurrency midRate rate
  spreadBps expiresAt
}`;
const FX_QUOTE_DTO_REF = { $ref: "#/components/schemas/FxQuoteDto" };

const TAG = "TransferOrchestrator - Transfers";

export function transferComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return {
    TransferDto: jsonSchemaOfFragment(schema, TRANSFER_DTO_FRAGMENT),
    FxQuoteDto: jsonSchemaOfFragment(schema, FX_QUOTE_DTO_FRAGMENT),
  };
}

/** The path segment that names a kind -> its GraphQL `TransferKind`. */
const KINDS = {
  internal: "INTERNAL",
  outgoing: "OUTGOING",
  incoming: "INCOMING",
  "foreign-exchange": "FX",
} as const;
type KindSegment = keyof typeof KINDS;

/** Statuses other than 200 and 500 of a route that moves money through the ledger (503: ledger unreachable). */
const MOVES_MONEY = [400, 401, 403, 404, 409, 503];

const transferDto = (mutation: string) => (data: Record<string, unknown>, schema: GraphQLSchema) =>
  dto(data[mutation], schema, "Transfer");

const LIST_OPERATION = (
  name: string,
) => `query ${name}($filter: TransferFilterInput, $first: Int, $after: String) {
  transfers(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...TransferDto }
  }
} ${TRANSFER_DTO_FRAGMENT}`;

/** `transfers` behind a path: all kinds (`kind` is then a query parameter), or the path's kind. */
function listRoute(route: {
  path: string;
  summary: string;
  auth: RestRoute["auth"];
  kind?: KindSegment;
  name: string;
}): RestRoute {
  return {
    method: "get",
    path: route.path,
    summary: route.summary,
    tag: TAG,
    auth: route.auth,
    style: styleOf(route.path),
    query: {
      ...(route.kind
        ? {}
        : { kind: { description: "internal, outgoing, incoming or fx", graphqlType: "TransferKind" } }),
      status: {
        description: "A status of the kind's state table, e.g. pendingConfirmation, processing, completed",
        graphqlType: "TransferStatus",
      },
      clientId: { description: "The client", graphqlType: "ID", uuid: true },
      accountId: { description: "Debited or credited account", graphqlType: "ID", uuid: true },
      ...PAGE_QUERY,
    },
    flattenedVariables: ["filter"],
    operation: LIST_OPERATION(route.name),
    variables: ({ query }) => ({
      filter: {
        kind: route.kind ? KINDS[route.kind] : query.kind,
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

/** `transfer(id)` behind a path; with a kind, a transfer of another kind is not found there. */
function readRoute(route: {
  path: string;
  summary: string;
  auth: RestRoute["auth"];
  kind?: KindSegment;
  name: string;
}): RestRoute {
  return {
    method: "get",
    path: route.path,
    summary: route.summary,
    tag: TAG,
    auth: route.auth,
    style: styleOf(route.path),
    uuidParams: ["transferId"],
    operation: `query ${route.name}($id: ID!) { transfer(id: $id) { ...TransferDto } } ${TRANSFER_DTO_FRAGMENT}`,
    variables: ({ params }) => ({ id: params.transferId }),
    result: (data, schema) => {
      const transfer = data.transfer as { kind: string } | null;
      if (!transfer || (route.kind && transfer.kind !== KINDS[route.kind])) return undefined;
      return dto(transfer, schema, "Transfer");
    },
    resultSchema: () => TRANSFER_DTO_REF,
    errorStatuses: [400, 401, 403, 404],
    notFoundCode: "TRANSFER_NOT_FOUND",
  };
}

/**
 * A mutation of one transfer (or confirmation) named by the path parameter `param`, answering
 * the transfer. `body` declares the JSON body's fields with their GraphQL types, each passed as
 * the mutation's argument of the same name; ID fields must be UUIDs.
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
  errorStatuses: number[];
}): RestRoute {
  const param = route.param ?? "transferId";
  const body = Object.entries(route.body ?? {});
  const declared = body.map(([name, type]) => `, $${name}: ${type}`).join("");
  const passed = body.map(([name]) => `, ${name}: $${name}`).join("");
  const ids = body.filter(([, type]) => type.startsWith("ID")).map(([name]) => name);
  return {
    method: route.method,
    path: route.path,
    summary: route.summary,
    tag: route.tag ?? TAG,
    auth: route.auth,
    style: styleOf(route.path),
    uuidParams: [param],
    ...(body.length ? { bodyFields: body.map(([name]) => name) } : {}),
    operation: `mutation ${route.mutation[0].toUpperCase()}${route.mutation.slice(1)}($id: ID!${declared}) {
      ${route.mutation}(id: $id${passed}) { ...TransferDto }
    } ${TRANSFER_DTO_FRAGMENT}`,
    variables: ({ params, body: json }) => {
      requireUuids(Object.fromEntries(ids.map((name) => [name, field(json, name)])));
      return { id: params[param] };
    },
    restField: (graphqlField) => (graphqlField === "id" ? param : graphqlField),
    result: transferDto(route.mutation),
    resultSchema: () => TRANSFER_DTO_REF,
    errorStatuses: route.errorStatuses,
  };
}

const commonRoutes: RestRoute[] = [
  listRoute({
    path: "/Transfers",
    summary: "Fetch transfers based on the specified filters (a front-office token: its own)",
    auth: "any",
    name: "Transfers",
  }),
  {
    // Before `/Transfers/{transferId}`, which would otherwise take this path.
    method: "get",
    path: "/Transfers/type",
    summary:
      "How money to an account number in a currency would travel: `internal` for a 12-digit account number of this bank, otherwise by the IBAN's country and the currency `sepa`, `fasterPayments` or `swift` (400 naming recipientAccountNumber for an invalid IBAN)",
    tag: TAG,
    auth: "any",
    style: "plain",
    query: {
      recipientAccountNumber: {
        description: "A 12-digit account number of this bank or an IBAN (spaces and case are ignored)",
        graphqlType: "String",
      },
      currency: { description: "ISO 4217 code", graphqlType: "String" },
    },
    operation: `query TransferType($recipientAccountNumber: String!, $currency: String!) {
      transferType(recipientAccountNumber: $recipientAccountNumber, currency: $currency)
    }`,
    variables: ({ query }) => ({
      recipientAccountNumber: query.recipientAccountNumber,
      currency: query.currency,
    }),
    result: (data) => ({ type: toRestSpelling(data.transferType as string) }),
    resultSchema: (schema) => ({
      type: "object",
      properties: { type: jsonSchemaOfType(schema, "TransferType") },
    }),
    errorStatuses: [400, 401],
  },
  readRoute({
    path: "/Transfers/{transferId}",
    summary: "Fetch transfer details (any kind) by the specified transfer identifier",
    auth: "any",
    name: "Transfer",
  }),
  listRoute({
    path: "/internal/Transfers/internal",
    summary: "Fetch internal transfers based on the specified filters",
    auth: "system",
    kind: "internal",
    name: "InternalTransfers",
  }),
  actionRoute({
    method: "post",
    path: "/internal/Transfers/{transferId}/execute",
    summary:
      "Run a transfer's next step now, whatever its kind (409 TRANSFER_ALREADY_FINISHED when none is left, TRANSFER_INVALID_STATE while it waits for a code or an operator)",
    auth: "system",
    mutation: "executeTransfer",
    errorStatuses: MOVES_MONEY,
  }),
];

const outgoingRoutes: RestRoute[] = [
  {
    method: "post",
    path: "/Transfers/outgoing",
    summary:
      "Send money to one of the client's recipients; body `{accountId, recipientId, amount, reference}`. Answers the transfer `pendingConfirmation`; a one-time code goes to the client (never in an answer) and confirms it (`PUT /Transfers/outgoing/{transferId}/confirm`). Nothing is held until then.",
    tag: TAG,
    auth: "any",
    style: "plain",
    headers: idempotencyKeyHeader("transfer"),
    bodyVariable: "input",
    operation: `mutation CreateOutgoingTransfer($input: OutgoingTransferInput!, $idempotencyKey: String!) {
      createOutgoingTransfer(input: $input, idempotencyKey: $idempotencyKey) { ...TransferDto }
    } ${TRANSFER_DTO_FRAGMENT}`,
    variables: ({ body, headers }) => {
      requireUuids({ accountId: field(body, "accountId"), recipientId: field(body, "recipientId") });
      return { input: body, idempotencyKey: headers["Idempotency-Key"] };
    },
    restField: restFieldName,
    result: transferDto("createOutgoingTransfer"),
    resultSchema: () => TRANSFER_DTO_REF,
    errorStatuses: [400, 401, 403, 404, 409],
  },
  readRoute({
    path: "/Transfers/outgoing/{transferId}",
    summary: "Fetch an outgoing transfer (a front-office token: its own)",
    auth: "any",
    kind: "outgoing",
    name: "OutgoingTransfer",
  }),
  actionRoute({
    method: "put",
    path: "/Transfers/outgoing/{transferId}/confirm",
    summary:
      "Confirm an outgoing transfer with the one-time code, body `{code}`, and hold the funds (`processing`). A wrong code is 400 CONFIRMATION_CODE_INVALID with `attemptsLeft`; then 423 CONFIRMATION_LOCKED; an old code 410 CONFIRMATION_EXPIRED",
    auth: "any",
    mutation: "confirmTransfer",
    body: { code: "String!" },
    errorStatuses: [...MOVES_MONEY, 410, 423],
  }),
  actionRoute({
    method: "put",
    path: "/Transfers/outgoing/{transferId}/cancel",
    summary:
      "Cancel an outgoing transfer the rail does not have yet (`pendingConfirmation` or `processing`); any hold is released",
    auth: "any",
    mutation: "cancelTransfer",
    errorStatuses: MOVES_MONEY,
  }),
  listRoute({
    path: "/internal/Transfers/outgoing",
    summary: "Fetch outgoing transfers based on the specified filters",
    auth: "system",
    kind: "outgoing",
    name: "InternalOutgoingTransfers",
  }),
  readRoute({
    path: "/internal/Transfers/outgoing/{transferId}",
    summary: "Fetch any outgoing transfer, with `lastError` when a step is being retried",
    auth: "system",
    kind: "outgoing",
    name: "InternalOutgoingTransfer",
  }),
  actionRoute({
    method: "post",
    path: "/internal/Transfers/outgoing/{transferId}/continue",
    summary:
      "Resume a transfer stopped in an intermediate state until it finishes or waits (safe to call twice). Like the mutation, it continues a transfer of any kind.",
    auth: "system",
    mutation: "continueTransfer",
    errorStatuses: MOVES_MONEY,
  }),
];

const incomingRoutes: RestRoute[] = [
  readRoute({
    path: "/Transfers/incoming/{transferId}",
    summary: "Fetch an incoming transfer (a front-office token: its own)",
    auth: "any",
    kind: "incoming",
    name: "IncomingTransfer",
  }),
  listRoute({
    path: "/internal/Transfers/incoming",
    summary:
      "Fetch incoming transfers based on the specified filters (`status=unrecognized`: those in suspense)",
    auth: "system",
    kind: "incoming",
    name: "InternalIncomingTransfers",
  }),
  readRoute({
    path: "/internal/Transfers/incoming/{transferId}",
    summary: "Fetch any incoming transfer, recognised or not",
    auth: "system",
    kind: "incoming",
    name: "InternalIncomingTransfer",
  }),
  actionRoute({
    method: "put",
    path: "/internal/Transfers/incoming/{transferId}/assign",
    summary:
      "Credit an `unrecognized` incoming transfer, held in suspense, to a client account in its currency; body `{accountId}`",
    auth: "system",
    mutation: "assignIncomingTransfer",
    body: { accountId: "ID!" },
    errorStatuses: MOVES_MONEY,
  }),
  {
    method: "post",
    path: "/internal/IncomingRequests",
    summary:
      "Money from another bank, as the rail delivers it; body `{externalId, accountNumber, amount, currency, senderName, senderIban, reference}`. The same `externalId` credits once (with other details: 409 INCOMING_ALREADY_RECEIVED); an account number that names no active account in the currency leaves it `unrecognized` in suspense",
    tag: TAG,
    auth: "system",
    style: "envelope",
    bodyVariable: "input",
    operation: `mutation ReceiveIncomingTransfer($input: IncomingTransferInput!) {
      receiveIncomingTransfer(input: $input) { ...TransferDto }
    } ${TRANSFER_DTO_FRAGMENT}`,
    variables: ({ body }) => ({ input: body }),
    restField: restFieldName,
    result: transferDto("receiveIncomingTransfer"),
    resultSchema: () => TRANSFER_DTO_REF,
    errorStatuses: [400, 401, 403, 409, 503],
  },
];

const fxRoutes: RestRoute[] = [
  {
    method: "post",
    path: "/Transfers/foreign-exchange/quotes",
    summary:
      "Quote a rate for exchanging between two accounts of one client in different currencies; body `{sourceAccountId, targetAccountId, amount}` (the source amount). The quote is good until `expiresAt` and buys one transfer. (Not in the documentation: proposed.)",
    tag: TAG,
    auth: "any",
    style: "plain",
    bodyFields: ["sourceAccountId", "targetAccountId", "amount"],
    operation: `mutation FxQuote($sourceAccountId: ID!, $targetAccountId: ID!, $amount: String!) {
      fxQuote(sourceAccountId: $sourceAccountId, targetAccountId: $targetAccountId, amount: $amount) {
        ...FxQuoteDto
      }
    } ${FX_QUOTE_DTO_FRAGMENT}`,
    variables: ({ body }) => {
      requireUuids({
        sourceAccountId: field(body, "sourceAccountId"),
        targetAccountId: field(body, "targetAccountId"),
      });
      return {};
    },
    result: (data, schema) => dto(data.fxQuote, schema, "FxQuote"),
    resultSchema: () => FX_QUOTE_DTO_REF,
    errorStatuses: [400, 401, 403, 404, 422],
  },
  {
    method: "post",
    path: "/Transfers/foreign-exchange",
    summary:
      "Exchange at a quote, all or nothing; body `{quoteId}` (from `POST /Transfers/foreign-exchange/quotes`). 410 QUOTE_EXPIRED after its `expiresAt`; 409 QUOTE_ALREADY_USED for a second transfer",
    tag: TAG,
    auth: "any",
    style: "plain",
    headers: idempotencyKeyHeader("transfer"),
    bodyFields: ["quoteId"],
    operation: `mutation CreateFxTransfer($quoteId: ID!, $idempotencyKey: String!) {
      createFxTransfer(quoteId: $quoteId, idempotencyKey: $idempotencyKey) { ...TransferDto }
    } ${TRANSFER_DTO_FRAGMENT}`,
    variables: ({ body, headers }) => {
      requireUuids({ quoteId: field(body, "quoteId") });
      return { idempotencyKey: headers["Idempotency-Key"] };
    },
    restField: restFieldName,
    result: transferDto("createFxTransfer"),
    resultSchema: () => TRANSFER_DTO_REF,
    errorStatuses: [...MOVES_MONEY, 410],
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

export const transferRoutes: RestRoute[] = [
  ...commonRoutes,
  ...outgoingRoutes,
  ...incomingRoutes,
  ...fxRoutes,
];
