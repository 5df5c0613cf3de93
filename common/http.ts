/** HTTP plumbing shared by the gateway and the subgraphs. */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { ErrorRequestHandler } from "express";
import type { HttpServerConfig } from "./config";
import { type ErrorCode, statusOf } from "./errors";
import { hostOf, isLoopback } from "./loopback";
import { log } from "./log";
import { requestIdFrom } from "./request-id";

/**
 * An HTTP server with every limit of {@link HttpServerConfig} set: a client that sends its
 * headers or body too slowly is answered 408 and cut off, an idle keep-alive connection is
 * closed, and connections beyond the cap are refused. `extraConnections` raises the cap for
 * what the server also holds (the gateway's WebSockets). Node checks the header and request
 * deadlines every `connectionsCheckingInterval`, 30 s by default: here a tenth of the shorter.
 */
export function createHttpServer(
  handler: http.RequestListener,
  limits: HttpServerConfig,
  extraConnections = 0,
): http.Server {
  const guarded: http.RequestListener = (req, res) => {
    if (addressedHere(req, limits)) return handler(req, res);
    res
      .writeHead(403, { "content-type": "application/json" })
      .end(JSON.stringify({ errors: [{ message: NOT_ADDRESSED_HERE, extensions: { code: "FORBIDDEN" } }] }));
  };
  const server = http.createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, limits.headersTimeoutMs / 10)),
    },
    limits.localHostsOnly ? guarded : handler,
  );
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.maxConnections = limits.maxConnections + extraConnections;
  return server;
}

/** Why a request or a WebSocket upgrade was refused by {@link addressedHere}. */
export const NOT_ADDRESSED_HERE =
  "This development server answers only requests addressed to localhost, 127.0.0.1 or [::1]";

/**
 * False when the server answers only requests addressed to this machine
 * (`localHostsOnly`) and `req`'s Host names another: checked for every request, and by each
 * WebSocket endpoint for its upgrades (which do not go through the request handler).
 */
export function addressedHere(req: http.IncomingMessage, limits: HttpServerConfig): boolean {
  return !limits.localHostsOnly || isLoopback(hostOf(req.headers.host));
}

/** Listens and resolves with the bound port; a taken port rejects instead of crashing the process. */
export function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * The error code for an HTTP-level problem of the caller's making (a body express.json
 * could not read, a malformed URL escape...): express marks those with a 4xx `status`.
 * Undefined for anything else, which is our fault (500).
 */
export function httpErrorCode(error: unknown): ErrorCode | undefined {
  const { status, statusCode } = (error ?? {}) as { status?: unknown; statusCode?: unknown };
  const code = typeof status === "number" ? status : typeof statusCode === "number" ? statusCode : 0;
  if (code === 413) return "PAYLOAD_TOO_LARGE";
  if (code === 415) return "UNSUPPORTED_MEDIA_TYPE";
  if (code >= 400 && code < 500) return "BAD_REQUEST";
  return undefined;
}

/** What to tell the caller for each {@link httpErrorCode}. */
export const HTTP_MESSAGES: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: "The request is malformed: its URL or body could not be read (a body must be valid JSON)",
  PAYLOAD_TOO_LARGE: "The request body is too large",
  UNSUPPORTED_MEDIA_TYPE: "The request body's encoding or character set is not supported",
};

/**
 * The last error handler of a GraphQL endpoint: an unreadable body is the caller's 4xx,
 * anything else a logged, masked 500. Answers in the GraphQL error shape.
 */
export const graphqlHttpErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const code = httpErrorCode(error) ?? "INTERNAL_SERVER_ERROR";
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  if (code === "INTERNAL_SERVER_ERROR")
    log.error({ err: error, requestId, path: req.path }, "unexpected HTTP error");
  res
    .status(statusOf(code))
    .setHeader("x-request-id", requestId)
    .json({ errors: [{ message: HTTP_MESSAGES[code] ?? "Internal server error", extensions: { code } }] });
};
