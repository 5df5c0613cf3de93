/**
 * How the graphql-ws endpoint refuses: close codes for a connection, error codes (from the
 * registry, common/errors.ts) for one operation.
 */
import { CloseCode } from "graphql-ws";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { ErrorCode } from "../../common/errors";
import { formatError } from "../../common/graphql/errors";
import { log } from "../../common/log";
import type { RelayedOperation } from "./operation";

/** Close codes of the gateway's sockets (decision 0021). */
export const CLOSE_CODES = {
  /** No token in the connection_init payload. */
  unauthorized: CloseCode.Unauthorized,
  /** A token the verifier refuses. */
  forbidden: CloseCode.Forbidden,
  /**
   * Try again later (RFC 6455): the gateway already holds WS_MAX_CONNECTIONS sockets, or the
   * caller WS_MAX_CONNECTIONS_PER_CALLER; the reason names which. graphql-ws clients retry it
   * (with their backoff); 4429, used before, is graphql-ws's TooManyInitialisationRequests,
   * which they treat as fatal.
   */
  tryAgainLater: 1013,
  /** The gateway is stopping. */
  goingAway: 1001,
  /**
   * The gateway's own socket to a subgraph did not answer a ping in time. It is terminated,
   * not closed (a frozen peer never answers the closing handshake), so the code is the one its
   * close event reports to the relay and the log. A private-use code no graphql-ws code uses
   * (those are 4004, 4005, 4400, 4401, 4403, 4406, 4408, 4409, 4429, 4499, 4500, 4504).
   */
  upstreamPingTimeout: 4008,
} as const;

/** The registry's codes an operation on the socket may end with. */
export type SubscriptionErrorCode = Extract<ErrorCode, "TOO_MANY_SUBSCRIPTIONS" | "SUBSCRIPTION_INTERRUPTED">;

/** A formatted error as graphql-ws sends it. */
export function subscriptionError(code: SubscriptionErrorCode, message: string): GraphQLFormattedError {
  return { message, extensions: { code } };
}

/** An operation refused before it starts, as onSubscribe returns it to graphql-ws (sent as `error`). */
export function refusedOperation(
  code: SubscriptionErrorCode | Extract<ErrorCode, "UNAUTHENTICATED">,
  message: string,
): GraphQLError {
  return new GraphQLError(message, { extensions: { code } });
}

/** Thrown by a subscriber's stream to end it with these errors (graphql-ws sends them as `error`). */
export class SubscriptionFailure extends Error {
  constructor(readonly errors: readonly GraphQLFormattedError[]) {
    super(errors[0]?.message ?? "The subscription failed");
    this.name = "SubscriptionFailure";
  }
}

/** A subgraph's errors as a client may see them: the one formatting every answer gets. */
export function publicErrors(errors: readonly GraphQLFormattedError[]): GraphQLFormattedError[] {
  return errors.map((error) => formatError(error, undefined));
}

/** Why an upstream subscription ended with an error, for the clients it fed. */
export function upstreamFailure(error: unknown, subgraph: string): SubscriptionFailure {
  if (Array.isArray(error)) return new SubscriptionFailure(publicErrors(error as GraphQLFormattedError[]));
  const code = (error as { code?: unknown } | null)?.code;
  if (code === 4401 || code === 4403) {
    return new SubscriptionFailure([
      { message: `The ${subgraph} subgraph refused the token`, extensions: { code: "UNAUTHENTICATED" } },
    ]);
  }
  log.warn({ subgraph, code, err: error instanceof Error ? error : undefined }, "upstream subscription lost");
  return interrupted(`The ${subgraph} subgraph's stream was interrupted`);
}

/** Why a stream ended on an event it could not resolve: which event, and the codes its query got. */
export function unresolvedEvent(
  operation: RelayedOperation,
  event: Record<string, unknown>,
  codes: readonly unknown[],
): SubscriptionFailure {
  const which = operation.field.key.map((name) => `${name} ${String(event[name])}`).join(", ");
  const because = codes.filter((code) => typeof code === "string").join(", ");
  return interrupted(`The event (${which}) could not be resolved${because ? ` (${because})` : ""}`);
}

/** SUBSCRIPTION_INTERRUPTED, and how the client carries on. */
export function interrupted(what: string): SubscriptionFailure {
  return new SubscriptionFailure([
    subscriptionError(
      "SUBSCRIPTION_INTERRUPTED",
      `${what}; subscribe again with after: the position of the last event received (no gap, no duplicate)`,
    ),
  ]);
}
