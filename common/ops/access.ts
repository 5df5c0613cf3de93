/**
 * Who may read the operational endpoints' details: `/metrics`, and which check of `/readyz`
 * failed and why. Probes still get `/healthz` and `/readyz`'s status code from anyone.
 * Open while developing on loopback without `OPS_TOKEN`; otherwise only with `Authorization: Bearer <OPS_TOKEN>`
 * (Prometheus' `authorization` setting sends it). Decision 0022.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { Request, RequestHandler } from "express";
import type { Config } from "../config";

export type OpsAccess = Config["ops"];

/** True when `req` may see the details. */
export function opsAllowed(access: OpsAccess, req: Request): boolean {
  if (access.open) return true;
  if (!access.token) return false;
  // Digests of equal length, so the comparison tells nothing, not even the token's length.
  const digest = (text: string) => createHash("sha256").update(text).digest();
  return timingSafeEqual(digest(req.headers.authorization ?? ""), digest(`Bearer ${access.token}`));
}

/** Lets only callers allowed by {@link opsAllowed} through; others get 401 saying what is needed. */
export function requireOps(access: OpsAccess): RequestHandler {
  return (req, res, next) => {
    if (opsAllowed(access, req)) return next();
    res
      .status(401)
      .setHeader("www-authenticate", "Bearer")
      .setHeader("cache-control", "no-store")
      .json({
        code: "UNAUTHENTICATED",
        message: access.token
          ? "This endpoint needs Authorization: Bearer <OPS_TOKEN>"
          : "This endpoint is closed: set OPS_TOKEN and send it as a bearer token",
      });
  };
}
