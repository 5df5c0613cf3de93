/** GeneralLedger transaction routes of DESIGN.md section 7 (system callers): lists, the query body, one transaction, the report. */
import { jsonSchemaOfType } from "../../json-schema";
import type { RestRoute } from "../../route";
import { dtoOf, fragmentDto, listRoute, searchRoute } from "../shared";

const TRANSACTION_DTO_FRAGMENT = `
fragment TransactionDto on LedgerTransaction {
  id kind paymentId createdAt
  entries { accountId currency amount balanceAfter }
}`;
const TRANSACTION_DTO = fragmentDto(TRANSACTION_DTO_FRAGMENT);
const TAG = "GeneralLedger - Transactions";

export const transactionComponentSchemas = TRANSACTION_DTO.component;

export const transactionRoutes: RestRoute[] = [
  listRoute({
    path: "/internal/Transactions",
    summary: "List ledger transactions, oldest first, filtered, one page at a time",
    tag: TAG,
    auth: "system",
    name: "InternalTransactions",
    field: "transactions",
    filter: {
      accountId: { type: "ID", description: "Transactions with an entry on this account" },
      paymentId: { type: "ID", description: "Transactions of this payment" },
      kind: { type: "TransactionKind", description: "immediate or post" },
      from: { type: "DateTimeISO", description: "Created at or after (ISO 8601)" },
      to: { type: "DateTimeISO", description: "Created before (ISO 8601)" },
    },
    items: TRANSACTION_DTO,
  }),
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
  searchRoute({
    path: "/internal/Transactions/query",
    summary:
      "Query ledger transactions, oldest first; body `{filter, first, after}`, filter `{accountId, paymentId, kind, from, to}`",
    tag: TAG,
    auth: "system",
    name: "QueryTransactions",
    field: "transactions",
    filterType: "TransactionFilterInput",
    items: TRANSACTION_DTO,
  }),
  {
    method: "get",
    path: "/internal/Transactions/{id}",
    summary: "Fetch a ledger transaction with its entries",
    tag: TAG,
    auth: "system",
    input: { params: { id: "id" } },
    operation: `query InternalTransaction($id: ID!) { transaction(id: $id) { ...TransactionDto } } ${TRANSACTION_DTO_FRAGMENT}`,
    result: dtoOf("transaction", TRANSACTION_DTO),
    resultSchema: () => TRANSACTION_DTO.ref,
    notFoundCode: "TRANSACTION_NOT_FOUND",
  },
];
