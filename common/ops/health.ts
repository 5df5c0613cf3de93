/**
 * Health for a load balancer or an orchestrator, on the gateway and on every subgraph:
 * `/healthz` (alias `/health`) answers 200 while the process serves; `/readyz` answers 200 only
 * when every readiness check passes, else 503, naming each check's state to callers allowed to
 * see operational details (common/ops/access.ts).
 */
import express, { type Request, type Response, type Router } from "express";
import { log } from "../log";
import { type OpsAccess, opsAllowed } from "./access";
import { TimeoutError, withTimeout } from "./timeout";

/** One thing a service needs to serve: resolves when it is there, rejects when it is not. */
export type ReadinessCheck = () => Promise<void>;

/**
 * A check's refusal whose message may be shown on `/readyz`, which answers anyone: any other
 * error shows as `failed` (a driver's message can name hosts and users) and is logged instead.
 */
export class NotReady extends Error {}

/** `/readyz`'s answer: each check's state, `ok` or why not (only to callers allowed to see it). */
export interface Readiness {
  status: "ready" | "not ready";
  checks?: Record<string, string>;
}

/**
 * The health routes over `checks`, each given `timeoutMs` and run side by side. Probes that
 * arrive while an evaluation runs share it, so a slow dependency is not asked once per probe.
 * A change between ready and not ready is logged once, with the reasons.
 */
export function healthRoutes(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
  access: OpsAccess,
): Router {
  let running: Promise<Readiness> | undefined;
  let wasReady = true;

  const evaluate = async (): Promise<Readiness> => {
    const failures: Record<string, string> = {};
    const states = await Promise.all(
      Object.entries(checks).map(async ([name, check]): Promise<[string, string]> => {
        try {
          await withTimeout(check(), timeoutMs);
          return [name, "ok"];
        } catch (error) {
          failures[name] = error instanceof Error ? error.message : String(error);
          const shown = error instanceof NotReady || error instanceof TimeoutError ? error.message : "failed";
          return [name, shown];
        }
      }),
    );
    const ready = Object.keys(failures).length === 0;
    if (ready !== wasReady) {
      if (ready) log.info("ready again");
      else log.warn({ failures }, "not ready");
      wasReady = ready;
    }
    return { status: ready ? "ready" : "not ready", checks: Object.fromEntries(states) };
  };

  const alive = (_req: Request, res: Response) => {
    res.setHeader("cache-control", "no-store").json({ status: "ok" });
  };
  const router = express.Router();
  router.get("/healthz", alive);
  router.get("/health", alive); // the original path: docker-compose, the benches and older probes use it
  router.get("/readyz", async (req, res) => {
    running ??= evaluate().finally(() => (running = undefined));
    const readiness = await running;
    res
      .status(readiness.status === "ready" ? 200 : 503)
      .setHeader("cache-control", "no-store")
      .json(opsAllowed(access, req) ? readiness : { status: readiness.status });
  });
  return router;
}
