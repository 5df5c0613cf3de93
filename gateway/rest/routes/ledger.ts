/**
 * GeneralLedger routes of DESIGN.md section 7: accounts (front office under `/Accounts`,
 * system under `/v2/internal`, `/v2/ledger/internal` and `/internal`), transactions, the
 * offered currencies and the five payment operations, each one operation of the ledger.
 * Money stays a decimal string in the account's currency; enum values take the documented
 * spelling (`active`, `pending`, `immediate`).
 */
import { isUuid } from "../../../common/ids";
import type { GraphQLSchema } from "graphql";
import { validationError } from "../../../common/errors";
import { queryInt } from "../convert";
import { jsonSchemaOfFragment, jsonSchemaOfType, type JsonSchema } from "../json-schema";
import type { RestRoute } from "../route";
import {
  dto,
  dtoOrNotFound,
  field,
  idempotencyKeyHeader,
  page,
  PAGE_QUERY,
  pageSchema,
  requireUuids,
  restFieldName,
} from "./shared";

const ACCOUNT_DTO_FRAGMENT = `
fragment AccountDto on Account {
  id number kind clientId currency name status position overdraftLimit
  balance { posted pending available currency }
  createdAt updatedAt
}`;

const TRANSACTION_DTO_FRAGMENT = `
fragment TransactionDto on LedgerTransaction {
  id kind paymentId createdAt
  entries { accountId currency amount balanceAfter }
}`;

const PAYMENT_DTO_FRAGMENT = `
fragment PaymentDto on Payment {
  id status debitAccountId creditAccountId amount currency description metadata idempotencyKey
  createdAt updatedAt
}`;

/**
 * The ledger's account number: 12 digits (an 11-digit serial and a Luhn check digit). The
 * gateway imports no subgraph code, so the format is repeated here; it never looks like a UUID.
 */
const ACCOUNT_NUMBER = /^\d{12}$/;

const ACCOUNT_DTO_REF = { $ref: "#/components/schemas/AccountDto" };
const TRANSACTION_DTO_REF = { $ref: "#/components/schemas/TransactionDto" };
const PAYMENT_DTO_REF = { $ref: "#/components/schemas/PaymentDto" };

/** Shared schemas of these routes, for the OpenAPI document's components. */
export function ledgerComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return {
    AccountDto: jsonSchemaOfFragment(schema, ACCOUNT_DTO_FRAGMENT),
    TransactionDto: jsonSchemaOfFragment(schema, TRANSACTION_DTO_FRAGMENT),
    PaymentDto: jsonSchemaOfFragment(schema, PAYMENT_DTO_FRAGMENT),
  };
}

const ACCOUNTS_OPERATION = (
  name: string,
) => `query ${name}($filter: AccountFilterInput, $first: Int, $after: String) {
  accounts(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...AccountDto }
  }
} ${ACCOUNT_DTO_FRAGMENT}`;

const OPEN_ACCOUNT_OPERATION = (name: string) => `mutation ${name}($input: OpenAccountInput!) {
  openAccount(input: $input) { ...AccountDto }
} ${ACCOUNT_DTO_FRAGMENT}`;

const RECALCULATE_OPERATION = (name: string) => `mutation ${name}($accountIds: [ID!]!) {
  recalculateBalances(accountIds: $accountIds) {
    accountId currency storedPosted actualPosted storedPending actualPending wasWrong
  }
}`;

const TRANSACTIONS_OPERATION = (name: string) => `query ${name}(
  $filter: TransactionFilterInput, $first: Int, $after: String
) {
  transactions(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...TransactionDto }
  }
} ${TRANSACTION_DTO_FRAGMENT}`;

const SEARCH_BODY_SUMMARY = "body `{filter, first, after}`";

const accountRoutes: RestRoute[] = [
  // Front office (any caller; a front-office token reaches its own client's accounts only).
  openAccountRoute({
    path: "/Accounts",
    summary:
      "Open an account for a client in an offered currency; body `{clientId, currency, name}` (a front-office token: its own client, no overdraft)",
    auth: "any",
    style: "plain",
    name: "OpenAccount",
  }),
  {
    method: "get",
    path: "/Accounts",
    summary:
      "List client accounts in opening order, filtered, one page at a time (a front-office token: its own)",
    tag: "GeneralLedger - Accounts",
    auth: "any",
    style: "plain",
    query: {
      clientId: { description: "The owning client", graphqlType: "ID", uuid: true },
      currency: { description: "ISO 4217 code", graphqlType: "String" },
      status: { description: "active, blocked or closed", graphqlType: "AccountStatus" },
      number: { description: "The 12-digit account number", graphqlType: "String" },
      ...PAGE_QUERY,
    },
    flattenedVariables: ["filter"],
    operation: ACCOUNTS_OPERATION("Accounts"),
    variables: ({ query }) => ({
      filter: {
        clientId: query.clientId,
        currency: query.currency,
        status: query.status,
        number: query.number,
      },
      first: queryInt(query.first),
      after: query.after,
    }),
    result: page("accounts", "Account"),
    resultSchema: (schema) => pageSchema(schema, ACCOUNT_DTO_REF),
    errorStatuses: [400, 401, 403],
  },
  {
    // One route serves both documented paths `/Accounts/{id}` and `/Accounts/{accountNumber}`.
    method: "get",
    path: "/Accounts/{id}",
    summary:
      "Fetch an account by id or by account number: a UUID is an id, 12 digits an account number, anything else is 400 (a front-office token: its own)",
    tag: "GeneralLedger - Accounts",
    auth: "any",
    style: "plain",
    operation: `query AccountByIdOrNumber($id: ID!, $number: String!, $byId: Boolean!) {
      account(id: $id) @include(if: $byId) { ...AccountDto }
      accountByNumber(number: $number) @skip(if: $byId) { ...AccountDto }
    } ${ACCOUNT_DTO_FRAGMENT}`,
    variables: ({ params }) => {
      const key = params.id;
      if (!isUuid(key) && !ACCOUNT_NUMBER.test(key)) {
        throw validationError([
          {
            field: "id",
            rule: "isUuidOrAccountNumber",
            message: "id must be an account id (UUID) or a 12-digit account number",
          },
        ]);
      }
      return { id: key, number: key, byId: isUuid(key) };
    },
    result: (data, schema) => {
      const account = data.account ?? data.accountByNumber;
      return account ? dto(account, schema, "Account") : undefined;
    },
    resultSchema: () => ACCOUNT_DTO_REF,
    errorStatuses: [400, 401, 403, 404],
    notFoundCode: "ACCOUNT_NOT_FOUND",
  },
  {
    method: "patch",
    path: "/Accounts/{id}",
    summary:
      "Change an account: body `{name, status, overdraftLimit}`, only the given fields change (status active or blocked, and overdraft, are for system callers)",
    tag: "GeneralLedger - Accounts",
    auth: "any",
    style: "plain",
    uuidParams: ["id"],
    bodyVariable: "input",
    operation: `mutation UpdateAccount($id: ID!, $input: UpdateAccountInput!) {
      updateAccount(id: $id, input: $input) { ...AccountDto }
    } ${ACCOUNT_DTO_FRAGMENT}`,
    variables: ({ params, body }) => ({ id: params.id, input: body }),
    result: (data, schema) => dto(data.updateAccount, schema, "Account"),
    resultSchema: () => ACCOUNT_DTO_REF,
    errorStatuses: [400, 401, 403, 404, 409],
  },
  {
    method: "delete",
    path: "/Accounts/{id}",
    summary: "Close an account; only at a zero balance with nothing held (409 ACCOUNT_NOT_EMPTY)",
    tag: "GeneralLedger - Accounts",
    auth: "any",
    style: "plain",
    uuidParams: ["id"],
    operation: `mutation CloseAccount($id: ID!) { closeAccount(id: $id) { ...AccountDto } } ${ACCOUNT_DTO_FRAGMENT}`,
    variables: ({ params }) => ({ id: params.id }),
    result: (data, schema) => dto(data.closeAccount, schema, "Account"),
    resultSchema: () => ACCOUNT_DTO_REF,
    errorStatuses: [400, 401, 403, 404, 409],
  },
  {
    method: "put",
    path: "/Accounts/reorder-accounts",
    summary:
      "Put a client's accounts in a new order; body `{clientId, accountIds}` listing each of its open accounts once",
    tag: "GeneralLedger - Accounts",
    auth: "any",
    style: "plain",
    bodyFields: ["clientId", "accountIds"],
    operation: `mutation ReorderAccounts($clientId: ID!, $accountIds: [ID!]!) {
      reorderAccounts(clientId: $clientId, accountIds: $accountIds) { ...AccountDto }
    } ${ACCOUNT_DTO_FRAGMENT}`,
    variables: ({ body }) => {
      requireUuids({ clientId: field(body, "clientId"), accountIds: field(body, "accountIds") });
      return {};
    },
    result: (data, schema) => dto(data.reorderAccounts, schema, "Account"),
    resultSchema: () => ({ type: "array", items: ACCOUNT_DTO_REF }),
    errorStatuses: [400, 401, 403],
  },

  // System
  openAccountRoute({
    path: "/v2/internal/Accounts",
    summary:
      "Open an account for a client in an offered currency; body `{clientId, currency, name, overdraftLimit}`",
    auth: "system",
    style: "envelope",
    name: "InternalOpenAccount",
  }),
  recalculateRoute(
    "/v2/internal/Accounts/recalculate",
    "Recompute accounts' stored balances from their entries; body `{accountIds}`; reports (and corrects) any that were wrong",
    "RecalculateBalances",
  ),
  recalculateRoute(
    "/internal/Accounts/calculateBalances",
    "The first version of `/v2/internal/Accounts/recalculate`, the same operation: body `{accountIds}`",
    "CalculateBalances",
  ),
  {
    // Before `/v2/ledger/internal/Accounts/{accountId}`, which would otherwise take this path.
    method: "get",
    path: "/v2/ledger/internal/Accounts/getAggregatedAmounts",
    summary: "Posted, held and available totals per currency over a client's open accounts",
    tag: "GeneralLedger - Accounts",
    auth: "system",
    style: "envelope",
    query: { clientId: { description: "The owning client", graphqlType: "ID", uuid: true } },
    operation: `query AggregatedAmounts($clientId: ID!) {
      aggregatedAmounts(clientId: $clientId) { currency posted pending available }
    }`,
    variables: ({ query }) => ({ clientId: query.clientId }),
    result: (data) => data.aggregatedAmounts,
    resultSchema: (schema) => ({ type: "array", items: jsonSchemaOfType(schema, "CurrencyAmounts") }),
    errorStatuses: [400, 401, 403],
  },
  {
    method: "get",
    path: "/v2/ledger/internal/Accounts/{accountId}",
    summary: "Fetch any account (client or settlement) by id",
    tag: "GeneralLedger - Accounts",
    auth: "system",
    style: "envelope",
    uuidParams: ["accountId"],
    operation: `query InternalAccount($id: ID!) { account(id: $id) { ...AccountDto } } ${ACCOUNT_DTO_FRAGMENT}`,
    variables: ({ params }) => ({ id: params.accountId }),
    result: dtoOrNotFound("account", "Account"),
    resultSchema: () => ACCOUNT_DTO_REF,
    errorStatuses: [400, 401, 403, 404],
    notFoundCode: "ACCOUNT_NOT_FOUND",
  },
  {
    method: "post",
    path: "/v2/ledger/internal/Accounts/search",
    summary: `Search client accounts in opening order; ${SEARCH_BODY_SUMMARY}, filter \`{clientId, currency, status, number}\``,
    tag: "GeneralLedger - Accounts",
    auth: "system",
    style: "envelope",
    bodyFields: ["filter", "first", "after"],
    operation: ACCOUNTS_OPERATION("SearchAccounts"),
    variables: ({ body }) => {
      requireUuids({ "filter.clientId": field(field(body, "filter"), "clientId") });
      return {};
    },
    result: page("accounts", "Account"),
    resultSchema: (schema) => pageSchema(schema, ACCOUNT_DTO_REF),
    errorStatuses: [400, 401, 403],
  },
];

const transactionRoutes: RestRoute[] = [
  {
    method: "get",
    path: "/internal/Transactions",
    summary: "List ledger transactions, oldest first, filtered, one page at a time",
    tag: "GeneralLedger - Transactions",
    auth: "system",
    style: "envelope",
    query: {
      accountId: { description: "Transactions with an entry on this account", graphqlType: "ID", uuid: true },
      paymentId: { description: "Transactions of this payment", graphqlType: "ID", uuid: true },
      kind: { description: "immediate or post", graphqlType: "TransactionKind" },
      from: { description: "Created at or after (ISO 8601)", graphqlType: "DateTimeISO" },
      to: { description: "Created before (ISO 8601)", graphqlType: "DateTimeISO" },
      ...PAGE_QUERY,
    },
    flattenedVariables: ["filter"],
    operation: TRANSACTIONS_OPERATION("InternalTransactions"),
    variables: ({ query }) => ({
      filter: {
        accountId: query.accountId,
        paymentId: query.paymentId,
        kind: query.kind,
        from: query.from,
        to: query.to,
      },
      first: queryInt(query.first),
      after: query.after,
    }),
    result: page("transactions", "LedgerTransaction"),
    resultSchema: (schema) => pageSchema(schema, TRANSACTION_DTO_REF),
    errorStatuses: [400, 401, 403],
  },
  {
    method: "get",
    path: "/internal/Transactions/report",
    summary: "An account's movements over [from, to): opening balance, debits, credits, closing balance",
    tag: "GeneralLedger - Transactions",
    auth: "system",
    style: "envelope",
    query: {
      accountId: { description: "The account", graphqlType: "ID", uuid: true },
      from: { description: "Start, included (ISO 8601; default: the beginning)", graphqlType: "DateTimeISO" },
      to: { description: "End, excluded (ISO 8601; default: now)", graphqlType: "DateTimeISO" },
    },
    operation: `query TransactionReport($accountId: ID!, $from: DateTimeISO, $to: DateTimeISO) {
      transactionReport(accountId: $accountId, from: $from, to: $to) {
        accountId currency from to openingBalance debits credits closingBalance transactionCount
      }
    }`,
    variables: ({ query }) => ({ accountId: query.accountId, from: query.from, to: query.to }),
    result: (data) => data.transactionReport,
    resultSchema: (schema) => jsonSchemaOfType(schema, "TransactionReport"),
    errorStatuses: [400, 401, 403, 404],
  },
  {
    method: "post",
    path: "/internal/Transactions/query",
    summary: `Query ledger transactions, oldest first; ${SEARCH_BODY_SUMMARY}, filter \`{accountId, paymentId, kind, from, to}\``,
    tag: "GeneralLedger - Transactions",
    auth: "system",
    style: "envelope",
    bodyFields: ["filter", "first", "after"],
    operation: TRANSACTIONS_OPERATION("QueryTransactions"),
    variables: ({ body }) => {
      const filter = field(body, "filter");
      requireUuids({
        "filter.accountId": field(filter, "accountId"),
        "filter.paymentId": field(filter, "paymentId"),
      });
      return {};
    },
    result: page("transactions", "LedgerTransaction"),
    resultSchema: (schema) => pageSchema(schema, TRANSACTION_DTO_REF),
    errorStatuses: [400, 401, 403],
  },
  {
    method: "get",
    path: "/internal/Transactions/{id}",
    summary: "Fetch a ledger transaction with its entries",
    tag: "GeneralLedger - Transactions",
    auth: "system",
    style: "envelope",
    uuidParams: ["id"],
    operation: `query InternalTransaction($id: ID!) { transaction(id: $id) { ...TransactionDto } } ${TRANSACTION_DTO_FRAGMENT}`,
    variables: ({ params }) => ({ id: params.id }),
    result: dtoOrNotFound("transaction", "LedgerTransaction"),
    resultSchema: () => TRANSACTION_DTO_REF,
    errorStatuses: [400, 401, 403, 404],
    notFoundCode: "TRANSACTION_NOT_FOUND",
  },
];

const currencyRoutes: RestRoute[] = [
  {
    method: "get",
    path: "/BaasProvider/available-currencies",
    summary: "The currencies the bank offers accounts in, each with its minor-unit exponent",
    tag: "GeneralLedger - BaasProvider",
    auth: "any",
    style: "plain",
    operation: `query AvailableCurrencies { availableCurrencies { code exponent } }`,
    variables: () => ({}),
    result: (data) => data.availableCurrencies,
    resultSchema: (schema) => ({ type: "array", items: jsonSchemaOfType(schema, "Currency") }),
    errorStatuses: [401],
  },
];

function createPaymentRoute(path: string, mutation: string, summary: string): RestRoute {
  return {
    method: "post",
    path,
    summary,
    tag: "GeneralLedger - Payments",
    auth: "system",
    style: "envelope",
    headers: idempotencyKeyHeader("payment"),
    bodyVariable: "input",
    operation: `mutation ${mutation[0].toUpperCase()}${mutation.slice(1)}($input: PaymentInput!, $idempotencyKey: String!) {
      ${mutation}(input: $input, idempotencyKey: $idempotencyKey) { ...PaymentDto }
    } ${PAYMENT_DTO_FRAGMENT}`,
    variables: ({ body, headers }) => {
      requireUuids({
        debitAccountId: field(body, "debitAccountId"),
        creditAccountId: field(body, "creditAccountId"),
      });
      return { input: body, idempotencyKey: headers["Idempotency-Key"] };
    },
    restField: restFieldName,
    result: (data, schema) => dto(data[mutation], schema, "Payment"),
    resultSchema: () => PAYMENT_DTO_REF,
    errorStatuses: [400, 401, 403, 404, 409],
  };
}

function transitionPaymentRoute(action: "pend" | "post" | "cancel", summary: string): RestRoute {
  const mutation = `${action}Payment`;
  return {
    method: "post",
    path: `/internal/Payments/{paymentId}/${action}`,
    summary,
    tag: "GeneralLedger - Payments",
    auth: "system",
    style: "envelope",
    uuidParams: ["paymentId"],
    headers: idempotencyKeyHeader("payment"),
    operation: `mutation ${action[0].toUpperCase()}${action.slice(1)}Payment($id: ID!, $idempotencyKey: String!) {
      ${mutation}(id: $id, idempotencyKey: $idempotencyKey) { ...PaymentDto }
    } ${PAYMENT_DTO_FRAGMENT}`,
    variables: ({ params, headers }) => ({
      id: params.paymentId,
      idempotencyKey: headers["Idempotency-Key"],
    }),
    restField: restFieldName,
    result: (data, schema) => dto(data[mutation], schema, "Payment"),
    resultSchema: () => PAYMENT_DTO_REF,
    errorStatuses: [400, 401, 403, 404, 409],
  };
}

const paymentRoutes: RestRoute[] = [
  createPaymentRoute(
    "/internal/Payments",
    "createPayment",
    "Creates payment with single transaction and transfers money between accounts (posted at once); body `{debitAccountId, creditAccountId, amount, description, metadata}`",
  ),
  createPaymentRoute(
    "/internal/Payments/draft",
    "createDraftPayment",
    "Creates payment in Draft state without any money transfers; same body as `/internal/Payments`",
  ),
  transitionPaymentRoute(
    "pend",
    "Pends payment and holds funds in case of withdrawals (draft -> pending; 409 INSUFFICIENT_FUNDS)",
  ),
  transitionPaymentRoute(
    "post",
    "Posts payment, withdraws held funds and deposits it to corresponding account (pending -> posted)",
  ),
  transitionPaymentRoute(
    "cancel",
    "Cancels payment and performs payback in case of held (draft or pending -> cancelled)",
  ),
];

/** `openAccount` behind a path: the front-office and the internal paths differ only in who and how they answer. */
function openAccountRoute(route: {
  path: string;
  summary: string;
  auth: RestRoute["auth"];
  style: RestRoute["style"];
  name: string;
}): RestRoute {
  return {
    method: "post",
    path: route.path,
    summary: route.summary,
    tag: "GeneralLedger - Accounts",
    auth: route.auth,
    style: route.style,
    bodyVariable: "input",
    operation: OPEN_ACCOUNT_OPERATION(route.name),
    variables: ({ body }) => {
      requireUuids({ clientId: field(body, "clientId") });
      return { input: body };
    },
    result: (data, schema) => dto(data.openAccount, schema, "Account"),
    resultSchema: () => ACCOUNT_DTO_REF,
    errorStatuses: [400, 401, 403],
  };
}

/** `recalculateBalances`, served at both documented paths. */
function recalculateRoute(path: string, summary: string, name: string): RestRoute {
  return {
    method: "post",
    path,
    summary,
    tag: "GeneralLedger - Accounts",
    auth: "system",
    style: "envelope",
    bodyFields: ["accountIds"],
    operation: RECALCULATE_OPERATION(name),
    variables: ({ body }) => {
      requireUuids({ accountIds: field(body, "accountIds") });
      return {};
    },
    result: (data) => data.recalculateBalances,
    resultSchema: (schema) => ({ type: "array", items: jsonSchemaOfType(schema, "BalanceCheck") }),
    errorStatuses: [400, 401, 403],
  };
}

export const ledgerRoutes: RestRoute[] = [
  ...accountRoutes,
  ...transactionRoutes,
  ...currencyRoutes,
  ...paymentRoutes,
];
