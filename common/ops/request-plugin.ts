import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLError, GraphQLFormattedError } from "graphql";
import { log } from "../log";
import { currentRequestScope, type RequestScope } from "../request-id";
import { codeLabel, outcomeOf, type ServiceMetrics } from "./metrics";

interface Finished {
  /** The operation's name: resolved from the document, else as the caller sent it. */
  operation: unknown;
  outcome: string;
  startedAt: number;
  requestId: string | undefined;
}

/**
 * Observes every GraphQL request of a service (the gateway and each subgraph alike): counts
 * and times it by operation name and outcome (`graphql_requests_total`,
 * `graphql_request_duration_seconds`) and logs it as one line with its request id. Requests
 * refused before a context existed (no or a bad bearer token, a malformed request, a document
 * beyond the limits of its text) are observed too, under the operation label `refused`. Variables are never logged: they hold personal data
 * and one-time codes.
 */
export function requestObserverPlugin<TContext extends { requestId: string }>(
  metrics: ServiceMetrics,
): ApolloServerPlugin<TContext> {
  const finish = (finished: Finished) => observeRequest(metrics, finished);
  const refused = (error: Error) =>
    observeRefused(metrics, (error as Partial<GraphQLError>).extensions?.code);
  return {
    async requestDidStart({ request, contextValue }) {
      const startedAt = performance.now();
      return {
        async willSendResponse({ response, operationName }) {
          const result =
            response.body.kind === "single" ? response.body.singleResult : response.body.initialResult;
          finish({
            // The name in the document when it resolved; one the document lacks is not a label.
            operation: operationName ?? (request.operationName ? "unresolved" : undefined),
            outcome: outcomeOf(result.errors),
            startedAt,
            requestId: contextValue.requestId,
          });
        },
      };
    },
    async contextCreationDidFail({ error }) {
      refused(error);
    },
    async invalidRequestWasReceived({ error }) {
      refused(error);
    },
  };
}

/**
 * Observes an operation the direct path ran (common/graphql/direct-execution.ts), as the plugin
 * would have, timed from the start of its request (`startedAt`).
 */
export function observeDirect(
  metrics: ServiceMetrics,
  operation: string | null,
  errors: readonly GraphQLFormattedError[] | undefined,
  { requestId, startedAt }: Pick<RequestScope, "requestId" | "startedAt">,
): void {
  observeRequest(metrics, { operation, outcome: outcomeOf(errors), startedAt, requestId });
}

/** Counts, times and logs one finished request (the plugin's, or one the direct path ran). */
function observeRequest(
  metrics: ServiceMetrics,
  { operation, outcome, startedAt, requestId }: Finished,
): void {
  const label = metrics.operationLabel(operation);
  const durationMs = performance.now() - startedAt;
  metrics.recordRequest(label, outcome, durationMs / 1000);
  // At level `warn` (production-like runs) the line is dropped: do not build it for nothing.
  if (!log.isLevelEnabled("info")) return;
  log.info(
    {
      service: metrics.service,
      requestId,
      operation: label,
      outcome,
      durationMs: Math.round(durationMs * 10) / 10,
    },
    "graphql request",
  );
}

/**
 * A request refused before it had an operation (no or a bad token, a malformed request, a
 * document beyond the operation limits of its text), observed under the label `refused`, timed
 * from the start of its request (`scope`: the request scope it runs in, unless it names one).
 */
export function observeRefused(
  metrics: ServiceMetrics,
  code: unknown,
  scope: RequestScope | undefined = currentRequestScope(),
): void {
  observeRequest(metrics, {
    // Never the caller's own name: an unauthenticated caller must not fill the label cap.
    operation: "refused",
    outcome: codeLabel(code) ?? "INTERNAL_SERVER_ERROR",
    startedAt: scope?.startedAt ?? performance.now(),
    requestId: scope?.requestId,
  });
}
