/**
 * `/graphql` over HTTP, as every service serves it: the JSON body (up to `bodyLimit`), the
 * caller's bearer token verified into the request context (401 UNAUTHENTICATED otherwise), and a
 * body that cannot be read answered as the caller's 4xx.
 */
import type { IncomingMessage } from "node:http";
import type { ApolloServer, BaseContext } from "@apollo/server";
import { expressMiddleware } from "@as-integrations/express5";
import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import type { Caller } from "../auth/caller";
import type { TokenVerifier } from "../auth/tokens";
import { AppError } from "../errors";
import { graphqlHttpErrorHandler } from "../http";
import { requestIdFrom } from "../request-id";
import { toGraphQLError } from "./errors";

export function graphqlHttpEndpoint<TContext extends BaseContext>(
  apollo: ApolloServer<TContext>,
  verifier: TokenVerifier,
  bodyLimit: string,
  contextOf: (caller: Caller, requestId: string, req: IncomingMessage) => TContext,
): Array<RequestHandler | ErrorRequestHandler> {
  return [
    express.json({ limit: bodyLimit }),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        const requestId = requestIdFrom(req.headers["x-request-id"]);
        try {
          return contextOf(await verifier.callerFromHeader(req.headers.authorization), requestId, req);
        } catch (error) {
          throw error instanceof AppError ? toGraphQLError(error) : error;
        }
      },
    }),
    graphqlHttpErrorHandler,
  ];
}
