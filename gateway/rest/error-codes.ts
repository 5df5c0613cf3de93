/**
 * The error codes each REST route can answer, derived, never listed per route: the codes of the
 * GraphQL use cases its operation calls (one table, by root field), the shim's own (input checks,
 * caller kind, body reading, not found) and what any request can meet. The OpenAPI document
 * turns them into statuses and descriptions through the registry (`common/errors.ts`).
 */
import { ERROR_CODES, type ErrorCode } from "../../common/errors";
import { operationOf, rootFieldsOf } from "./operation";
import type { RestRoute } from "./route";

/** Any route: no or a bad token, an unreadable URL or body, too big an operation, a subgraph down, a fault. */
const ANY_ROUTE: ErrorCode[] = [
  "UNAUTHENTICATED",
  "BAD_REQUEST",
  "OPERATION_LIMIT_EXCEEDED",
  "SUBGRAPH_UNAVAILABLE",
  "INTERNAL_SERVER_ERROR",
];

const STATUS_CHANGE: ErrorCode[] = [
  "FORBIDDEN",
  "VALIDATION_FAILED",
  "CLIENT_NOT_FOUND",
  "CLIENT_INVALID_STATUS_TRANSITION",
];
const PAYMENT_CREATION: ErrorCode[] = [
  "FORBIDDEN",
  "VALIDATION_FAILED",
  "ACCOUNT_NOT_FOUND",
  "CURRENCY_MISMATCH",
  "ACCOUNT_NOT_ACTIVE",
  "IDEMPOTENCY_KEY_REUSED",
];
const PAYMENT_TRANSITION: ErrorCode[] = [
  "FORBIDDEN",
  "VALIDATION_FAILED",
  "PAYMENT_NOT_FOUND",
  "PAYMENT_INVALID_STATE",
  "IDEMPOTENCY_KEY_REUSED",
];
/** Ledger refusals a transfer step reports to the request that ran it (the transfer fails). */
const LEDGER_REFUSALS: ErrorCode[] = [
  "INSUFFICIENT_FUNDS",
  "CURRENCY_MISMATCH",
  "ACCOUNT_NOT_ACTIVE",
  "ACCOUNT_NOT_FOUND",
  "VALIDATION_FAILED",
];
const TRANSFER_CHANGE: ErrorCode[] = [
  "FORBIDDEN",
  "TRANSFER_NOT_FOUND",
  "TRANSFER_ALREADY_FINISHED",
  "TRANSFER_INVALID_STATE",
];
const CONFIRMATION: ErrorCode[] = [
  ...TRANSFER_CHANGE,
  "VALIDATION_FAILED",
  "CONFIRMATION_NOT_FOUND",
  "CONFIRMATION_CODE_INVALID",
  "CONFIRMATION_EXPIRED",
  "CONFIRMATION_LOCKED",
  ...LEDGER_REFUSALS,
];
/** A document upload's steps, on either owner (decision 0034). */
const DOCUMENT_UPLOAD: ErrorCode[] = [
  "FORBIDDEN",
  "VALIDATION_FAILED",
  "DOCUMENT_UPLOAD_NOT_FOUND",
  "DOCUMENT_UPLOAD_INVALID_STATE",
  "DOCUMENT_URL_EXPIRED",
  "DOCUMENT_TOO_LARGE",
  "DOCUMENT_TYPE_NOT_ALLOWED",
  "DOCUMENT_SIZE_MISMATCH",
  "DOCUMENT_CHECKSUM_MISMATCH",
];
const TRANSFER_RUN: ErrorCode[] = [...TRANSFER_CHANGE, "TRANSFER_BUSY", "LEDGER_UNAVAILABLE"];

/**
 * The codes each use case (GraphQL root field the REST routes call) may return, as its subgraph
 * implements it. FORBIDDEN: system only, or a front-office caller reaching another client's data.
 */
export const USE_CASE_ERRORS: Record<string, ErrorCode[]> = {
  // client
  client: ["FORBIDDEN"],
  me: ["FORBIDDEN"],
  clients: ["FORBIDDEN", "VALIDATION_FAILED"],
  importIndividualClient: ["FORBIDDEN", "VALIDATION_FAILED", "CLIENT_ALREADY_EXISTS"],
  blockClient: STATUS_CHANGE,
  unblockClient: STATUS_CHANGE,
  setClientStatus: STATUS_CHANGE,
  // ledger
  availableCurrencies: [],
  account: ["FORBIDDEN"],
  accountByNumber: ["FORBIDDEN"],
  accounts: ["FORBIDDEN", "VALIDATION_FAILED"],
  aggregatedAmounts: ["FORBIDDEN", "VALIDATION_FAILED"],
  openAccount: ["FORBIDDEN", "VALIDATION_FAILED"],
  updateAccount: [
    "FORBIDDEN",
    "VALIDATION_FAILED",
    "ACCOUNT_NOT_FOUND",
    "ACCOUNT_INVALID_STATUS_TRANSITION",
    "ACCOUNT_NOT_ACTIVE",
    "OVERDRAFT_LIMIT_IN_USE",
  ],
  closeAccount: [
    "FORBIDDEN",
    "ACCOUNT_NOT_FOUND",
    "ACCOUNT_INVALID_STATUS_TRANSITION",
    "ACCOUNT_NOT_EMPTY",
    "STEP_UP_REQUIRED",
  ],
  sendAccountOtp: [
    "FORBIDDEN",
    "VALIDATION_FAILED",
    "ACCOUNT_NOT_FOUND",
    "ACCOUNT_NOT_ACTIVE",
    "CONFIRMATION_LIMIT_REACHED",
  ],
  verifyAccountOtp: [
    "FORBIDDEN",
    "VALIDATION_FAILED",
    "ACCOUNT_NOT_ACTIVE",
    "CONFIRMATION_NOT_FOUND",
    "CONFIRMATION_CODE_INVALID",
    "CONFIRMATION_EXPIRED",
    "CONFIRMATION_LOCKED",
  ],
  treasurySummary: ["FORBIDDEN", "VALIDATION_FAILED"],
  reorderAccounts: ["FORBIDDEN", "VALIDATION_FAILED"],
  recalculateBalances: ["FORBIDDEN", "VALIDATION_FAILED"],
  transactions: ["FORBIDDEN", "VALIDATION_FAILED"],
  transactionReport: ["FORBIDDEN", "VALIDATION_FAILED", "ACCOUNT_NOT_FOUND"],
  transaction: ["FORBIDDEN"],
  createPayment: [...PAYMENT_CREATION, "INSUFFICIENT_FUNDS"],
  createDraftPayment: PAYMENT_CREATION,
  // Refusals of single payments are items of the answer (200), not statuses.
  createPayments: ["FORBIDDEN", "VALIDATION_FAILED"],
  pendPayment: [...PAYMENT_TRANSITION, "ACCOUNT_NOT_ACTIVE", "INSUFFICIENT_FUNDS"],
  postPayment: [...PAYMENT_TRANSITION, "ACCOUNT_NOT_ACTIVE"],
  cancelPayment: PAYMENT_TRANSITION,
  dailyBalances: ["FORBIDDEN", "VALIDATION_FAILED"],
  recalculateDailyBalances: ["FORBIDDEN", "VALIDATION_FAILED"],
  checkRuns: ["FORBIDDEN", "VALIDATION_FAILED"],
  checkFindings: ["FORBIDDEN", "VALIDATION_FAILED"],
  runAccountBalanceCheck: ["FORBIDDEN"],
  // transfer
  recipients: ["FORBIDDEN", "VALIDATION_FAILED"],
  recipient: ["FORBIDDEN"],
  addRecipient: ["FORBIDDEN", "VALIDATION_FAILED", "RECIPIENT_ALREADY_EXISTS"],
  setRecipientVisibility: ["FORBIDDEN", "RECIPIENT_NOT_FOUND"],
  transfers: ["FORBIDDEN", "VALIDATION_FAILED"],
  transfer: ["FORBIDDEN"],
  transferType: ["VALIDATION_FAILED"],
  createOutgoingTransfer: [
    "FORBIDDEN",
    "VALIDATION_FAILED",
    "ACCOUNT_NOT_FOUND",
    "RECIPIENT_NOT_FOUND",
    "CURRENCY_MISMATCH",
    "IDEMPOTENCY_KEY_REUSED",
    "LEDGER_UNAVAILABLE",
  ],
  confirmTransfer: [...CONFIRMATION, "TRANSFER_DOCUMENT_REQUIRED"],
  verifyConfirmation: [...CONFIRMATION, "TRANSFER_DOCUMENT_REQUIRED"],
  resendConfirmationCode: [...TRANSFER_CHANGE, "CONFIRMATION_LIMIT_REACHED"],
  cancelTransfer: [...TRANSFER_CHANGE, "LEDGER_UNAVAILABLE"],
  reconciliationReport: ["FORBIDDEN", "VALIDATION_FAILED", "LEDGER_UNAVAILABLE"],
  executeTransfer: TRANSFER_RUN,
  continueTransfer: TRANSFER_RUN,
  assignIncomingTransfer: [...TRANSFER_CHANGE, ...LEDGER_REFUSALS, "LEDGER_UNAVAILABLE"],
  receiveIncomingTransfer: [
    "FORBIDDEN",
    "VALIDATION_FAILED",
    "INCOMING_ALREADY_RECEIVED",
    "LEDGER_UNAVAILABLE",
  ],
  fxQuote: [
    "FORBIDDEN",
    "VALIDATION_FAILED",
    "ACCOUNT_NOT_FOUND",
    "FX_RATE_UNAVAILABLE",
    "LEDGER_UNAVAILABLE",
  ],
  createFxTransfer: [
    "VALIDATION_FAILED",
    "QUOTE_NOT_FOUND",
    "QUOTE_EXPIRED",
    "QUOTE_ALREADY_USED",
    "IDEMPOTENCY_KEY_REUSED",
    ...LEDGER_REFUSALS,
    "LEDGER_UNAVAILABLE",
  ],
  // documents (upload steps: gateway/documents/rest.ts)
  createClientDocumentUpload: [...DOCUMENT_UPLOAD, "CLIENT_NOT_FOUND"],
  createTransferDocumentUpload: [...DOCUMENT_UPLOAD, "TRANSFER_NOT_FOUND"],
  deleteClientDocument: ["FORBIDDEN", "VALIDATION_FAILED", "DOCUMENT_NOT_FOUND"],
  deleteTransferDocument: ["FORBIDDEN", "VALIDATION_FAILED", "DOCUMENT_NOT_FOUND"],
};

/** The shim's own codes for a route: its caller kind, its input checks, its body, its 404. */
function shimErrors(route: RestRoute): ErrorCode[] {
  const { params, query, headers, body } = route.input ?? {};
  return [
    ...(route.auth === "system" ? (["FORBIDDEN"] as const) : []),
    ...(params || query || headers || body ? (["VALIDATION_FAILED"] as const) : []),
    ...(body ? (["PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE"] as const) : []),
    ...(route.notFoundCode ? [route.notFoundCode] : []),
  ];
}

/** Every code `route` can answer, in the registry's order. */
export function routeErrorCodes(route: RestRoute): ErrorCode[] {
  const codes = new Set<ErrorCode>([...ANY_ROUTE, ...shimErrors(route)]);
  for (const field of rootFieldsOf(operationOf(route.operation))) {
    const useCase = USE_CASE_ERRORS[field.name.value];
    if (!useCase)
      throw new Error(`no error codes listed for ${field.name.value} (gateway/rest/error-codes.ts)`);
    useCase.forEach((code) => codes.add(code));
  }
  return (Object.keys(ERROR_CODES) as ErrorCode[]).filter((code) => codes.has(code));
}
