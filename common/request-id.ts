import { randomUUID } from "node:crypto";

const SAFE = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The request id to log and store: the caller's `x-request-id` when it is a short, plain
 * token (it ends up in logs and the audit history), otherwise a new UUID.
 */
export function requestIdFrom(header: string | string[] | undefined): string {
  return typeof header === "string" && SAFE.test(header) ? header : randomUUID();
}
