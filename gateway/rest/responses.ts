/**
 * The two answer shapes of the REST shim.
 * - `/internal` routes answer the documented result envelope
 *   `{isFailed, isSuccess, reasons, errors, successes, valueOrDefault, value}`, for errors too.
 * - Other routes answer their documented body, and errors as RFC 9457 problem details.
 * Either way each error names its stable `code` and, for input, the `field` and `rule`.
 */
import type { Response } from "express";
import { toRestSpelling } from "../../common/enum-spelling";
import { type ErrorCode, ERROR_CODES, type FieldError, isErrorCode, statusOf } from "../../common/errors";
import { publicDetails } from "../../common/graphql/errors";

/** An error as the shim reports it. */
export interface RestError {
  code: ErrorCode;
  message: string;
  /** Input problems, one per broken rule. */
  fields?: FieldError[];
  /** Non-sensitive facts from the service (e.g. `clientId` of an existing client). */
  details?: Record<string, unknown>;
}

export type Style = "envelope" | "plain";

/** `/internal` paths speak the result envelope, also for errors raised before a route is matched. */
export function styleOf(path: string): Style {
  return /^\/(v2\/)?(ledger\/)?internal\//i.test(path) ? "envelope" : "plain";
}

export function sendValue(res: Response, style: Style, value: unknown): void {
  if (style === "plain") {
    res.status(200).json(value);
    return;
  }
  res.status(200).json({
    isFailed: false,
    isSuccess: true,
    reasons: [],
    errors: [],
    successes: [],
    valueOrDefault: value,
    value,
  });
}

export function sendError(res: Response, style: Style, error: RestError, requestId: string): void {
  const status = statusOf(error.code);
  res.setHeader("x-request-id", requestId);
  if (style === "plain") {
    // RFC 9457 reserves `status` for the HTTP status; the state a refusal found (a transfer's
    // `completed`) is `currentStatus` here (the envelope's metadata keeps `status`).
    const { status: currentStatus, ...details } = error.details ?? {};
    res
      .status(status)
      .type("application/problem+json")
      .json({
        type: `urn:core-banking:error:${error.code}`,
        title: ERROR_CODES[error.code].description,
        status,
        detail: error.message,
        code: error.code,
        ...(error.fields ? { errors: error.fields } : {}),
        ...details,
        ...(currentStatus === undefined ? {} : { currentStatus }),
        requestId,
      });
    return;
  }
  // FluentResults-style: one IError per problem; input problems name field and rule in metadata.
  const errors = (error.fields?.length ? error.fields : [undefined]).map((field) => ({
    message: field ? field.message : error.message,
    metadata: {
      code: error.code,
      ...(field ? { field: field.field, rule: field.rule } : {}),
      ...(error.details ?? {}),
      requestId,
    },
    reasons: [],
  }));
  res.status(status).json({
    isFailed: true,
    isSuccess: false,
    reasons: errors.map(({ message, metadata }) => ({ message, metadata })),
    errors,
    successes: [],
    valueOrDefault: null,
    value: null,
  });
}

/** A GraphQL error as the operation's executor reports it. */
export interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

/** Details that name a state carry GraphQL enum names; REST speaks the documented spelling. */
const STATE_DETAILS = ["from", "to", "status"];

/**
 * The first error decides the answer: its code, its public details (the allow-list GraphQL
 * applies too), and for VALIDATION_FAILED its field list. Fields are renamed to the route's REST
 * input names by `restField`.
 */
export function restErrorOf(
  errors: ReadonlyArray<GraphQLErrorLike>,
  restField: (field: string) => string,
): RestError {
  const [first] = errors;
  const { code, fields, ...details } = publicDetails(first.extensions);
  return {
    code: isErrorCode(code) ? code : "INTERNAL_SERVER_ERROR",
    message: first.message,
    ...(Array.isArray(fields)
      ? { fields: (fields as FieldError[]).map((f) => restFieldError(f, restField)) }
      : {}),
    details: Object.fromEntries(
      Object.entries(details).map(([key, value]) => [key, restDetail(key, value, restField)]),
    ),
  };
}

function restFieldError(error: FieldError, restField: (field: string) => string): FieldError {
  const field = restField(error.field);
  const message =
    typeof error.message === "string" ? error.message.replace(error.field, field) : error.message;
  return { ...error, field, message };
}

function restDetail(key: string, value: unknown, restField: (field: string) => string): unknown {
  if (typeof value !== "string") return value;
  if (STATE_DETAILS.includes(key)) return toRestSpelling(value);
  return key === "field" ? restField(value) : value;
}
