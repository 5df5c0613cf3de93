import { ApolloGateway, type GraphQLDataSource, type GraphQLDataSourceProcessOptions } from "@apollo/gateway";
import type { ApolloServerPlugin, GraphQLRequestListener } from "@apollo/server";
import type { GatewayGraphQLResponse } from "@apollo/server-gateway-interface";
import { GraphQLError, type GraphQLFormattedError, parse } from "graphql";
import { statusOf } from "../common/errors";
import { codeLabel, outcomeOf } from "../common/ops/metrics";
import type { GatewayContext } from "./context";
import {
  type SubgraphTarget,
  subgraphTarget,
  type SubgraphTransport,
} from "../common/graphql/subgraph-transport";
import type { QueryPlanMemory } from "./one-fetch";
import { subgraphBody } from "./subgraph-body";
import type { SubgraphFetches } from "./ops";
import { joinGraphs } from "./supergraph";

/**
 * One subgraph as the query planner sees it: forwards the caller's identity and the request id
 * with every call, sends it through the {@link SubgraphTransport} (which retries only a request
 * that never left, so a mutation cannot be applied twice), and times each call.
 */
class SubgraphDataSource implements GraphQLDataSource<GatewayContext> {
  private readonly target: SubgraphTarget;

  constructor(
    url: string,
    private readonly subgraph: string,
    private readonly transport: SubgraphTransport,
    private readonly fetches: SubgraphFetches | undefined,
  ) {
    this.target = subgraphTarget(subgraph, url);
  }

  /** The whole call, by outcome: `ok`, the first error's code, or `FETCH_FAILED` (no answer to read). */
  async process({
    request,
    context,
  }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<GatewayGraphQLResponse> {
    // An event query's own calls (gateway/subscriptions/event-fetch.ts): nothing goes out.
    if ("planning" in context && context.planning) {
      context.planning({ subgraph: this.subgraph, query: request.query ?? "" });
      return { data: null };
    }
    const prefetched = "prefetched" in context ? context.prefetched : undefined;
    if (prefetched?.subgraph === this.subgraph && prefetched.operation === request.query)
      return prefetched.answer;
    const done = this.fetches?.startTimer(this.subgraph);
    const headers: Record<string, string> = { "content-type": "application/json" };
    // Health checks and schema loads carry no caller.
    if ("authorization" in context) {
      headers.authorization = context.authorization;
      headers["x-request-id"] = context.requestId;
    }
    try {
      const answer = await this.transport.post(this.target, headers, subgraphBody(request));
      const response = this.read(answer.status, answer.body);
      done?.(outcomeOf(response.errors));
      return response;
    } catch (error) {
      done?.(codeLabel((error as Partial<GraphQLError>).extensions?.code) ?? "FETCH_FAILED");
      throw error;
    }
  }

  /**
   * A GraphQL answer of any status is passed on as it is, so a subgraph that refuses a request
   * as a whole (a 4xx: a variable its scalars cannot read, a token it will not take) keeps its
   * own code instead of a generic "400: Bad Request" that reads as our fault. A body that is
   * not a GraphQL answer is a fault: of a proxy in between (502, 503, 504: the subgraph is
   * unavailable) or of the subgraph (anything else).
   */
  private read(status: number, body: string): GatewayGraphQLResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = undefined;
    }
    const answer = parsed as GatewayGraphQLResponse | undefined;
    if (answer && typeof answer === "object" && ("data" in answer || Array.isArray(answer.errors))) {
      return answer;
    }
    if (status === 502 || status === 503 || status === 504) {
      // A proxy in between answered: whether the subgraph ran the request is not known.
      throw new GraphQLError(
        `The ${this.subgraph} service is unavailable (${status}); it may have been applied: retry with the same idempotency key, or read the state first`,
        { extensions: { code: "SUBGRAPH_UNAVAILABLE", requestSent: true } },
      );
    }
    throw new Error(`The ${this.subgraph} subgraph answered ${status} without a GraphQL body`);
  }
}

/**
 * A gateway over the committed supergraph; `subgraphUrls` overrides the URLs written in it.
 * Every subgraph call goes through `transport`; `fetches`, when given, times each one; `plans`,
 * when given, learns the plans of the direct path's operations (gateway/one-fetch.ts).
 */
export function createGateway(
  supergraphSdl: string,
  subgraphUrls: Record<string, string>,
  transport: SubgraphTransport,
  fetches?: SubgraphFetches,
  plans?: QueryPlanMemory,
): ApolloGateway {
  // @apollo/gateway 2.14 otherwise probes cloud metadata endpoints (169.254.169.254...) and sends
  // usage metrics to Apollo at start-up. A bank's gateway phones nobody: this is its only switch.
  // See docs/decisions/0008-no-outbound-telemetry.md.
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  const gateway = new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => {
      const target = subgraphUrls[name] ?? url;
      if (!target) throw new Error(`the supergraph names no URL for subgraph "${name}"`);
      return new SubgraphDataSource(target, name, transport, fetches);
    },
    ...(plans ? { experimental_didResolveQueryPlan: plans.didResolveQueryPlan } : {}),
  });
  plans?.attach(gateway);
  return gateway;
}

/**
 * Every subgraph's GraphQL URL: the one written in the supergraph (`@join__graph`), or its
 * override. The subscription relay reaches a subgraph's graphql-ws endpoint through it.
 */
export function subgraphUrlsOf(
  supergraphSdl: string,
  overrides: Record<string, string>,
): Record<string, string> {
  const urls: Record<string, string> = {};
  for (const { name, url } of joinGraphs(parse(supergraphSdl)).values()) urls[name] = url;
  return { ...urls, ...overrides };
}

/**
 * Operations @apollo/gateway would answer with a 500 although the caller is at fault: an
 * `operationName` the document does not contain, and a subscription (it cannot execute one).
 * Both answer 400 and say what to do.
 */
export const callerMistakesPlugin: ApolloServerPlugin<GatewayContext> = {
  requestDidStart: async () => CALLER_MISTAKES,
};

// One listener for every request (hooks get the request as an argument): nothing built per request.
const CALLER_MISTAKES: GraphQLRequestListener<GatewayContext> = {
  async didResolveOperation({ operation, request }) {
    if (!operation) {
      throw new GraphQLError(
        request.operationName
          ? `The document has no operation named "${request.operationName}"`
          : "The document has several operations: name the one to run in operationName",
        { extensions: { code: "BAD_REQUEST", http: { status: 400 } } },
      );
    }
    if (operation.operation !== "subscription") return;
    throw new GraphQLError(
      "Subscriptions are served over WebSocket: connect to this same URL with graphql-ws (protocol graphql-transport-ws)",
      { extensions: { code: "BAD_REQUEST", http: { status: 400 } } },
    );
  },
};

/**
 * GraphQL answers 200 even with errors, but a request that failed as a whole (no root field has
 * data) answers the status of why: 401 or 403 when the first error says who the caller is, 503
 * when a subgraph could not be reached or did not answer, so that HTTP clients and proxies can
 * tell "retry later" from a refusal; `Retry-After` only when no part of it was sent (a retry of
 * the request as it is cannot apply anything twice). A partial answer stays 200 with its errors.
 */
export const failedRequestStatusPlugin: ApolloServerPlugin<GatewayContext> = {
  requestDidStart: async () => FAILED_REQUEST_STATUS,
};

const FAILED_REQUEST_STATUS: GraphQLRequestListener<GatewayContext> = {
  async willSendResponse({ response }) {
    if (response.body.kind !== "single") return;
    const { data, errors } = response.body.singleResult;
    const head = failedRequestHead(data, errors);
    if (!head) return;
    response.http.status = head.status;
    if (head.retryAfter) response.http.headers.set("retry-after", "1");
  },
};

/**
 * The status of an answer that failed as a whole ({@link failedRequestStatusPlugin}), and whether
 * it invites a retry (`Retry-After: 1`); undefined when it stays as it is.
 */
export function failedRequestHead(
  data: Record<string, unknown> | null | undefined,
  errors: ReadonlyArray<GraphQLFormattedError> | undefined,
): { status: number; retryAfter: boolean } | undefined {
  if (!errors?.length || (data && Object.values(data).some((value) => value !== null))) return undefined;
  const unavailable = errors.filter((error) => error.extensions?.code === "SUBGRAPH_UNAVAILABLE");
  if (unavailable.length) {
    // An invitation to repeat the request as it is, only when none of it may have been applied.
    const retryAfter = unavailable.every((error) => error.extensions?.requestSent === false);
    return { status: 503, retryAfter };
  }
  const status = statusOf(errors[0].extensions?.code);
  return status === 401 || status === 403 ? { status, retryAfter: false } : undefined;
}
