/** GeneralLedger transaction routes of DESIGN.md section 7 (system callers): lists, the query body, one transaction, the report. */
import type { GraphQLSchema } from "graphql";
import { jsonSchemaOfFragment, jsonSchemaOfType, type JsonSchema } from "../../json-schema";
import type { RestRoute } from "../../route";
import { dtoOrNotFound, PAGE_QUERY, page, pageOperation, pageSchema } from "../shared";

const TRANSACTION_DTO_FRAGMENT = `
fragment TransactionDto on LedgerTransaction {
  id kind paymentId createdAt
  entries { accountId currency amount balanceAfter }
}`;
const TRANSACTION_DTO_REF = { $ref: "#/components/schemas/TransactionDto" };
const TAG = "GeneralLedger - Transactions";

export function transactionComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return { TransactionDto: jsonSchemaOfFragment(schema, TRANSACTION_DTO_FRAGMENT) };
}

export const transactionRoutes: RestRoute[] = [
  {
    method: "get",
    path: "/internal/Transactions",
    summary: "List ledger transactions, oldest first, filtered, one page at a time",
    tag: TAG,
    auth: "system",
    input: {
      query: {
        accountId: { variable: "accountId", description: "Transactions with an entry on this account" },
        paymentId: { variable: "paymentId", description: "Transactions of this payment" },
        kind: { variable: "kind", description: "immediate or post" },
        from: { variable: "from", description: "Created at or after (ISO 8601)" },
        to: { variable: "to", description: "Created before (ISO 8601)" },
        ...PAGE_QUERY,
      },
    },
    operation: pageOperation(
      "InternalTransactions",
      "transactions",
      { accountId: "ID", paymentId: "ID", kind: "TransactionKind", from: "DateTimeISO", to: "DateTimeISO" },
      TRANSACTION_DTO_FRAGMENT,
    ),
    result: page("transactions", "LedgerTransaction"),
    resultSchema: (schema) => pageSchema(schema, TRANSACTION_DTO_REF),
  },
  {
    method: "get",
    path: "/internal/Transactions/report",
    summary: "An account's movements over [from, to): opening balance, debits, credits, closing balance",
    tag: TAG,
    auth: "system",
    input: {
      query: {
        accountId: { variable: "accountId", description: "The account" },
        from: { variable: "from", description: "Start, included (ISO 8601; default: the beginning)" },
        to: { variable: "to", description: "End, excluded (ISO 8601; default: now)" },
      },
    },
    operation: `query TransactionReport($accountId: ID!, $from: DateTimeISO, $to: DateTimeISO) {
      transactionReport(accountId: $accountId, from: $from, to: $to) {
        accountId currency from to openingBalance debits credits closingBalance transactionCount
      }
    }`,
    result: (data) => data.transactionReport,
    resultSchema: (schema) => jsonSchemaOfType(schema, "TransactionReport"),
  },
  {
    method: "post",
    path: "/internal/Transactions/query",
    summary:
      "Query ledger transactions, oldest first; body `{filter, first, after}`, filter `{accountId, paymentId, kind, from, to}`",
    tag: TAG,
    auth: "system",
    input: { body: { filter: "filter", first: "first", after: "after" } },
    operation: pageOperation(
      "QueryTransactions",
      "transactions",
      "TransactionFilterInput",
      TRANSACTION_DTO_FRAGMENT,
    ),
    result: page("transactions", "LedgerTransaction"),
    resultSchema: (schema) => pageSchema(schema, TRANSACTION_DTO_REF),
  },
  {
    method: "get",
    path: "/internal/Transactions/{id}",
    summary: "Fetch a ledger transaction with its entries",
    tag: TAG,
    auth: "system",
    input: { params: { id: "id" } },
    operation: `query InternalTransaction($id: ID!) { transaction(id: $id) { ...TransactionDto } } ${TRANSACTION_DTO_FRAGMENT}`,
    result: dtoOrNotFound("transaction", "LedgerTransaction"),
    resultSchema: () => TRANSACTION_DTO_REF,
    notFoundCode: "TRANSACTION_NOT_FOUND",
  },
];
