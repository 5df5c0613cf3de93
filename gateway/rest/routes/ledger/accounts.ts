/**
 * GeneralLedger account routes of DESIGN.md section 7: front office under `/Accounts` (a
 * front-office token reaches its own client's accounts only), system under `/v2/internal`,
 * `/v2/ledger/internal` and `/internal`; and the offered currencies. Money stays a decimal string
 * in the account's currency; enum values take the documented spelling (`active`, `client`).
 */
import { isUuid } from "../../../../common/ids";
import { jsonSchemaOfType } from "../../json-schema";
import type { PathParser, RestRoute } from "../../route";
import { dtoOf, fragmentDto, listRoute, searchRoute } from "../shared";

const ACCOUNT_DTO_FRAGMENT = `
fragment AccountDto on Account {
  id number kind clientId currency name status position overdraftLimit
  balance { posted pending available currency }
  createdAt updatedAt
}`;
const ACCOUNT_DTO = fragmentDto(ACCOUNT_DTO_FRAGMENT);
const TAG = "GeneralLedger - Accounts";

/** Shared schemas of these routes, for the OpenAPI document's components. */
export const accountComponentSchemas = ACCOUNT_DTO.component;

/**
 * The ledger's account number: 12 digits (an 11-digit serial and a Luhn check digit). The
 * gateway imports no subgraph code, so the format is repeated here; it never looks like a UUID.
 */
const ACCOUNT_NUMBER = /^\d{12}$/;

/** `{id}` of `GET /Accounts/{id}`: a UUID is an account id, 12 digits an account number. */
const ACCOUNT_ID_OR_NUMBER: PathParser = {
  variables: (key) =>
    isUuid(key) || ACCOUNT_NUMBER.test(key) ? { id: key, number: key, byId: isUuid(key) } : undefined,
  rule: "isUuidOrAccountNumber",
  message: "id must be an account id (UUID) or a 12-digit account number",
};

/** `openAccount` behind a path: the front-office and the internal paths differ only in who and how they answer. */
function openAccountRoute(route: {
  path: string;
  summary: string;
  auth: RestRoute["auth"];
  name: string;
}): RestRoute {
  return {
    method: "post",
    path: route.path,
    summary: route.summary,
    tag: TAG,
    auth: route.auth,
    input: { body: "input" },
    operation: `mutation ${route.name}($input: OpenAccountInput!) { openAccount(input: $input) { ...AccountDto } }
      ${ACCOUNT_DTO_FRAGMENT}`,
    result: dtoOf("openAccount", ACCOUNT_DTO),
    resultSchema: () => ACCOUNT_DTO.ref,
  };
}

/** `recalculateBalances`, served at both documented paths. */
function recalculateRoute(path: string, summary: string, name: string): RestRoute {
  return {
    method: "post",
    path,
    summary,
    tag: TAG,
    auth: "system",
    input: { body: { accountIds: "accountIds" } },
    operation: `mutation ${name}($accountIds: [ID!]!) {
      recalculateBalances(accountIds: $accountIds) {
        accountId currency storedPosted actualPosted storedPending actualPending wasWrong
      }
    }`,
    result: (data) => data.recalculateBalances,
    resultSchema: (schema) => ({ type: "array", items: jsonSchemaOfType(schema, "BalanceCheck") }),
  };
}

const frontOfficeRoutes: RestRoute[] = [
  openAccountRoute({
    path: "/Accounts",
    summary:
      "Open an account for a client in an offered currency; body `{clientId, currency, name}` (a front-office token: its own client, no overdraft)",
    auth: "any",
    name: "OpenAccount",
  }),
  listRoute({
    path: "/Accounts",
    summary:
      "List client accounts in opening order, filtered, one page at a time (a front-office token: its own)",
    tag: TAG,
    auth: "any",
    name: "Accounts",
    field: "accounts",
    filter: {
      clientId: { type: "ID", description: "The owning client" },
      currency: { type: "String", description: "ISO 4217 code" },
      status: { type: "AccountStatus", description: "active, blocked or closed" },
      number: { type: "String", description: "The 12-digit account number" },
    },
    items: ACCOUNT_DTO,
  }),
  {
    // One route serves both documented paths `/Accounts/{id}` and `/Accounts/{accountNumber}`.
    method: "get",
    path: "/Accounts/{id}",
    summary:
      "Fetch an account by id or by account number: a UUID is an id, 12 digits an account number, anything else is 400 (a front-office token: its own)",
    tag: TAG,
    auth: "any",
    input: { params: { id: ACCOUNT_ID_OR_NUMBER } },
    operation: `query AccountByIdOrNumber($id: ID!, $number: String!, $byId: Boolean!) {
      account(id: $id) @include(if: $byId) { ...AccountDto }
      accountByNumber(number: $number) @skip(if: $byId) { ...AccountDto }
    } ${ACCOUNT_DTO_FRAGMENT}`,
    result: (data, schema) => {
      const account = data.account ?? data.accountByNumber;
      return account ? ACCOUNT_DTO.toRest(account, schema) : undefined;
    },
    resultSchema: () => ACCOUNT_DTO.ref,
    notFoundCode: "ACCOUNT_NOT_FOUND",
  },
  {
    method: "patch",
    path: "/Accounts/{id}",
    summary:
      "Change an account: body `{name, status, overdraftLimit}`, only the given fields change (status active or blocked, and overdraft, are for system callers)",
    tag: TAG,
    auth: "any",
    input: { params: { id: "id" }, body: "input" },
    operation: `mutation UpdateAccount($id: ID!, $input: UpdateAccountInput!) {
      updateAccount(id: $id, input: $input) { ...AccountDto }
    } ${ACCOUNT_DTO_FRAGMENT}`,
    result: dtoOf("updateAccount", ACCOUNT_DTO),
    resultSchema: () => ACCOUNT_DTO.ref,
  },
  {
    method: "delete",
    path: "/Accounts/{id}",
    summary:
      "Close an account; only at a zero balance with nothing held (409 ACCOUNT_NOT_EMPTY). A front-office token needs a step-up grant (`POST /Accounts/otp-verification`) in `X-Otp-Grant`, used up by a close that succeeds (403 STEP_UP_REQUIRED otherwise)",
    tag: TAG,
    auth: "any",
    input: {
      params: { id: "id" },
      headers: {
        "X-Otp-Grant": {
          variable: "otpGrant",
          description:
            "The grant of `POST /Accounts/otp-verification` for `closeAccount` (front-office tokens)",
        },
      },
    },
    operation: `mutation CloseAccount($id: ID!, $otpGrant: String) {
      closeAccount(id: $id, otpGrant: $otpGrant) { ...AccountDto }
    } ${ACCOUNT_DTO_FRAGMENT}`,
    result: dtoOf("closeAccount", ACCOUNT_DTO),
    resultSchema: () => ACCOUNT_DTO.ref,
  },
  {
    method: "put",
    path: "/Accounts/reorder-accounts",
    summary:
      "Put a client's accounts in a new order; body `{clientId, accountIds}` listing each of its open accounts once",
    tag: TAG,
    auth: "any",
    input: { body: { clientId: "clientId", accountIds: "accountIds" } },
    operation: `mutation ReorderAccounts($clientId: ID!, $accountIds: [ID!]!) {
      reorderAccounts(clientId: $clientId, accountIds: $accountIds) { ...AccountDto }
    } ${ACCOUNT_DTO_FRAGMENT}`,
    result: (data, schema) => ACCOUNT_DTO.toRest(data.reorderAccounts, schema),
    resultSchema: () => ({ type: "array", items: ACCOUNT_DTO.ref }),
  },
];

const systemRoutes: RestRoute[] = [
  openAccountRoute({
    path: "/v2/internal/Accounts",
    summary:
      "Open an account for a client in an offered currency; body `{clientId, currency, name, overdraftLimit}`",
    auth: "system",
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
    tag: TAG,
    auth: "system",
    input: { query: { clientId: { variable: "clientId", description: "The owning client" } } },
    operation: `query AggregatedAmounts($clientId: ID!) {
      aggregatedAmounts(clientId: $clientId) { currency posted pending available }
    }`,
    result: (data) => data.aggregatedAmounts,
    resultSchema: (schema) => ({ type: "array", items: jsonSchemaOfType(schema, "CurrencyAmounts") }),
  },
  {
    method: "get",
    path: "/v2/ledger/internal/Accounts/{accountId}",
    summary: "Fetch any account (client or settlement) by id",
    tag: TAG,
    auth: "system",
    input: { params: { accountId: "id" } },
    operation: `query InternalAccount($id: ID!) { account(id: $id) { ...AccountDto } } ${ACCOUNT_DTO_FRAGMENT}`,
    result: dtoOf("account", ACCOUNT_DTO),
    resultSchema: () => ACCOUNT_DTO.ref,
    notFoundCode: "ACCOUNT_NOT_FOUND",
  },
  searchRoute({
    path: "/v2/ledger/internal/Accounts/search",
    summary:
      "Search client accounts in opening order; body `{filter, first, after}`, filter `{clientId, currency, status, number}`",
    tag: TAG,
    auth: "system",
    name: "SearchAccounts",
    field: "accounts",
    filterType: "AccountFilterInput",
    items: ACCOUNT_DTO,
  }),
];

export const accountRoutes: RestRoute[] = [...frontOfficeRoutes, ...systemRoutes];

export const currencyRoutes: RestRoute[] = [
  {
    method: "get",
    path: "/BaasProvider/available-currencies",
    summary: "The currencies the bank offers accounts in, each with its minor-unit exponent",
    tag: "GeneralLedger - BaasProvider",
    auth: "any",
    operation: `query AvailableCurrencies { availableCurrencies { code exponent } }`,
    result: (data) => data.availableCurrencies,
    resultSchema: (schema) => ({ type: "array", items: jsonSchemaOfType(schema, "Currency") }),
  },
];
