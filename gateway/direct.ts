/**
 * The gateway's engine for the direct path (common/graphql/direct-execution.ts, decision 0042): a
 * validated operation goes straight to @apollo/gateway's executor, with the request context Apollo
 * Server would have built for it, and its answer gets the statuses of the gateway's own plugins.
 * The query plan cache is the one Apollo Server's requests use (same query hash). An operation
 * whose plan is known to be one fetch runs without the executor (gateway/one-fetch.ts, decision 0047).
 */
import { createHash } from "node:crypto";
import type { ApolloGateway } from "@apollo/gateway";
import type { ApolloServer } from "@apollo/server";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import type { DocumentNode, GraphQLSchema } from "graphql";
import { type DirectEngine, variablesCoerce } from "../common/graphql/direct-execution";
import type { GatewayContext } from "./context";
import { failedRequestHead } from "./gateway";
import { executeOneFetch, type QueryPlanMemory } from "./one-fetch";

/**
 * The engine over `gateway`, which `apollo` serves; `schema` is the API schema as last loaded;
 * `plans` is the memory the gateway's `experimental_didResolveQueryPlan` fills.
 */
export function gatewayEngine(
  gateway: ApolloGateway,
  apollo: ApolloServer<GatewayContext>,
  schema: () => GraphQLSchema,
  plans: QueryPlanMemory,
): DirectEngine {
  // Apollo Server's query hash (sha256 of the text): the key of the gateway's query plans.
  const hashes = new WeakMap<DocumentNode, string>();
  return {
    schema,
    execute: async (request, contextValue) => {
      // The executor's answer is final once it runs: what does not coerce is Apollo Server's.
      if (!variablesCoerce(schema(), request)) return undefined;
      const plan = plans.planOf(request.document, request.operationName);
      // The one-fetch path looks no plan up by hash: none is computed for it.
      let queryHash = plan ? "" : hashes.get(request.document);
      if (queryHash === undefined) {
        queryHash = createHash("sha256").update(request.query).digest("hex");
        hashes.set(request.document, queryHash);
      }
      const requestContext: GatewayGraphQLRequestContext = {
        request: {
          query: request.query,
          ...(request.operationName === undefined ? {} : { operationName: request.operationName }),
          ...(request.variables === undefined ? {} : { variables: request.variables }),
        },
        response: { http: { headers: new Headers(), status: undefined } },
        logger: apollo.logger,
        schema: schema(),
        schemaHash: "" as GatewayGraphQLRequestContext["schemaHash"],
        context: contextValue as Record<string, unknown>,
        cache: apollo.cache,
        queryHash,
        document: request.document,
        source: request.query,
        operationName: request.operation.name?.value ?? null,
        operation: request.operation,
        metrics: {},
        overallCachePolicy: undefined,
        requestIsBatched: false,
      };
      if (plan) return executeOneFetch(plan, requestContext);
      if (plan === undefined) plans.watch(requestContext);
      return gateway.executor(requestContext);
    },
    finish: (answer, data) => {
      const head = failedRequestHead(data, answer.errors);
      if (!head) return;
      answer.status = head.status;
      if (head.retryAfter) answer.headers.set("retry-after", "1");
    },
  };
}
