/**
 * The gateway: one port serving GraphQL at /graphql (the composed supergraph), the REST
 * shim's legacy paths, /openapi.json with Swagger UI at /docs, and /healthz (alias /health),
 * /readyz and /metrics.
 */
import fs from "node:fs";
import type http from "node:http";
import type { IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import type { ApolloGateway } from "@apollo/gateway";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from "@apollo/server/plugin/disabled";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import express, { type NextFunction, type Request, type Response, Router } from "express";
import type { GraphQLSchema } from "graphql";
import type { Config } from "../common/config";
import type { Caller } from "../common/auth/caller";
import { TokenVerifier } from "../common/auth/tokens";
import { formatError } from "../common/graphql/errors";
import { graphqlHttpEndpoint } from "../common/graphql/http-endpoint";
import { DirectExecution } from "../common/graphql/direct-execution";
import { isGraphqlPath, leanGraphqlHandler } from "../common/graphql/lean-endpoint";
import { OperationLimits } from "../common/graphql/limits";
import type { RunningServer } from "../common/graphql/serve-subgraph";
import { createHttpServer, HTTP_MESSAGES, httpErrorCode, listen } from "../common/http";
import { log } from "../common/log";
import { requireOps } from "../common/ops/access";
import { healthRoutes } from "../common/ops/health";
import { metricsHandler, ServiceMetrics } from "../common/ops/metrics";
import { observeDirect, requestObserverPlugin } from "../common/ops/request-plugin";
import { projectRoot } from "../common/paths";
import { requestIdFrom, requestScope, requestScopeOf, withRequestScope } from "../common/request-id";
import type { GatewayContext } from "./context";
import { dashboardRouter } from "./dashboard/router";
import { documentRoutes } from "./documents/routes";
import { docsRouter } from "./docs";
import { explorerRouter } from "./explorer/router";
import { gatewayEngine } from "./direct";
import { QueryPlanMemory } from "./one-fetch";
import { failedRequestStatusPlugin, createGateway, subgraphUrlsOf, callerMistakesPlugin } from "./gateway";
import {
  gatewayReadiness,
  READINESS_TIMEOUT_MS,
  SubgraphFetches,
  registerRelayTimings,
  registerSubscriptionMetrics,
} from "./ops";
import { buildOpenApiDocument } from "./rest/openapi";
import { createRestRouter, styleOf } from "./rest/router";
import { restComponentSchemas, restRoutes } from "./rest/routes";
import { sendError } from "./rest/responses";
import { SubgraphTransport } from "../common/graphql/subgraph-transport";
import type { ExecuteOperation } from "./subscriptions/relay";
import { relayedFields } from "./subscriptions/fields";
import { type SubscriptionServer, serveSubscriptions } from "./subscriptions/server";

export interface GatewayServer extends RunningServer {
  /** Base URL without a path, e.g. http://localhost:4000 */
  baseUrl: string;
  /** graphql-ws at the same URL: what it holds (`stats()`). */
  subscriptions: Pick<SubscriptionServer, "stats">;
}

export interface GatewayOptions {
  /** Subgraph name -> GraphQL URL, overriding the URLs written in the supergraph. */
  subgraphUrls: Record<string, string>;
  /** Defaults to the committed schema/supergraph.graphql. */
  supergraphSdl?: string;
}

export async function startGateway(config: Config, options: GatewayOptions): Promise<GatewayServer> {
  const supergraphSdl = options.supergraphSdl ?? committedSupergraph();
  const metrics = new ServiceMetrics("gateway");
  const transport = new SubgraphTransport(config.upstream);
  const plans = new QueryPlanMemory();
  const gateway = createGateway(
    supergraphSdl,
    options.subgraphUrls,
    transport,
    new SubgraphFetches(metrics.registry),
    plans,
  );
  const loaded = new LoadedSchema(gateway);

  const app = express();
  app.disable("x-powered-by");
  // `/graphql` goes the lean way once Apollo has started (common/graphql/lean-endpoint.ts).
  let graphql: http.RequestListener = app;
  const httpServer = createHttpServer(
    (req, res) => (isGraphqlPath(req.url) ? graphql(req, res) : app(req, res)),
    config.http,
    config.subscriptions.maxConnections,
  );
  // One set of limits for every way in: HTTP, the REST shim and graphql-ws queries run on the
  // direct path or through Apollo Server (both check them), subscription documents through the
  // relay's own check.
  const limits = new OperationLimits(config.operationLimits, config.hideSchemaDetails);
  const apollo = createApollo(config, gateway, httpServer, limits, metrics);
  await apollo.start();
  const schema = loaded.current;
  const verifier = new TokenVerifier(config.auth);
  const direct = new DirectExecution(gatewayEngine(gateway, apollo, schema, plans), limits);
  const execute = executorOf(apollo, direct, metrics);
  const subgraphUrls = subgraphUrlsOf(supergraphSdl, options.subgraphUrls);
  const subscriptions = serveSubscriptions({
    httpServer,
    http: config.http,
    path: "/graphql",
    limits: config.subscriptions,
    operationLimits: limits,
    verifier,
    schema,
    execute,
    subgraphUrl: (name) => subgraphUrls[name] ?? unknownSubgraph(name),
    relayedFields: relayedFields(supergraphSdl),
    timings: registerRelayTimings(metrics.registry),
  });
  registerSubscriptionMetrics(metrics.registry, subscriptions.stats);

  app.use(requestScope("gateway"));
  app.use(opsRouter(config, loaded, subgraphUrls, metrics));
  app.use(documentRoutes({ config, subgraphUrls, verifier, schema, execute }));
  // Before Apollo: the explorer answers browsers' GETs of /graphql and /, nothing else.
  if (config.gateway.explorer) app.use(explorerRouter(config));
  if (config.gateway.dashboard) app.use(dashboardRouter(config));
  // What the lean path leaves to express (a GET, another content type) is answered here.
  app.use("/graphql", ...graphqlHttpEndpoint(apollo, verifier, "1mb", gatewayContext));
  const refuseEarly = (body: unknown) => limits.refuseEarly(schema(), body);
  const lean = { apollo, verifier, service: "gateway", contextOf: gatewayContext, refuseEarly, metrics };
  graphql = leanGraphqlHandler({ ...lean, bodyLimitBytes: 1024 * 1024, direct, fallback: app });
  app.get("/openapi.json", (_req, res) => res.json(loaded.openApiDocument()));
  app.use(docsRouter());
  app.use(restRouter(config, verifier, schema, execute));
  app.use(noRoute, restErrorHandler);

  const port = await listen(httpServer, config.gateway.port, config.gateway.host);
  return {
    port,
    address: (httpServer.address() as AddressInfo).address,
    baseUrl: `http://localhost:${port}`,
    url: `http://localhost:${port}/graphql`,
    subscriptions: { stats: subscriptions.stats },
    // Sockets first: an open WebSocket would hold the HTTP server's close until it is forced.
    stop: async () => {
      await subscriptions.stop();
      await apollo.stop();
      await transport.close();
    },
  };
}

/** The REST shim: the documented paths, each run as its GraphQL operation through Apollo. */
function restRouter(
  config: Config,
  verifier: TokenVerifier,
  schema: () => GraphQLSchema,
  execute: ExecuteOperation,
) {
  return createRestRouter({
    routes: restRoutes,
    verifier,
    schema,
    bodyLimit: config.gateway.restBodyLimit,
    execute: (query, variables, contextValue) =>
      execute({ query, operationName: undefined, variables }, contextValue),
  });
}

/**
 * The API schema the gateway serves, as last loaded, and what is derived from it: the OpenAPI
 * document, built again on the first request after a new schema.
 */
class LoadedSchema {
  private schema: GraphQLSchema | undefined;
  private openApi: Record<string, unknown> | undefined;

  constructor(gateway: ApolloGateway) {
    gateway.onSchemaLoadOrUpdate(({ apiSchema }) => {
      this.schema = apiSchema;
      this.openApi = undefined;
    });
  }

  isLoaded(): boolean {
    return this.schema !== undefined;
  }

  readonly current = (): GraphQLSchema => {
    if (!this.schema) throw new Error("the supergraph is not loaded");
    return this.schema;
  };

  openApiDocument(): Record<string, unknown> {
    const schema = this.current();
    return (this.openApi ??= buildOpenApiDocument(restRoutes, schema, restComponentSchemas(schema)));
  }
}

/** `/healthz`, `/readyz` (the supergraph loaded, the subgraphs answering) and `/metrics`. */
function opsRouter(
  config: Config,
  loaded: LoadedSchema,
  subgraphUrls: Record<string, string>,
  metrics: ServiceMetrics,
): Router {
  const router = Router();
  router.use(
    healthRoutes(
      gatewayReadiness(() => loaded.isLoaded(), subgraphUrls),
      READINESS_TIMEOUT_MS,
      config.ops,
    ),
  );
  router.get("/metrics", requireOps(config.ops), metricsHandler(metrics.registry));
  return router;
}

/**
 * Runs an operation on the supergraph without an HTTP request of its own (REST routes and
 * subscription events): on the direct path when it takes it (observed as Apollo Server's request
 * plugin would), else through Apollo Server. Its log lines get their request id from the context
 * it runs with.
 */
function executorOf(
  apollo: ApolloServer<GatewayContext>,
  direct: DirectExecution,
  metrics: ServiceMetrics,
): ExecuteOperation {
  return (request, contextValue) => {
    const scope = requestScopeOf("gateway", contextValue.requestId);
    return withRequestScope(scope, async () => {
      const ran = await direct.result(request, contextValue.caller, contextValue);
      if (ran) {
        observeDirect(metrics, ran.operationName, ran.result.errors, scope);
        return ran.result;
      }
      const response = await apollo.executeOperation(request, { contextValue });
      if (response.body.kind !== "single") throw new Error("incremental delivery is not used by the gateway");
      return response.body.singleResult;
    });
  };
}

/** Apollo Server over the gateway: limits, error shapes, statuses, metrics, no landing page. */
function createApollo(
  config: Config,
  gateway: ApolloGateway,
  httpServer: http.Server,
  limits: OperationLimits,
  metrics: ServiceMetrics,
): ApolloServer<GatewayContext> {
  return new ApolloServer<GatewayContext>({
    gateway,
    formatError,
    includeStacktraceInErrorResponses: false,
    introspection: config.gateway.introspection,
    hideSchemaDetailsFromClientErrors: config.hideSchemaDetails,
    parseOptions: limits.parseOptions,
    validationRules: [...limits.validationRules],
    // Signals are handled once, for the whole process, in common/process.ts (stop order matters).
    stopOnTerminationSignals: false,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer }),
      limits.plugin<GatewayContext>(),
      failedRequestStatusPlugin,
      callerMistakesPlugin,
      requestObserverPlugin<GatewayContext>(metrics),
      // Apollo's landing page loads Sandbox from a CDN; browsers get the explorer (decision 0019).
      ApolloServerPluginLandingPageDisabled(),
      // Cache hints are for resolvers; the gateway runs none (its data sources read no hints either).
      ApolloServerPluginCacheControlDisabled(),
    ],
  });
}

/** A request's context: the caller's own Authorization header goes on to the subgraphs, which verify it again. */
function gatewayContext(caller: Caller, requestId: string, req: IncomingMessage): GatewayContext {
  return { caller, authorization: req.headers.authorization ?? "", requestId };
}

function unknownSubgraph(name: string): never {
  throw new Error(`the supergraph names no subgraph "${name}"`);
}

/** schema/supergraph.graphql as committed (`npm run compose` writes it). */
function committedSupergraph(): string {
  return fs.readFileSync(path.join(projectRoot(), "schema", "supergraph.graphql"), "utf8");
}

/** No route matched: 404 in the shape of the path's style. */
function noRoute(req: Request, res: Response): void {
  sendError(
    res,
    styleOf(req.path),
    { code: "NOT_FOUND", message: `No route for ${req.method} ${req.path}` },
    requestIdFrom(req.headers["x-request-id"]),
  );
}

/** The last handler: an unreadable request is the caller's 4xx, anything else a logged, masked 500. */
function restErrorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  const code = httpErrorCode(error);
  if (code) return sendError(res, styleOf(req.path), { code, message: HTTP_MESSAGES[code]! }, requestId);
  log.error({ err: error, requestId, path: req.path }, "unexpected REST error");
  sendError(
    res,
    styleOf(req.path),
    { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" },
    requestId,
  );
}
