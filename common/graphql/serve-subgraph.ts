import type http from "node:http";
import type { AddressInfo } from "node:net";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from "@apollo/server/plugin/disabled";
import express, { type RequestHandler } from "express";
import type { GraphQLSchema } from "graphql";
import { CloseCode } from "graphql-ws";
import { useServer } from "graphql-ws/use/ws";
import { WebSocketServer } from "ws";
import type { Caller } from "../auth/caller";
import type { TokenVerifier } from "../auth/tokens";
import type { HttpServerConfig } from "../config";
import { addressedHere, createHttpServer, listen } from "../http";
import { type OpsAccess, requireOps } from "../ops/access";
import { healthRoutes, type ReadinessCheck } from "../ops/health";
import { metricsHandler, type ServiceMetrics } from "../ops/metrics";
import { requestObserverPlugin } from "../ops/request-plugin";
import { requestIdFrom, requestScope } from "../request-id";
import type { RequestContext } from "./context";
import { compiledEngine } from "./compiled-engine";
import { DirectExecution } from "./direct-execution";
import { formatError, toGraphQLError } from "./errors";
import { subscribeEventByEvent } from "./subscription-events";
import { graphqlHttpEndpoint } from "./http-endpoint";
import { isGraphqlPath, leanGraphqlHandler } from "./lean-endpoint";
import type { OperationLimits } from "./limits";
import { checkOperation, coerceVariables, isErrors } from "./operation";

/** A started HTTP service. */
export interface RunningServer {
  url: string;
  port: number;
  /** The address it listens on (`127.0.0.1` unless HOST says otherwise). */
  address: string;
  stop(): Promise<void>;
}

export interface SubgraphServerOptions<TContext extends RequestContext> {
  schema: GraphQLSchema;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  /** Timeouts and the connection cap of its HTTP server. */
  http: HttpServerConfig;
  /** Who may read `/metrics` and `/readyz`'s details. */
  ops: OpsAccess;
  verifier: TokenVerifier;
  /** The per-request scope: loaders and services are created here, never at module level. */
  createContext(base: RequestContext): TContext;
  /** The subgraph's registry (`/metrics`); its name is the `service` of metrics and log lines. */
  metrics: ServiceMetrics;
  /** What `/readyz` checks (the database). */
  readiness: Record<string, ReadinessCheck>;
  /**
   * Operation limits (the gateway's, with headroom: `subgraphLimits`): subgraphs also refuse
   * cost bombs sent to them directly, over HTTP and graphql-ws.
   */
  limits: OperationLimits;
  /** No "Did you mean ..." in errors (config `hideSchemaDetails`). */
  hideSchemaDetails: boolean;
  /** HTTP routes of the subgraph's own besides `/graphql` (the document endpoints), bodies unread. */
  routes?: RequestHandler;
}

/** How long `/readyz` waits for each check (a `SELECT 1`): a load balancer's probe is short too. */
const READINESS_TIMEOUT_MS = 2_000;

/**
 * Serves a subgraph at `/graphql`, with `/healthz` (alias `/health`), `/readyz` and `/metrics`
 * (common/ops/). Every GraphQL request must carry a valid bearer token: the subgraph checks it
 * itself rather than trusting the gateway. A schema with
 * subscriptions is also served over graphql-ws at the same URL, the token in the
 * `connection_init` payload (`authorization: "Bearer …"`).
 */
export async function serveSubgraph<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningServer> {
  const app = express();
  // `/graphql` goes the lean way once Apollo has started (common/graphql/lean-endpoint.ts).
  let graphql: http.RequestListener = app;
  const httpServer = createHttpServer(
    (req, res) => (isGraphqlPath(req.url) ? graphql(req, res) : app(req, res)),
    options.http,
  );
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    hideSchemaDetailsFromClientErrors: options.hideSchemaDetails,
    parseOptions: options.limits.parseOptions,
    validationRules: [...options.limits.validationRules],
    // Signals are handled once, for the whole process, in common/process.ts (stop order matters).
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      ApolloServerPluginInlineTraceDisabled(),
      // No cache hints are set anywhere; the default plugin would still wrap every field's resolver.
      ApolloServerPluginCacheControlDisabled(),
      options.limits.plugin<TContext>(),
      requestObserverPlugin<TContext>(options.metrics),
    ],
  });
  await apollo.start();

  app.use(requestScope(options.metrics.service));
  app.use(healthRoutes(options.readiness, READINESS_TIMEOUT_MS, options.ops));
  app.get("/metrics", requireOps(options.ops), metricsHandler(options.metrics.registry));
  if (options.routes) app.use(options.routes);
  const contextOf = (caller: Caller, requestId: string) => options.createContext({ caller, requestId });
  app.use("/graphql", ...graphqlHttpEndpoint(apollo, options.verifier, "2mb", contextOf));
  graphql = leanGraphqlHandler({
    apollo,
    verifier: options.verifier,
    service: options.metrics.service,
    bodyLimitBytes: 2 * 1024 * 1024,
    contextOf,
    refuseEarly: (body) => options.limits.refuseEarly(options.schema, body),
    metrics: options.metrics,
    direct: new DirectExecution(compiledEngine(options.schema, options.metrics.registry), options.limits),
    fallback: app,
  });

  const subscriptions = options.schema.getSubscriptionType()
    ? serveSubscriptions(httpServer, options)
    : undefined;
  const port = await listen(httpServer, options.port, options.host);
  return {
    port,
    address: (httpServer.address() as AddressInfo).address,
    url: `http://localhost:${port}/graphql`,
    stop: async () => {
      // Open subscriptions complete and their sockets close (1001) before HTTP drains.
      await subscriptions?.dispose();
      await apollo.stop();
    },
  };
}

/** `/graphql`, with or without a query string. */
/** graphql-ws on the subgraph's own `/graphql`: each subscription gets a request context of its own. */
function serveSubscriptions<TContext extends RequestContext>(
  httpServer: http.Server,
  options: SubgraphServerOptions<TContext>,
) {
  const wsServer = new WebSocketServer({
    server: httpServer,
    path: "/graphql",
    verifyClient: ({ req }: { req: http.IncomingMessage }) => addressedHere(req, options.http),
  });
  const server = useServer<Record<string, unknown> | undefined, { caller?: Caller }>(
    {
      schema: options.schema,
      onConnect: async (ctx) => {
        const header = connectionAuthorization(ctx.connectionParams);
        if (!header) {
          ctx.extra.socket.close(
            CloseCode.Unauthorized,
            "Unauthorized: connection_init needs a bearer token",
          );
          return false;
        }
        try {
          ctx.extra.caller = await options.verifier.callerFromHeader(header);
          return true;
        } catch {
          return false; // 4403 Forbidden
        }
      },
      // Checked as over HTTP (limits included), so a caller's mistake answers its own code, never
      // INTERNAL_SERVER_ERROR; then the limits that need variables.
      onSubscribe: (ctx, _id, payload) => {
        const checked = checkOperation(options.schema, payload.query, payload.operationName, options.limits);
        if (isErrors(checked)) return checked;
        const refusal = options.limits.check({
          schema: options.schema,
          document: checked.document,
          operationName: payload.operationName,
          variables: payload.variables,
          extensions: payload.extensions,
          caller: ctx.extra.caller,
        });
        if (refusal) return [toGraphQLError(refusal)];
        const variables = coerceVariables(options.schema, checked.operation, payload.variables);
        if (isErrors(variables)) return variables;
        return {
          schema: options.schema,
          document: checked.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
        };
      },
      context: (ctx) =>
        options.createContext({ caller: ctx.extra.caller!, requestId: requestIdFrom(undefined) }),
      // Each event with a context of its own, its caller and request id the subscription's.
      subscribe: (args) =>
        subscribeEventByEvent(args, (context) => {
          const { caller, requestId } = context as RequestContext;
          return options.createContext({ caller, requestId });
        }),
      // The same error shapes as over HTTP: codes and public details, internals masked.
      onNext: (_ctx, _id, _payload, _args, result) =>
        result.errors
          ? { ...result, errors: result.errors.map((error) => formatError(error.toJSON(), error)) }
          : undefined,
      onError: (_ctx, _id, _payload, errors) => errors.map((error) => formatError(error.toJSON(), error)),
    },
    wsServer,
  );
  return {
    dispose: async () => {
      await server.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
    },
  };
}

/** The bearer token of a graphql-ws `connection_init` payload: `authorization` or `token`. */
export function connectionAuthorization(params: Record<string, unknown> | undefined): string | undefined {
  if (typeof params?.authorization === "string" && params.authorization) return params.authorization;
  if (typeof params?.token === "string" && params.token) return `Bearer ${params.token}`;
  return undefined;
}
