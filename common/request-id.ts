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

/** The scope of a request of `service` that starts now. */
export function requestScopeOf(service: string, requestId: string): RequestScope {
  return { service, requestId, startedAt: performance.now() };
}

/**
 * The scope of the work in flight, for the code that does not name its request (common/log.ts
 * puts it on every line). Node 20's AsyncLocalStorage turns on promise hooks for every promise of
 * the process: about a twentieth of the ledger's main-thread work per payment in its CPU profile
 * (decision 0071). So
 * the requests nearly every caller sends (the lean path's direct execution,
 * common/graphql/lean-endpoint.ts) run without a scope and name their request themselves, and
 * the storage is turned off whenever no scoped work is in flight: its hooks cost only while an
 * express request (a GET, `/metrics`, the REST shim) or work run by {@link withRequestScope} is
 * served.
 */
const scopes = new AsyncLocalStorage<RequestScope>();
/** Scoped requests and work in flight. */
let scoped = 0;

function scopeEnded(): void {
  scoped--;
  // A scope's stray work after its request ended logs without its id (none is known to exist).
  if (scoped === 0) scopes.disable();
}

/** Whether scoped work is in flight, so the storage (and Node's promise hooks) is on. */
export function requestScopesOpen(): boolean {
  return scoped > 0;
}

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
    scoped++;
    // A response closes once, answered or not.
    res.once("close", scopeEnded);
    scopes.run({ ...requestScopeOf(service, requestId), http: req }, next);
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
 * Runs `work` in `scope` until it returns (or its promise settles): for work that did not come in
 * over express (the gateway's subscription events run as queries with the subscriber's request
 * id; the lean path's requests that Apollo Server answers).
 */
export function withRequestScope<T>(scope: RequestScope, work: () => T): T {
  const current = scopes.getStore();
  if (current?.requestId === scope.requestId && current.service === scope.service) return work();
  scoped++;
  let result: T;
  try {
    result = scopes.run(scope, work);
  } catch (error) {
    scopeEnded();
    throw error;
  }
  if (result instanceof Promise) result.then(scopeEnded, scopeEnded);
  else scopeEnded();
  return result;
}
