import {
  ApolloGateway,
  RemoteGraphQLDataSource,
  type GraphQLDataSourceProcessOptions,
} from "@apollo/gateway";
import type { ApolloServerPlugin } from "@apollo/server";
import { GraphQLError, Kind, parse } from "graphql";
import type { Histogram } from "prom-client";
import { statusOf } from "../common/errors";
import { codeLabel, outcomeOf } from "../common/ops/metrics";
import type { GatewayContext } from "./context";

/** `subgraph_fetch_duration_seconds`: one observation per call to a subgraph. */
export type SubgraphFetchHistogram = Histogram<"subgraph" | "outcome">;

/**
 * Forwards the caller's identity and the request id to every subgraph call, and times each
 * call. The transport never retries: @apollo/gateway's default fetcher is built with
 * `retry: false`, so a mutation cannot be applied twice by a retried request.
 */
class ForwardingDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    url: string | undefined,
    private readonly subgraph: string,
    private readonly fetches: SubgraphFetchHistogram | undefined,
  ) {
    super({ url });
  }

  /** The whole call, by outcome: `ok`, the first error's code, or `FETCH_FAILED` (no answer to read). */
  override async process(
    options: GraphQLDataSourceProcessOptions<GatewayContext>,
  ): ReturnType<RemoteGraphQLDataSource<GatewayContext>["process"]> {
    const done = this.fetches?.startTimer({ subgraph: this.subgraph });
    try {
      const response = await super.process(options);
      done?.({ outcome: outcomeOf(response.errors) });
      return response;
    } catch (error) {
      done?.({ outcome: codeLabel((error as Partial<GraphQLError>).extensions?.code) ?? "FETCH_FAILED" });
      throw error;
    }
  }

  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): void {
    if (!("authorization" in context)) return; // health checks and schema loads carry no request
    request.http?.headers.set("authorization", context.authorization);
    request.http?.headers.set("x-request-id", context.requestId);
  }

  /**
   * A subgraph refuses a request as a whole with a 4xx and GraphQL errors (a variable its
   * scalars cannot read, a token it will not take). Keep the subgraph's first error, code
   * included, instead of the library's generic "400: Bad Request" that reads as our fault.
   */
  override async errorFromResponse(
    response: Parameters<RemoteGraphQLDataSource["errorFromResponse"]>[0],
  ): Promise<GraphQLError> {
    const body = (await response
      .clone()
      .json()
      .catch(() => undefined)) as
      { errors?: Array<{ message?: unknown; extensions?: Record<string, unknown> }> } | undefined;
    const first = body?.errors?.[0];
    if (response.status >= 400 && response.status < 500 && typeof first?.message === "string") {
      return new GraphQLError(first.message, { extensions: first.extensions ?? {} });
    }
    return super.errorFromResponse(response);
  }
}

/**
 * A gateway over the committed supergraph; `subgraphUrls` overrides the URLs written in it.
 * `fetches`, when given, times every subgraph call.
 */
export function createGateway(
  supergraphSdl: string,
  subgraphUrls: Record<string, string>,
  fetches?: SubgraphFetchHistogram,
): ApolloGateway {
  // @apollo/gateway 2.14 otherwise probes cloud metadata endpoints (169.254.169.254...) and sends
  // usage metrics to Apollo at start-up. A bank's gateway phones nobody: this is its only switch.
  // See docs/decisions/0008-no-outbound-telemetry.md.
  process.env.APOLLO_TELEMETRY_DISABLED = "true";
  return new ApolloGateway({
    supergraphSdl,
    buildService: ({ name, url }) => new ForwardingDataSource(subgraphUrls[name] ?? url, name, fetches),
  });
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
  for (const definition of parse(supergraphSdl).definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== "join__Graph") continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === "join__graph");
      const arg = (name: string) => {
        const found = graph?.arguments?.find((a) => a.name.value === name)?.value;
        return found?.kind === Kind.STRING ? found.value : undefined;
      };
      const name = arg("name");
      const url = arg("url");
      if (name && url) urls[name] = url;
    }
  }
  return { ...urls, ...overrides };
}

/**
 * Operations @apollo/gateway would answer with a 500 although the caller is at fault: an
 * `operationName` the document does not contain, and a subscription (it cannot execute one).
 * Both answer 400 and say what to do.
 */
export const callerMistakesPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
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
  },
};

/**
 * GraphQL answers 200 even with errors, but a request refused as a whole for who the
 * caller is answers 401 or 403, like the REST routes: when no root field has data and
 * the first error is UNAUTHENTICATED or FORBIDDEN, that is the HTTP status.
 */
export const authStatusPlugin: ApolloServerPlugin<GatewayContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (response.body.kind !== "single") return;
        const { data, errors } = response.body.singleResult;
        if (!errors?.length || (data && Object.values(data).some((value) => value !== null))) return;
        const status = statusOf(errors[0].extensions?.code);
        if (status === 401 || status === 403) response.http.status = status;
      },
    };
  },
};
