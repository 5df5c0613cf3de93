/**
 * What only the gateway adds to health and metrics (common/ops/ has the rest): readiness over
 * its supergraph and its subgraphs, the time of each subgraph call, and its subscriptions.
 */
import { Histogram, type Registry } from "prom-client";
import { NotReady, type ReadinessCheck } from "../common/ops/health";
import { registerGauge } from "../common/ops/metrics";
import { OwnHistogram, SeriesByPair, type Series } from "../common/ops/request-metrics";
import type { RelayTimings } from "./subscriptions/relay";
import type { SubscriptionStats } from "./subscriptions/server";

/** How long `/readyz` waits for each check; a subgraph's own `/readyz` waits up to 2 s for its database. */
export const READINESS_TIMEOUT_MS = 3_000;

/**
 * Ready when the supergraph is loaded and every subgraph's `/readyz` answers 200. A subgraph's
 * `/readyz` sits next to its GraphQL path: `http://ledger:4002/graphql` -> `http://ledger:4002/readyz`
 * (a path prefix, as behind a proxy, is kept). All are asked side by side, each with a timeout.
 */
export function gatewayReadiness(
  supergraphLoaded: () => boolean,
  subgraphUrls: Record<string, string>,
): Record<string, ReadinessCheck> {
  const checks: Record<string, ReadinessCheck> = {
    supergraph: async () => {
      if (!supergraphLoaded()) throw new NotReady("not loaded");
    },
  };
  for (const [name, graphqlUrl] of Object.entries(subgraphUrls)) {
    const readyUrl = new URL("readyz", graphqlUrl);
    checks[name] = async () => {
      const response = await fetch(readyUrl, { signal: AbortSignal.timeout(READINESS_TIMEOUT_MS) }).catch(
        (error: unknown) => {
          throw new NotReady((error as Error).name === "TimeoutError" ? "timed out" : "unreachable");
        },
      );
      const body = (await response.json().catch(() => undefined)) as
        { checks?: Record<string, unknown> } | undefined;
      if (response.status === 200) return;
      // The subgraph's own check names (`database`), never its reasons' details.
      const failing = Object.entries(body?.checks ?? {})
        .filter(([, state]) => state !== "ok")
        .map(([check]) => check);
      throw new NotReady(`not ready (${response.status}${failing.length ? `: ${failing.join(", ")}` : ""})`);
    };
  }
  return checks;
}

/**
 * `subgraph_fetch_duration_seconds`, for `createGateway`: the time of each call from the gateway to
 * a subgraph, by subgraph and outcome, printed as prom-client's Histogram prints it (labels
 * `subgraph`, `outcome`; its default buckets), at the cost of arithmetic per call
 * (common/ops/request-metrics.ts).
 */
export class SubgraphFetches {
  private readonly histogram: OwnHistogram;
  private readonly series: SeriesByPair<Series>;

  constructor(registry: Registry) {
    this.histogram = new OwnHistogram({
      name: "subgraph_fetch_duration_seconds",
      help: "Time of each call from the gateway to a subgraph, by subgraph and outcome (ok, error code, FETCH_FAILED)",
      registry,
    });
    this.series = new SeriesByPair((subgraph, outcome) => this.histogram.series({ subgraph, outcome }));
  }

  /** Starts timing a call to `subgraph`: the function answered records it, with its outcome. */
  startTimer(subgraph: string): (outcome: string) => void {
    const started = performance.now();
    return (outcome) =>
      this.histogram.observe(this.series.get(subgraph, outcome), (performance.now() - started) / 1000);
  }
}

/** The graphql-ws endpoint's counts, read at scrape time. */
export function registerSubscriptionMetrics(registry: Registry, stats: () => SubscriptionStats): void {
  registerGauge(
    registry,
    "graphql_subscriptions_active",
    "Client subscriptions the gateway relays",
    () => stats().subscriptions,
  );
  registerGauge(
    registry,
    "graphql_ws_connections",
    "graphql-ws connections open at the gateway (authenticated or initialising)",
    () => stats().connections,
  );
  registerGauge(
    registry,
    "gateway_upstream_subscriptions",
    "Subscriptions the gateway holds at subgraphs (one per shared stream)",
    () => stats().upstreamSubscriptions,
  );
}

/**
 * `gateway_subscription_event_resolution_seconds` and `gateway_subscription_delivery_seconds`:
 * for each relayed event, the time of its query through the supergraph (one per shared stream)
 * and the time to write it to every subscriber of the stream.
 */
export function registerRelayTimings(registry: Registry): RelayTimings {
  const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
  const resolution = new Histogram({
    name: "gateway_subscription_event_resolution_seconds",
    help: "Time from a subscription event's arrival from its subgraph to its query's answer (one query per shared stream)",
    buckets,
    registers: [registry],
  });
  const delivery = new Histogram({
    name: "gateway_subscription_delivery_seconds",
    help: "Time to write one subscription event to every subscriber of its stream",
    buckets,
    registers: [registry],
  });
  return {
    resolved: (seconds) => resolution.observe(seconds),
    delivered: (seconds) => delivery.observe(seconds),
  };
}
