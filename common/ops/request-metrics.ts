/**
 * A counter and a histogram that cost plain arithmetic per call and print, at scrape time,
 * exactly what prom-client 15's Counter and Histogram print for the same calls.
 *
 * Why not prom-client's own: its `inc(labels)` and `observe(labels, value)` validate the labels,
 * build a string key from them and look the series up by it, on every call; every GraphQL request
 * of every service pays that (about 2.5% of a subgraph's JavaScript). Why not a prom-client metric
 * fed by a `collect()` at scrape time: prom-client has no public way to set a histogram's bucket
 * counts, and figures handed over late would land after a `registry.resetMetrics()` that came
 * between. So these are metric objects of our own, registered with `registry.registerMetric`,
 * whose `get()` (and the histogram's `getForPromString()`) return the very shapes prom-client's
 * return: same value objects, label order (`le` first in a histogram's bucket labels), series in
 * the order their first value came, `reset()` emptying them. A caller looks a series up once
 * (a {@link Series} it keeps) and then only adds to it. test/unit/request-metrics.test.ts
 * compares the text and JSON of a registry with these against one with prom-client's.
 */
import type { Metric, Registry } from "prom-client";
import { format } from "node:util";

/** prom-client's default histogram buckets (`new Histogram` without `buckets`). */
const DEFAULT_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

type Labels = Readonly<Record<string, string>>;

interface MetricConfig {
  name: string;
  help: string;
  registry: Registry;
}

/** One label set's figures; `count` 0 means the series is not shown (never observed, or reset). */
export interface Series {
  readonly labels: Labels;
  count: number;
  sum: number;
  /** Observations per bucket (not cumulative), by the index of its upper bound. */
  readonly buckets: number[];
}

/** What both metrics share: a name, a help text, series shown in the order of their first value. */
abstract class OwnMetric {
  readonly name: string;
  readonly help: string;
  readonly aggregator = "sum";
  /** Series with a value, in the order they got their first one (prom-client's order). */
  protected shown: Series[] = [];

  constructor(config: MetricConfig) {
    this.name = config.name;
    this.help = config.help;
    config.registry.registerMetric(this as unknown as Metric);
  }

  /** The series of `labels`, to be kept by the caller: label names and order as prom-client's. */
  series(labels: Labels): Series {
    return { labels, count: 0, sum: 0, buckets: new Array<number>(DEFAULT_BUCKETS.length).fill(0) };
  }

  /** As prom-client's `reset()` (also what `registry.resetMetrics()` calls): no series left. */
  reset(): void {
    for (const series of this.shown) {
      series.count = 0;
      series.sum = 0;
      series.buckets.fill(0);
    }
    this.shown = [];
  }
}

/** A counter that only ever goes up by one (prom-client's `inc()` without a value). */
export class OwnCounter extends OwnMetric {
  readonly type = "counter";
  /** The series {@link counterChild} handed out, so that two children of one label set share it. */
  private readonly children = new Map<string, Series>();

  /** The one series of `labels` among children (looked up once per child, not per `inc`). */
  childSeries(labels: Labels): Series {
    const key = JSON.stringify(labels);
    let series = this.children.get(key);
    if (!series) this.children.set(key, (series = this.series(labels)));
    return series;
  }

  inc(series: Series): void {
    if (series.count === 0) this.shown.push(series);
    series.count += 1;
  }

  /** As prom-client's Counter `get()`: its `{value, labels}` objects (copies: callers mutate them). */
  async get() {
    return {
      help: this.help,
      name: this.name,
      type: this.type,
      values: this.shown.map((series) => ({ value: series.count, labels: series.labels })),
      aggregator: this.aggregator,
    };
  }
}

/** A histogram with prom-client's default buckets. */
export class OwnHistogram extends OwnMetric {
  readonly type = "histogram";

  observe(series: Series, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${format(value)}`);
    if (series.count === 0) this.shown.push(series);
    series.count += 1;
    series.sum += value;
    // A linear search: 11 bounds, and most requests fall in the first ones. A value above the
    // last bound is in no bucket, only in `+Inf` (the count), as in prom-client.
    for (let i = 0; i < DEFAULT_BUCKETS.length; i++) {
      if (value <= DEFAULT_BUCKETS[i]) {
        series.buckets[i] += 1;
        return;
      }
    }
  }

  /** As prom-client's Histogram `getForPromString()`: series labels kept apart as `sharedLabels`. */
  async getForPromString() {
    const bucketName = `${this.name}_bucket`;
    const values = [];
    for (const series of this.shown) {
      let cumulative = 0;
      for (let i = 0; i < DEFAULT_BUCKETS.length; i++) {
        cumulative += series.buckets[i];
        values.push(sample({ le: DEFAULT_BUCKETS[i] }, cumulative, bucketName, null, series.labels));
      }
      values.push(
        sample({ le: "+Inf" }, series.count, bucketName, null, series.labels),
        sample({}, series.sum, `${this.name}_sum`, undefined, series.labels),
        sample({}, series.count, `${this.name}_count`, undefined, series.labels),
      );
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** As prom-client's Histogram `get()`: the series labels added after `le`. */
  async get() {
    const data = await this.getForPromString();
    return {
      ...data,
      values: data.values.map(({ sharedLabels, labels, ...rest }) => ({
        ...rest,
        labels: { ...labels, ...sharedLabels },
      })),
    };
  }
}

/** A histogram sample as prom-client builds it (`setValuePair`), keys in its order. */
function sample(
  labels: Record<string, string | number>,
  value: number,
  metricName: string,
  exemplar: null | undefined,
  sharedLabels: Labels,
) {
  return { labels, sharedLabels, value, metricName, exemplar };
}

/**
 * A child of `counter` for fixed labels, to `inc()` (prom-client's `counter.labels(...)`); children
 * of the same labels, e.g. of two engines on one registry, count into one series.
 */
export function counterChild(counter: OwnCounter, labels: Labels): { inc(): void } {
  const series = counter.childSeries(labels);
  return { inc: () => counter.inc(series) };
}

/**
 * What a metric keeps per pair of label values (its series), each pair made on first use and then
 * found by two map look-ups: label values are bounded by their callers (operation names capped,
 * error codes, subgraph names), so the maps stay small.
 */
export class SeriesByPair<T> {
  private readonly rows = new Map<string, Map<string, T>>();

  constructor(private readonly make: (first: string, second: string) => T) {}

  get(first: string, second: string): T {
    let row = this.rows.get(first);
    if (!row) this.rows.set(first, (row = new Map()));
    let found = row.get(second);
    if (found === undefined) row.set(second, (found = this.make(first, second)));
    return found;
  }
}

/**
 * `graphql_requests_total` and `graphql_request_duration_seconds` of one service: one look-up
 * (operation, then outcome) finds both series of a request. Operations are capped by the caller
 * (ServiceMetrics.operationLabel), outcomes are error codes.
 */
export class RequestMetrics {
  private readonly requests: OwnCounter;
  private readonly durations: OwnHistogram;
  private readonly series: SeriesByPair<{ requests: Series; durations: Series }>;

  constructor(registry: Registry) {
    this.requests = new OwnCounter({
      name: "graphql_requests_total",
      help: "GraphQL requests by operation name and outcome (ok, or the first error's code)",
      registry,
    });
    this.durations = new OwnHistogram({
      name: "graphql_request_duration_seconds",
      help: "Time from a GraphQL request's start to its response, by operation name and outcome",
      registry,
    });
    this.series = new SeriesByPair((operation, outcome) => {
      const labels = { operation, outcome };
      return { requests: this.requests.series(labels), durations: this.durations.series(labels) };
    });
  }

  record(operation: string, outcome: string, seconds: number): void {
    const pair = this.series.get(operation, outcome);
    // In prom-client's order: the count goes up even when the duration is refused (not finite).
    this.requests.inc(pair.requests);
    this.durations.observe(pair.durations, seconds);
  }
}
