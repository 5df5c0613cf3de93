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
import { monitorEventLoopDelay } from "node:perf_hooks";
import { Gauge, type Registry } from "prom-client";

const LAG_RESOLUTION_MS = 50;

/** The statistics, each with the help text prom-client gives its gauge. */
const LAG_GAUGES = {
  min: "The minimum recorded event loop delay.",
  max: "The maximum recorded event loop delay.",
  mean: "The mean of the recorded event loop delays.",
  stddev: "The standard deviation of the recorded event loop delays.",
  p50: "The 50th percentile of the recorded event loop delays.",
  p90: "The 90th percentile of the recorded event loop delays.",
  p99: "The 99th percentile of the recorded event loop delays.",
} as const;

type Statistic = keyof typeof LAG_GAUGES;

/** The names of the gauges this module gives (prom-client's defaults give them too: remove those first). */
export const LAG_GAUGE_NAMES = Object.keys(LAG_GAUGES).map((statistic) => gaugeName(statistic as Statistic));

function gaugeName(statistic: Statistic): string {
  return `nodejs_eventloop_lag_${statistic}_seconds`;
}

/**
 * Registers the gauges in `registry`, read from a monitor of its own that every scrape starts
 * afresh (as prom-client's did). The monitor's timer does not keep the process alive.
 */
export function registerEventLoopLag(registry: Registry): void {
  const monitor = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  monitor.enable();
  const interval = LAG_RESOLUTION_MS * 1e6;
  /** A delay as recorded (ns, the interval included) -> the lag in seconds. */
  const lag = (ns: number) => Math.max(0, ns - interval) / 1e9;
  const read: Record<Statistic, () => number> = {
    min: () => lag(monitor.min),
    max: () => lag(monitor.max),
    mean: () => lag(monitor.mean),
    stddev: () => monitor.stddev / 1e9,
    p50: () => lag(monitor.percentile(50)),
    p90: () => lag(monitor.percentile(90)),
    p99: () => lag(monitor.percentile(99)),
  };
  const gauges = new Map<Statistic, Gauge>();
  for (const statistic of Object.keys(LAG_GAUGES) as Statistic[]) {
    gauges.set(
      statistic,
      new Gauge({
        name: gaugeName(statistic),
        help: LAG_GAUGES[statistic],
        registers: [registry],
        // The first gauge collected sets them all from one reading, then starts the next.
        ...(statistic === "min" && {
          collect: () => {
            // Before its first tick the monitor holds nothing (min reads as a huge number).
            const empty = monitor.count === 0;
            for (const [name, gauge] of gauges) gauge.set(empty ? 0 : read[name]());
            monitor.reset();
          },
        }),
      }),
    );
  }
}
