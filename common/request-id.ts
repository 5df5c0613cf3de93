import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { RequestHandler } from "express";

const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id to log and store: the caller's `x-request-id` when it is a short, plain
 * token (it ends up in logs and the audit history), otherwise a new UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && SAFE.test(header) ? header : randomUUID();
}

/** What every log line of a request carries, and what a request refused before GraphQL ran is measured by. */
export interface RequestScope {
  /** The service that took the request (`gateway`, `client`...): several may share one process. */
  service: string;
  requestId: string;
  /** `performance.now()` when the request arrived. */
  startedAt: number;
  /** The HTTP request, once express has read its body; absent for work not started by an HTTP request. */
  http?: { body?: unknown };
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** The scope of the request the current code runs for, if any (common/log.ts adds it to every line). */
export function currentRequestScope(): RequestScope | undefined {
  return scopes.getStore();
}

/**
 * Express middleware, first in a service's chain: settles the request id (the caller's
 * `x-request-id` when plain, else a new one), answers it in `x-request-id`, and runs the rest
 * of the request in a {@link RequestScope}. The settled id is written back to the request's
 * header so every later reader (`requestIdFrom(req.headers["x-request-id"])` in the GraphQL
 * context, the REST shim, the error handlers) gets the same one and never mints another.
 */
export function requestScope(service: string): RequestHandler {
  return (req, res, next) => {
    const requestId = settleRequestId(req, res);
    scopes.run({ service, requestId, startedAt: performance.now(), http: req }, next);
  };
}

/**
 * The request id of `req` (see {@link requestScope}), written back to its `x-request-id` header
 * and answered in the response's.
 */
export function settleRequestId(req: IncomingMessage, res: ServerResponse): string {
  const requestId = requestIdOf(req);
  res.setHeader("x-request-id", requestId);
  return requestId;
}

/**
 * {@link settleRequestId} for a handler that writes `x-request-id` into each of its answers
 * itself (common/graphql/lean-endpoint.ts): the id, written back to the request's header only.
 */
export function requestIdOf(req: IncomingMessage): string {
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  req.headers["x-request-id"] = requestId;
  return requestId;
}

/**
 * Runs `work` in the scope of `requestId`: for work that did not come in over HTTP on this
 * path (the gateway's subscription events run as queries with the subscriber's request id).
 */
export function withRequestScope<T>(service: string, requestId: string, work: () => T): T {
  const current = scopes.getStore();
  if (current?.requestId === requestId && current.service === service) return work();
  return scopes.run({ service, requestId, startedAt: performance.now() }, work);
}
