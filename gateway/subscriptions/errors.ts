/**
 * How the graphql-ws endpoint refuses: close codes for a connection, error codes (from the
 * registry, common/errors.ts) for one operation.
 */
import { CloseCode } from "graphql-ws";
import type { GraphQLFormattedError } from "graphql";
import type { ErrorCode } from "../../common/errors";

/** Close codes of the gateway's sockets. */
export const CLOSE_CODES = {
  /** No token in the connection_init payload. */
  unauthorized: CloseCode.Unauthorized,
  /** A token the verifier refuses. */
  forbidden: CloseCode.Forbidden,
  /** The gateway already holds WS_MAX_CONNECTIONS sockets. */
  tooManyConnections: 4429,
  /** The gateway is stopping. */
  goingAway: 1001,
} as const;

/** The registry's codes an operation on the socket may end with. */
export type SubscriptionErrorCode = Extract<ErrorCode, "TOO_MANY_SUBSCRIPTIONS" | "SUBSCRIPTION_INTERRUPTED">;

/** A formatted error as graphql-ws sends it. */
export function subscriptionError(code: SubscriptionErrorCode, message: string): GraphQLFormattedError {
  return { message, extensions: { code } };
}

/** Thrown by a subscriber's stream to end it with these errors (graphql-ws sends them as `error`). */
export class SubscriptionFailure extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors[0]?.message ?? "The subscription failed");
    this.name = "SubscriptionFailure";
  }
}
