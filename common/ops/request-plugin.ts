import type { ApolloServerPlugin } from "@apollo/server";
import type { GraphQLError } from "graphql";
import { log } from "../log";
import { currentRequestScope } from "../request-id";
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
 * refused before a context existed (no or a bad bearer token, a malformed request) are
 * observed too, under the operation label `refused`. Variables are never logged: they hold personal data
 * and one-time codes.
 */
export function requestObserverPlugin<TContext extends { requestId: string }>(
  metrics: ServiceMetrics,
): ApolloServerPlugin<TContext> {
  const finish = ({ operation, outcome, startedAt, requestId }: Finished) => {
    const label = metrics.operationLabel(operation);
    const durationMs = performance.now() - startedAt;
    metrics.recordRequest(label, outcome, durationMs / 1000);
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
  };
  const refused = (error: Error) => {
    const scope = currentRequestScope();
    finish({
      // Never the caller's own name: an unauthenticated caller must not fill the label cap.
      operation: "refused",
      outcome: codeLabel((error as Partial<GraphQLError>).extensions?.code) ?? "INTERNAL_SERVER_ERROR",
      startedAt: scope?.startedAt ?? performance.now(),
      requestId: scope?.requestId,
    });
  };
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
