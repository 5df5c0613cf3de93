/**
 * Prometheus metrics (prom-client). Each service (the gateway, each subgraph) has a registry of
 * its own, served at its own `/metrics`: several services share one process under `npm start`
 * and in tests, so nothing of ours goes to prom-client's global default registry. Every series
 * carries a `service` label.
 */
import type { RequestHandler } from "express";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import { log } from "../log";
import { replaceEventLoopLag } from "./event-loop-lag";
import { RequestMetrics } from "./request-metrics";
import { withTimeout } from "./timeout";

/** Distinct operation names one service labels; later new names are counted as `other`. */
const MAX_OPERATION_NAMES = 200;
const OPERATION_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,99}$/;
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const HOUR_MS = 3_600_000;

/** A service's registry and its GraphQL request metrics. */
export class ServiceMetrics {
  readonly registry = new Registry();
  /** Counted without prom-client's per-call label hashing (see ./request-metrics.ts). */
  private readonly requests: RequestMetrics;
  private readonly operationNames = new Set<string>();

  constructor(readonly service: string) {
    this.registry.setDefaultLabels({ service });
    // prom-client's event-loop monitor would wake the service every 10 ms, idle or not: its tick
    // is put off to once an hour and its lag gauges are ours instead (./event-loop-lag.ts).
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: HOUR_MS });
    replaceEventLoopLag(this.registry);
    this.requests = new RequestMetrics(this.registry);
  }

  /** Counts one GraphQL request and observes its duration. */
  recordRequest(operation: string, outcome: string, seconds: number): void {
    this.requests.record(operation, outcome, seconds);
  }

  /**
   * The `operation` label for a name: the name itself, `anonymous` when there is none (or it is
   * not a GraphQL name), and `other` once {@link MAX_OPERATION_NAMES} are in use. Callers choose
   * operation names, so without a cap they could grow the registry without bound.
   */
  operationLabel(name: unknown): string {
    if (typeof name !== "string" || !OPERATION_NAME.test(name)) return "anonymous";
    if (this.operationNames.has(name)) return name;
    if (this.operationNames.size >= MAX_OPERATION_NAMES) return "other";
    this.operationNames.add(name);
    return name;
  }
}

/** The `outcome` label of a GraphQL result: `ok`, or the first error's code. */
export function outcomeOf(
  errors: ReadonlyArray<{ extensions?: Record<string, unknown> }> | undefined,
): string {
  if (!errors?.length) return "ok";
  return codeLabel(errors[0].extensions?.code) ?? "INTERNAL_SERVER_ERROR";
}

/** An error code fit to be a label value (ours and Apollo's are upper snake case), else undefined. */
export function codeLabel(code: unknown): string | undefined {
  return typeof code === "string" && ERROR_CODE.test(code) ? code : undefined;
}

/** A gauge read when Prometheus scrapes. */
export function registerGauge(registry: Registry, name: string, help: string, read: () => number): void {
  const gauge: Gauge = new Gauge({
    name,
    help,
    registers: [registry],
    collect: () => gauge.set(read()),
  });
}

/** What a pg pool tells about itself (`pg.Pool`). */
export interface PoolStats {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

/** A subgraph's database pool use, read at scrape time (0 while the pool is closed). */
export function registerPoolMetrics(registry: Registry, pool: () => PoolStats | undefined): void {
  const read = (value: (stats: PoolStats) => number | undefined) => () => {
    const stats = pool();
    return stats ? (value(stats) ?? 0) : 0;
  };
  registerGauge(
    registry,
    "db_pool_connections",
    "Connections the database pool holds open, in use or idle",
    read((stats) => stats.totalCount),
  );
  registerGauge(
    registry,
    "db_pool_idle_connections",
    "Open connections no query is using",
    read((stats) => stats.idleCount),
  );
  registerGauge(
    registry,
    "db_pool_waiting_requests",
    "Queries waiting for a connection (the pool is at its maximum)",
    read((stats) => stats.waitingCount),
  );
  registerGauge(
    registry,
    "db_pool_max_connections",
    "The pool's maximum (DATABASE_POOL_SIZE)",
    read((stats) => stats.options.max),
  );
}

export interface StatusCountsOptions {
  name: string;
  help: string;
  /** Every status the state machine knows: each is shown, with 0 when no row has it. */
  statuses: readonly string[];
  /** Rows per status, from the database. */
  counts(): Promise<Record<string, number>>;
}

/** How long a scrape waits for a count by status: a slow count must not hold up the other metrics. */
const STATUS_COUNT_TIMEOUT_MS = 2_000;

/**
 * A gauge of rows per status, counted in the database at scrape time. When the count fails
 * or times out, the gauge has no series for that scrape (absent, rather than stale numbers).
 * Scrapes arriving while a count runs share it, so at most one count query runs at a time.
 */
export function registerStatusCounts(registry: Registry, options: StatusCountsOptions): void {
  let running: Promise<Record<string, number>> | undefined;
  const count = () => (running ??= options.counts().finally(() => (running = undefined)));
  const gauge: Gauge<"status"> = new Gauge({
    name: options.name,
    help: options.help,
    labelNames: ["status"],
    registers: [registry],
    collect: async () => {
      gauge.reset();
      try {
        const counts = await withTimeout(count(), STATUS_COUNT_TIMEOUT_MS);
        for (const status of new Set([...options.statuses, ...Object.keys(counts)])) {
          gauge.set({ status }, counts[status] ?? 0);
        }
      } catch (error) {
        log.warn({ err: error, metric: options.name }, "could not count rows by status for /metrics");
      }
    },
  });
}

/** `GET /metrics`: the registry in Prometheus text format. */
export function metricsHandler(registry: Registry): RequestHandler {
  return async (_req, res) => {
    const text = await registry.metrics();
    res.setHeader("content-type", registry.contentType).setHeader("cache-control", "no-store").send(text);
  };
}
