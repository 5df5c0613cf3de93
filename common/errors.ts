/**
 * The registry of every error code the API can return. GraphQL puts the code in
 * `extensions.code`; the REST shim answers with the status listed here. The README's
 * error table is tested against this registry.
 */
export const ERROR_CODES = {
  UNAUTHENTICATED: {
    status: 401,
    description: "No bearer token, or one that is expired, malformed or wrongly signed.",
  },
  FORBIDDEN: {
    status: 403,
    description:
      "The token is valid but may not do this: a front-office token calling a system operation or reaching another client's data.",
  },
  VALIDATION_FAILED: {
    status: 400,
    description:
      "The input broke field rules; `extensions.fields` lists each `{field, rule, message}` (REST: one entry per field in `errors`).",
  },
  BAD_USER_INPUT: {
    status: 400,
    description:
      "GraphQL could not coerce an argument or variable (wrong type, missing required field, unknown enum value).",
  },
  GRAPHQL_PARSE_FAILED: {
    status: 400,
    description: "The GraphQL document is not valid GraphQL syntax; the message says where.",
  },
  GRAPHQL_VALIDATION_FAILED: {
    status: 400,
    description:
      "The GraphQL document asks for something the schema does not have or allow (an unknown field, a missing argument, introspection where it is off); the message says what.",
  },
  PERSISTED_QUERY_NOT_FOUND: {
    status: 200,
    description:
      "An automatic persisted query's hash is not known to the server: send the request again with the whole query (Apollo clients do this by themselves).",
  },
  BAD_REQUEST: {
    status: 400,
    description: "The HTTP request itself is malformed, for example a body that is not valid JSON.",
  },
  NOT_FOUND: { status: 404, description: "No REST route has this method and path." },
  CLIENT_NOT_FOUND: { status: 404, description: "No client has this id." },
  CLIENT_ALREADY_EXISTS: {
    status: 409,
    description: "A client with this `externalId` was already imported.",
  },
  CLIENT_INVALID_STATUS_TRANSITION: {
    status: 409,
    description:
      "The client's current status does not allow this change (see the status table in the README).",
  },
  ACCOUNT_NOT_FOUND: {
    status: 404,
    description:
      "No account has this id or number. (A front-office caller gets FORBIDDEN for any account not its own, existing or not.)",
  },
  ACCOUNT_NOT_ACTIVE: {
    status: 409,
    description:
      "An account of the payment is BLOCKED or CLOSED; only ACTIVE accounts take new payments. A CLOSED account takes no other change either (updateAccount, step-up codes: sendAccountOtp, verifyAccountOtp).",
  },
  ACCOUNT_INVALID_STATUS_TRANSITION: {
    status: 409,
    description:
      "The account's status cannot change that way (ACTIVE <-> BLOCKED; CLOSED only by closeAccount, and final).",
  },
  ACCOUNT_NOT_EMPTY: {
    status: 409,
    description: "The account still has a posted balance or held funds; only an empty account can be closed.",
  },
  OVERDRAFT_LIMIT_IN_USE: {
    status: 409,
    description: "The new overdraft limit is below what the account already uses.",
  },
  CURRENCY_MISMATCH: {
    status: 400,
    description: "The payment's accounts hold different currencies; exchange belongs to FX transfers.",
  },
  INSUFFICIENT_FUNDS: {
    status: 409,
    description:
      "The debit account's available balance (posted - held + overdraft limit) is less than the amount.",
  },
  PAYMENT_NOT_FOUND: { status: 404, description: "No payment has this id." },
  PAYMENT_INVALID_STATE: {
    status: 409,
    description:
      "The payment's status does not allow this operation (DRAFT -> PENDING -> POSTED; DRAFT|PENDING -> CANCELLED).",
  },
  IDEMPOTENCY_KEY_REUSED: {
    status: 409,
    description: "This idempotency key was already used for a different request; the first one stands.",
  },
  BATCH_NOT_APPLIED: {
    status: 409,
    description:
      "An item of an all-or-nothing payment batch (`createPayments(allOrNothing: true)`) that was not made because another item was refused (that item carries its own code); nothing of the batch was applied, and its keys may be used again.",
  },
  TRANSACTION_NOT_FOUND: { status: 404, description: "No ledger transaction has this id." },
  RECIPIENT_NOT_FOUND: { status: 404, description: "No recipient has this id." },
  RECIPIENT_ALREADY_EXISTS: {
    status: 409,
    description: "The client already has a recipient with this IBAN in this currency.",
  },
  TRANSFER_NOT_FOUND: { status: 404, description: "No transfer has this id." },
  TRANSFER_ALREADY_FINISHED: {
    status: 409,
    description:
      "The transfer is COMPLETED, FAILED or CANCELLED: there is no step left to run, and nothing was moved.",
  },
  TRANSFER_INVALID_STATE: {
    status: 409,
    description:
      "The transfer's status does not allow this action (for example cancelling one the rail already has, or assigning one that was recognised).",
  },
  TRANSFER_BUSY: {
    status: 409,
    description:
      "Another request or worker is running this transfer's next step right now; ask again in a moment.",
  },
  CONFIRMATION_NOT_FOUND: {
    status: 404,
    description:
      "No open one-time code (a transfer's confirmation or an account step-up): the id is unknown, or the code was already used or replaced.",
  },
  CONFIRMATION_CODE_INVALID: {
    status: 400,
    description:
      "The one-time code is wrong; `attemptsLeft` says how many tries remain before the confirmation locks.",
  },
  CONFIRMATION_EXPIRED: {
    status: 410,
    description:
      "The one-time code has expired; ask for a new one (resendConfirmationCode, or sendAccountOtp again).",
  },
  CONFIRMATION_LOCKED: {
    status: 423,
    description:
      "Too many wrong codes; only a new code (resendConfirmationCode, or sendAccountOtp again) can be verified.",
  },
  CONFIRMATION_LIMIT_REACHED: {
    status: 429,
    description:
      "As many codes were sent as allowed (OTP_MAX_CODES): for a transfer, cancel it and create a new one; for an account action, wait (the count is over 24 hours).",
  },
  STEP_UP_REQUIRED: {
    status: 403,
    description:
      "A front-office caller needs a step-up grant for this account action (closing an account): verify a code from sendAccountOtp and pass the grant (`otpGrant`; REST header `X-Otp-Grant`). `reason` says what was wrong: `missing`, `unknown` (not this caller's, this account's or this action's), `expired` or `used` (a grant allows one action).",
  },
  QUOTE_NOT_FOUND: { status: 404, description: "No FX quote has this id (or it belongs to another client)." },
  QUOTE_EXPIRED: {
    status: 410,
    description: "The FX quote's rate is no longer guaranteed; ask for a new quote.",
  },
  QUOTE_ALREADY_USED: {
    status: 409,
    description: "The FX quote was already used by another transfer; a quote buys one transfer.",
  },
  FX_RATE_UNAVAILABLE: {
    status: 422,
    description: "The rate table (FX_RATES) has no rate for this currency pair.",
  },
  INCOMING_ALREADY_RECEIVED: {
    status: 409,
    description:
      "An incoming transfer with this external id was already received with different details; the first one stands.",
  },
  LEDGER_UNAVAILABLE: {
    status: 503,
    description:
      "The ledger could not be reached; the transfer is kept where it stopped and can be continued.",
  },
  SUBGRAPH_UNAVAILABLE: {
    status: 503,
    description:
      "A service behind the gateway could not be reached or did not answer. `requestSent: false`: nothing was applied, retry after a moment (`Retry-After`). `requestSent: true`: it may have been applied; retry only with the same idempotency key (which answers the first result), or read the state first.",
  },
  OPERATION_LIMIT_EXCEEDED: {
    status: 400,
    description:
      "The operation is too large or too expensive to run: `extensions.limit` names the limit (`depth`, `aliases`, `tokens`, `directives`, `cost`, `variableDepth`) with its `max` and the `actual` value. Ask for less (smaller `first`, fewer aliases or levels).",
  },
  TOO_MANY_SUBSCRIPTIONS: {
    status: 429,
    description:
      "Too many operations open: the connection already holds WS_MAX_SUBSCRIPTIONS_PER_CONNECTION (complete one or open another connection), or the caller holds WS_MAX_SUBSCRIPTIONS_PER_CALLER across its connections to this gateway instance, counted per token subject and, for front-office tokens, per client as well (complete one). The message names the limit.",
  },
  SUBSCRIPTION_INTERRUPTED: {
    status: 503,
    description:
      "The gateway ended or refused the subscription: the transfer subgraph's stream was lost, an event could not be resolved after a few tries, the subscriber fell too far behind, or the gateway is stopping. Subscribe again with `after` set to the position of the last event received: every later event of the filter follows once, nothing missed.",
  },
  DOCUMENT_NOT_FOUND: {
    status: 404,
    description:
      "No document has this id under this owner, or it was deleted (its record stays in the list with `status` DELETED).",
  },
  DOCUMENT_UPLOAD_NOT_FOUND: { status: 404, description: "No document upload has this id." },
  DOCUMENT_UPLOAD_INVALID_STATE: {
    status: 409,
    description:
      "The upload cannot take this step: its URL was already used (an upload URL works once), its bytes have not arrived yet, or it was completed, cancelled or failed. Create a new upload.",
  },
  DOCUMENT_URL_EXPIRED: {
    status: 410,
    description:
      "The signed upload or download URL has expired (DOCUMENTS_URL_TTL_SECONDS); ask for a new one (a new upload, or read `downloadUrl` again).",
  },
  DOCUMENT_TOO_LARGE: {
    status: 413,
    description:
      "The document is larger than DOCUMENTS_MAX_BYTES, or its body is longer than the size declared for the upload; nothing was kept.",
  },
  DOCUMENT_TYPE_NOT_ALLOWED: {
    status: 415,
    description:
      "The content type is not in DOCUMENTS_CONTENT_TYPES, or the bytes' signature shows another type than the one declared (a program named `.pdf`); nothing was kept.",
  },
  DOCUMENT_SIZE_MISMATCH: {
    status: 400,
    description: "The body's length differs from the size declared for the upload; nothing was kept.",
  },
  DOCUMENT_CHECKSUM_MISMATCH: {
    status: 400,
    description: "The body's SHA-256 differs from the one declared for the upload; nothing was kept.",
  },
  TRANSFER_DOCUMENT_REQUIRED: {
    status: 409,
    description:
      "The outgoing transfer is above TRANSFER_DOCUMENT_REQUIRED_ABOVE for its currency: upload a supporting document (an invoice, a contract) before confirming it.",
  },
  PAYLOAD_TOO_LARGE: { status: 413, description: "The request body is larger than REST_BODY_LIMIT." },
  UNSUPPORTED_MEDIA_TYPE: {
    status: 415,
    description: "A request body was sent with a content type other than application/json.",
  },
  INTERNAL_SERVER_ERROR: {
    status: 500,
    description:
      "An unexpected fault. Never caused by input; details are in the server log under the request id.",
  },
} as const satisfies Record<string, { status: number; description: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One broken rule of one input field, e.g. `{ field: "address.city", rule: "matches" }`. */
export interface FieldError {
  field: string;
  rule: string;
  message: string;
}

/**
 * An expected failure with a stable code. Thrown by use cases and domain rules;
 * turned into a GraphQL error by the subgraph's `formatError`.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Extra, non-sensitive facts for the caller (`fields`, `clientId`, `from`, `to`...). */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "AppError";
  }
}

/**
 * The error details a caller may see (GraphQL `extensions`, REST error metadata). Anything
 * else a library attaches (subgraph URLs and bodies, service names, stack traces) is dropped.
 */
export const PUBLIC_ERROR_DETAILS = [
  "code",
  "fields",
  "field",
  "from",
  "to",
  "clientId",
  "externalId",
  "accountId",
  "paymentId",
  "status",
  "currency",
  "recipientId",
  "transferId",
  "confirmationId",
  "quoteId",
  "attemptsLeft",
  "expiresAt",
  "limit",
  "max",
  "actual",
  "requestSent",
  "action",
  "reason",
  "documentId",
  "uploadId",
];

/** True for a code of the registry: the only codes a client may see. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === "string" && Object.hasOwn(ERROR_CODES, code);
}

/** Status for a code; unknown codes (from a future subgraph) count as 500. */
export function statusOf(code: unknown): number {
  return isErrorCode(code) ? ERROR_CODES[code].status : 500;
}

export function validationError(fields: FieldError[]): AppError {
  const summary = fields.map((f) => `${f.field} (${f.rule})`).join(", ");
  return new AppError("VALIDATION_FAILED", `Invalid input: ${summary}`, { fields });
}
