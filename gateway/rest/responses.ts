/**
 * The two answer shapes of the REST shim.
 * - `/internal` routes answer the documented result envelope
 *   `{isFailed, isSuccess, reasons, errors, successes, valueOrDefault, value}`, for errors too.
 * - Other routes answer their documented body, and errors as RFC 9457 problem details.
 * Either way each error names its stable `code` and, for input, the `field` and `rule`.
 */
import type { Response } from "express";
import { type ErrorCode, ERROR_CODES, type FieldError, statusOf } from "../../common/errors";

/** An error as the shim reports it. */
export interface RestError {
  code: string;
  message: string;
  /** Input problems, one per broken rule. */
  fields?: FieldError[];
  /** Non-sensitive facts from the service (e.g. `clientId` of an existing client). */
  details?: Record<string, unknown>;
}

export type Style = "envelope" | "plain";

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
        title: ERROR_CODES[error.code as ErrorCode]?.description ?? error.code,
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
