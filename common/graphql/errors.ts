import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import { AppError, isErrorCode, PUBLIC_ERROR_DETAILS, statusOf } from "../errors";
import { log } from "../log";
import { tokenLimitOf } from "./limits";

/** An {@link AppError} as a GraphQL error whose HTTP status Apollo Server uses when it fails the whole request. */
export function toGraphQLError(error: AppError): GraphQLError {
  return new GraphQLError(error.message, {
    extensions: { ...error.details, code: error.code, http: { status: statusOf(error.code) } },
  });
}

/**
 * Apollo Server's `formatError` for every service: an {@link AppError} keeps its code and
 * details; an unexpected fault is logged and masked, so no internals leak to callers.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = appErrorOf(error) ?? unwrapResolverError(error);
  if (original instanceof AppError) {
    return {
      ...formatted,
      message: original.message,
      extensions: { ...original.details, code: original.code },
    };
  }
  // Safety net: PostgreSQL refusing a value (class 22, data exception) is bad input, not a fault.
  const sqlState = (original as { driverError?: { code?: unknown } } | undefined)?.driverError?.code;
  if (typeof sqlState === "string" && sqlState.startsWith("22")) {
    log.warn({ sqlState, path: formatted.path }, "input refused by PostgreSQL");
    return {
      message: "A value in the input cannot be stored",
      path: formatted.path,
      extensions: { code: "VALIDATION_FAILED", fields: [] },
    };
  }
  const code = formatted.extensions?.code;
  if (!isErrorCode(code) || code === "INTERNAL_SERVER_ERROR") {
    // The registry is closed: a code it does not list (a library's) is a fault of ours, masked.
    if (code !== undefined && code !== "INTERNAL_SERVER_ERROR") {
      log.error({ code, message: formatted.message, path: formatted.path }, "unregistered error code");
    }
    // A subgraph's masked error reaches the gateway as a GraphQLError: it was logged where it happened.
    if (original instanceof Error && !(original instanceof GraphQLError)) {
      log.error({ err: original, path: formatted.path }, "unexpected error");
    }
    return {
      message: "Internal server error",
      path: formatted.path,
      extensions: { code: "INTERNAL_SERVER_ERROR" },
    };
  }
  return { ...formatted, extensions: publicDetails(formatted.extensions) };
}

/**
 * The AppError a request was refused with before it ran: one a validation rule or a plugin put
 * behind its GraphQLError (an operation limit), or graphql-js's parser stopping at the token
 * limit (which Apollo Server reports as GRAPHQL_PARSE_FAILED).
 */
function appErrorOf(error: unknown): AppError | undefined {
  if (error instanceof GraphQLError && error.originalError instanceof AppError) return error.originalError;
  return error instanceof GraphQLError ? tokenLimitOf(error) : undefined;
}

/** The error details a caller may see ({@link PUBLIC_ERROR_DETAILS}); the REST shim applies the same list. */
export function publicDetails(extensions: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(extensions ?? {}).filter(([key]) => PUBLIC_ERROR_DETAILS.includes(key)),
  );
}
