/**
 * What the gateway serves for documents (decision 0034): `/files/<service>/...` streamed to the
 * owning subgraph, and the REST shim's multipart upload, bulk upload and download routes.
 */
import { Router } from "express";
import type { GraphQLSchema } from "graphql";
import type { TokenVerifier } from "../../common/auth/tokens";
import type { Config } from "../../common/config";
import { FILES_PREFIX } from "../../common/documents/signed-url";
import type { ExecuteOperation } from "../subscriptions/relay";
import { documentRestRouter } from "./rest";
import { FileUpstream } from "./upstream";

export interface DocumentRoutesOptions {
  config: Config;
  subgraphUrls: Record<string, string>;
  verifier: TokenVerifier;
  schema: () => GraphQLSchema;
  execute: ExecuteOperation;
}

export function documentRoutes(options: DocumentRoutesOptions): Router {
  const upstream = new FileUpstream({
    subgraphUrls: options.subgraphUrls,
    idleTimeoutMs: options.config.upstream.timeoutMs,
    maxConnections: options.config.upstream.maxConnections,
  });
  const router = Router();
  router.use(FILES_PREFIX, upstream.proxy);
  router.use(
    documentRestRouter({
      verifier: options.verifier,
      execute: options.execute,
      schema: options.schema,
      upstream,
      maxBytes: options.config.documents.maxBytes,
    }),
  );
  return router;
}
