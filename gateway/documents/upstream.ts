/**
 * The gateway's road to the subgraphs' document endpoints (decision 0034): `/files/<service>/...`
 * goes to that subgraph as it came, bodies streamed both ways and never buffered, so memory does
 * not grow with a file's size. Nothing is retried (an upload URL works once).
 */
import http from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { Request, RequestHandler, Response } from "express";
import { AppError } from "../../common/errors";
import { log } from "../../common/log";

/** `/files/<service>/uploads/<id>` or `/files/<service>/documents/<id>`, then only a query string. */
const ENDPOINT = /^\/files\/([a-z]+)\/(?:uploads|documents)\/[0-9A-Za-z-]+(?:\?[^#]*)?$/;

/** The subgraphs that own documents; `/files/<name>/...` reaches only these. */
export const DOCUMENT_SUBGRAPHS = ["client", "transfer"] as const;

/** Request headers passed on: who asks, which request, and what the body is. */
const FORWARDED_REQUEST = [
  "authorization",
  "x-request-id",
  "content-type",
  "content-length",
  "transfer-encoding",
];
/** Response headers passed back: the body's description and the request id; nothing hop-by-hop. */
export const FORWARDED_RESPONSE = [
  "content-type",
  "content-length",
  "content-disposition",
  "x-content-type-options",
  "content-security-policy",
  "cache-control",
  "etag",
  "repr-digest",
  "x-request-id",
];

export interface FileUpstreamOptions {
  /** Subgraph name -> its GraphQL URL (the files are at the same origin). */
  subgraphUrls: Record<string, string>;
  /** No byte either way for this long ends the exchange. */
  idleTimeoutMs: number;
  maxConnections: number;
}

export class FileUpstream {
  private readonly agent: http.Agent;

  constructor(private readonly options: FileUpstreamOptions) {
    // Idle sockets close by themselves (no stop needed), well before the subgraphs' keep-alive ends.
    this.agent = new http.Agent({
      keepAlive: true,
      maxSockets: options.maxConnections,
      timeout: options.idleTimeoutMs,
    });
  }

  /**
   * Sends `method path` (a `/files/<service>/...` path with its query) to its subgraph with
   * `headers`, streaming `body`; resolves with the answer, its body not yet read.
   */
  request(
    method: string,
    path: string,
    headers: http.IncomingHttpHeaders,
    body?: Readable,
  ): Promise<http.IncomingMessage> {
    // Only the two endpoints, by exact shape: nothing that URL resolution could turn into another
    // route of the subgraph (`..`, `%2e%2e`, its /graphql or /metrics).
    const service = ENDPOINT.exec(path)?.[1];
    const url =
      service && (DOCUMENT_SUBGRAPHS as readonly string[]).includes(service)
        ? this.options.subgraphUrls[service]
        : undefined;
    if (!url)
      return Promise.reject(new AppError("NOT_FOUND", `No route for ${method} ${path.split("?")[0]}`));
    const forwarded = Object.fromEntries(
      FORWARDED_REQUEST.flatMap((name) => (headers[name] ? [[name, headers[name]]] : [])),
    );
    return new Promise((resolve, reject) => {
      const upstream = http.request(new URL(path, url), { method, headers: forwarded, agent: this.agent });
      upstream.setTimeout(this.options.idleTimeoutMs, () =>
        upstream.destroy(new Error("subgraph timed out")),
      );
      upstream.once("response", resolve);
      upstream.once("error", (error) =>
        reject(
          new AppError("SUBGRAPH_UNAVAILABLE", "The document service could not be reached", {
            requestSent: true,
            cause: error.message,
          }),
        ),
      );
      if (body) pipeline(body, upstream).catch((error: unknown) => upstream.destroy(error as Error));
      else upstream.end();
    });
  }

  /** Express handler of `/files/...`: the caller's request to its subgraph and the answer back, both streamed. */
  readonly proxy: RequestHandler = (req: Request, res: Response) => {
    const hasBody = req.method !== "GET" && req.method !== "HEAD";
    this.request(req.method, req.originalUrl, req.headers, hasBody ? req : undefined).then(
      async (answer) => {
        res.status(answer.statusCode ?? 502);
        for (const name of FORWARDED_RESPONSE) {
          const value = answer.headers[name];
          if (value !== undefined) res.setHeader(name, value);
        }
        if (answer.headers.connection === "close") res.setHeader("connection", "close");
        await pipeline(answer, res).catch(() => res.destroy());
      },
      (error: unknown) => sendUpstreamError(req, res, error),
    );
  };
}

/** The subgraph could not be reached: problem details, as the endpoints answer themselves. */
function sendUpstreamError(req: Request, res: Response, error: unknown): void {
  if (res.headersSent) return void res.destroy();
  const code = error instanceof AppError ? error.code : "INTERNAL_SERVER_ERROR";
  if (code !== "NOT_FOUND") log.warn({ err: error, path: req.path }, "document endpoint unreachable");
  const status = code === "NOT_FOUND" ? 404 : code === "SUBGRAPH_UNAVAILABLE" ? 503 : 500;
  if (!req.complete) res.setHeader("connection", "close");
  res
    .status(status)
    .type("application/problem+json")
    .json({
      type: `urn:core-banking:error:${code}`,
      status,
      code,
      detail: error instanceof Error ? error.message : "Internal server error",
      ...(code === "SUBGRAPH_UNAVAILABLE" ? { requestSent: true } : {}),
      requestId: req.headers["x-request-id"],
    });
}
