/**
 * The event-loop lag gauges prom-client's defaults name (`nodejs_eventloop_lag_{min,max,mean,
 * stddev,p50,p90,p99}_seconds`), from a monitor that wakes a service every
 * {@link LAG_RESOLUTION_MS} instead of prom-client's 10 ms, with that interval taken out.
 *
 * Node's monitor (`perf_hooks.monitorEventLoopDelay`) records the whole time between two of its
 * ticks, so prom-client's figures were the lag plus 10 ms, and at 100 ms they would have been
 * the lag plus 100 ms (decision 0056). These are the lag alone: how late a tick came. A tick
 * every 10 ms was most of an idle service's wake-ups and, between requests, a wake-up of its own
 * for a service under load (decision 0069). A tick every 50 ms still sees every stall longer than
 * that, and a shorter one in proportion to its length.
 */
import { type IntervalHistogram, monitorEventLoopDelay } from "node:perf_hooks";
import { Gauge, type Registry } from "prom-client";

const LAG_RESOLUTION_MS = 50;

/** A delay as the monitor records it (ns, the interval included) -> the lag in seconds. */
const lag = (ns: number) => Math.max(0, ns - LAG_RESOLUTION_MS * 1e6) / 1e9;

/** Each statistic: the help text prom-client gives its gauge, and its value in seconds. */
const STATISTICS: Record<string, [help: string, read: (monitor: IntervalHistogram) => number]> = {
  min: ["The minimum recorded event loop delay.", (monitor) => lag(monitor.min)],
  max: ["The maximum recorded event loop delay.", (monitor) => lag(monitor.max)],
  mean: ["The mean of the recorded event loop delays.", (monitor) => lag(monitor.mean)],
  // A spread: the interval does not move it.
  stddev: ["The standard deviation of the recorded event loop delays.", (monitor) => monitor.stddev / 1e9],
  p50: ["The 50th percentile of the recorded event loop delays.", (monitor) => lag(monitor.percentile(50))],
  p90: ["The 90th percentile of the recorded event loop delays.", (monitor) => lag(monitor.percentile(90))],
  p99: ["The 99th percentile of the recorded event loop delays.", (monitor) => lag(monitor.percentile(99))],
};

/**
 * Puts these gauges in `registry` in place of prom-client's of the same names (registered by
 * `collectDefaultMetrics`, whose own monitor the caller puts off), read from a monitor of their
 * own that every scrape starts afresh, as prom-client's did. The monitor's timer does not keep
 * the process alive.
 */
export function replaceEventLoopLag(registry: Registry): void {
  const monitor = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  monitor.enable();
  // The first gauge collected sets them all from one reading, then starts the next.
  const readAll = () => {
    // Before its first tick the monitor holds nothing (min reads as a huge number).
    const empty = monitor.count === 0;
    for (const [gauge, read] of gauges) gauge.set(empty ? 0 : read(monitor));
    monitor.reset();
  };
  const gauges = Object.entries(STATISTICS).map(([statistic, [help, read]], i) => {
    const name = `nodejs_eventloop_lag_${statistic}_seconds`;
    registry.removeSingleMetric(name);
    const gauge = new Gauge({ name, help, registers: [registry], collect: i === 0 ? readAll : undefined });
    return [gauge, read] as const;
  });
}
