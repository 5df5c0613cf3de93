import http from "node:http";
import { ApolloServer } from "@apollo/server";
import { ApolloServerPluginDrainHttpServer } from "@apollo/server/plugin/drainHttpServer";
import { ApolloServerPluginInlineTraceDisabled } from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import type { GraphQLSchema } from "graphql";
import type { TokenVerifier } from "../auth/tokens";
import { AppError } from "../errors";
import { graphqlHttpErrorHandler, listen } from "../http";
import { requestIdFrom } from "../request-id";
import type { RequestContext } from "./context";
import { formatError, toGraphQLError } from "./errors";

/** A started HTTP service. */
export interface RunningServer {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export interface SubgraphServerOptions<TContext extends RequestContext> {
  schema: GraphQLSchema;
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  verifier: TokenVerifier;
  /** The per-request scope: loaders and services are created here, never at module level. */
  createContext(base: RequestContext): TContext;
}

/**
 * Serves a subgraph at `/graphql` (plus `/health`). Every request must carry a valid
 * bearer token: the subgraph checks it itself rather than trusting the gateway.
 */
export async function serveSubgraph<TContext extends RequestContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningServer> {
  const app = express();
  const httpServer = http.createServer(app);
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    formatError,
    includeStacktraceInErrorResponses: false,
    // Signals are handled once, for the whole process, in common/process.ts (stop order matters).
    stopOnTerminationSignals: false,
    plugins: [ApolloServerPluginDrainHttpServer({ httpServer }), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();

  app.get("/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.use(
    "/graphql",
    express.json({ limit: "2mb" }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = requestIdFrom(req.headers["x-request-id"]);
        try {
          const caller = await options.verifier.callerFromHeader(req.headers.authorization);
          return options.createContext({ caller, requestId });
        } catch (error) {
          throw error instanceof AppError ? toGraphQLError(error) : error;
        }
      },
    }),
    graphqlHttpErrorHandler,
  );

  const port = await listen(httpServer, options.port, options.host);
  return {
    port,
    url: `http://localhost:${port}/graphql`,
    stop: () => apollo.stop(),
  };
}
