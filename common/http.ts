/** HTTP plumbing shared by the gateway and the subgraphs. */
import type http from "node:http";
import type { AddressInfo } from "node:net";
import type { ErrorRequestHandler } from "express";
import { type ErrorCode, statusOf } from "./errors";
import { log } from "./log";
import { requestIdFrom } from "./request-id";

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

/** The error code for a body express.json could not read, or undefined for any other error. */
export function bodyErrorCode(error: unknown): ErrorCode | undefined {
  switch ((error as { type?: unknown } | null)?.type) {
    case "entity.parse.failed":
      return "BAD_REQUEST";
    case "entity.too.large":
      return "PAYLOAD_TOO_LARGE";
    case "encoding.unsupported":
    case "charset.unsupported":
      return "UNSUPPORTED_MEDIA_TYPE";
    default:
      return undefined;
  }
}

/** What to tell the caller for each {@link bodyErrorCode}. */
export const BODY_MESSAGES: Partial<Record<ErrorCode, string>> = {
  BAD_REQUEST: "The request body is not valid JSON",
  PAYLOAD_TOO_LARGE: "The request body is too large",
  UNSUPPORTED_MEDIA_TYPE: "The request body's encoding is not supported",
};

/**
 * The last error handler of a GraphQL endpoint: an unreadable body is the caller's 4xx,
 * anything else a logged, masked 500. Answers in the GraphQL error shape.
 */
export const graphqlHttpErrorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const code = bodyErrorCode(error) ?? "INTERNAL_SERVER_ERROR";
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  if (code === "INTERNAL_SERVER_ERROR")
    log.error({ err: error, requestId, path: req.path }, "unexpected HTTP error");
  res
    .status(statusOf(code))
    .setHeader("x-request-id", requestId)
    .json({ errors: [{ message: BODY_MESSAGES[code] ?? "Internal server error", extensions: { code } }] });
};
