/**
 * Our request counter and histogram (common/ops/request-metrics.ts) must print what prom-client's
 * Counter and Histogram print for the same calls: the same random calls go to ours and to
 * prom-client's, each on a registry of its own with the same default label, and the whole
 * `/metrics` text and `getMetricsAsJSON()` must be equal, after every scrape and reset.
 */
import fc from "fast-check";
import { Counter, Histogram, Registry } from "prom-client";
import { ServiceMetrics } from "../../common/ops/metrics";
import { counterChild, OwnCounter, RequestMetrics } from "../../common/ops/request-metrics";

const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const REQUESTS = "graphql_requests_total";
const DURATIONS = "graphql_request_duration_seconds";

/** prom-client's metrics, configured as common/ops/metrics.ts configured them before. */
function reference(service: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  const requests = new Counter({
    name: REQUESTS,
    help: "GraphQL requests by operation name and outcome (ok, or the first error's code)",
    labelNames: ["operation", "outcome"],
    registers: [registry],
  });
  const durations = new Histogram({
    name: DURATIONS,
    help: "Time from a GraphQL request's start to its response, by operation name and outcome",
    labelNames: ["operation", "outcome"],
    registers: [registry],
  });
  return {
    registry,
    record(operation: string, outcome: string, seconds: number) {
      const labels = { operation, outcome };
      requests.inc(labels);
      durations.observe(labels, seconds);
    },
  };
}

/** Both registries' text and JSON, equal (JSON also as text: key order counts). */
async function expectSame(ours: Registry, theirs: Registry): Promise<void> {
  expect(await ours.metrics()).toBe(await theirs.metrics());
  const [oursJson, theirsJson] = [await ours.getMetricsAsJSON(), await theirs.getMetricsAsJSON()];
  expect(oursJson).toStrictEqual(theirsJson);
  expect(JSON.stringify(oursJson)).toBe(JSON.stringify(theirsJson));
}

const duration = fc.oneof(
  fc.constantFrom(0, -0, ...BOUNDS, Number.MIN_VALUE, 1e-12, 1e9, 1e300),
  fc.constantFrom(...BOUNDS).map((bound) => bound * (1 + Number.EPSILON)),
  fc.double({ min: 0, max: 12, noNaN: true }),
);
/** More names than a service labels (MAX_OPERATION_NAMES, 200), and some that are no names. */
const operation = fc.oneof(
  fc.integer({ min: 0, max: 259 }).map((i) => `Op${i}`),
  fc.constantFrom(undefined, "", "1bad", "refused", "other", "anonymous"),
);
const outcome = fc.constantFrom("ok", "ACCOUNT_NOT_FOUND", "UNAUTHENTICATED", "INTERNAL_SERVER_ERROR");
const step = fc.oneof(
  {
    weight: 40,
    arbitrary: fc.record({ kind: fc.constant("record" as const), operation, outcome, duration }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constantFrom("scrape" as const, "reset" as const) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("refused" as const),
      duration: fc.constantFrom(NaN, Infinity, -Infinity),
    }),
  },
);

describe("request metrics", () => {
  it("When the same requests are recorded, then /metrics and its JSON are prom-client's, after scrapes and resets too", async () => {
    let capped = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 800, size: "max" }), async (steps) => {
        // The operation label as a service computes it (the cap and `anonymous`), for both sides.
        const labels = new ServiceMetrics("ledger");
        const ours = new Registry();
        ours.setDefaultLabels({ service: "ledger" });
        const recorder = new RequestMetrics(ours);
        const theirs = reference("ledger");
        for (const s of steps) {
          if (s.kind === "record") {
            const label = labels.operationLabel(s.operation);
            if (label === "other" && s.operation !== "other") capped++;
            recorder.record(label, s.outcome, s.duration);
            theirs.record(label, s.outcome, s.duration);
          } else if (s.kind === "refused") {
            expect(() => recorder.record("Op1", "ok", s.duration)).toThrow(TypeError);
            expect(() => theirs.record("Op1", "ok", s.duration)).toThrow(TypeError);
          } else if (s.kind === "reset") {
            ours.resetMetrics();
            theirs.registry.resetMetrics();
          } else {
            await expectSame(ours, theirs.registry);
          }
        }
        await expectSame(ours, theirs.registry);
      }),
      {
        numRuns: 40,
        // One run surely past the cap (random runs reach it only sometimes).
        examples: [
          [
            Array.from({ length: 260 }, (_, i) => ({
              kind: "record" as const,
              operation: `Op${i}`,
              outcome: "ok" as const,
              duration: i / 100,
            })),
          ],
        ],
      },
    );
    // Runs named more operations than the cap.
    expect(capped).toBeGreaterThan(0);
  });

  it("When a service records requests, then its two request metrics print as prom-client's", async () => {
    const metrics = new ServiceMetrics("gateway");
    const theirs = reference("gateway");
    const calls: Array<[string, string, number]> = [
      ["CreatePayment", "ok", 0.004],
      ["refused", "UNAUTHENTICATED", 0],
      ["CreatePayment", "ok", 0.25],
      ["anonymous", "BAD_USER_INPUT", 30],
      ["CreatePayment", "INTERNAL_SERVER_ERROR", 0.01],
    ];
    for (const [operation, outcome, seconds] of calls) {
      metrics.recordRequest(operation, outcome, seconds);
      theirs.record(operation, outcome, seconds);
    }
    for (const name of [REQUESTS, DURATIONS]) {
      expect(await metrics.registry.getSingleMetricAsString(name)).toBe(
        await theirs.registry.getSingleMetricAsString(name),
      );
    }
    const json = async (registry: Registry) =>
      (await registry.getMetricsAsJSON()).filter((metric) => [REQUESTS, DURATIONS].includes(metric.name));
    expect(await json(metrics.registry)).toStrictEqual(await json(theirs.registry));
  });

  it("When executions are counted by children, also of two engines on one registry, then the counter prints as prom-client's", async () => {
    const executors = ["compiled", "graphql-js", "graphql-js-again"];
    const name = "graphql_direct_executions_total";
    const help = "Operations the direct path ran, by executor";
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 5 }), fc.constant("reset" as const)), { maxLength: 200 }),
        async (steps) => {
          const ours = new Registry();
          const theirs = new Registry();
          for (const registry of [ours, theirs]) registry.setDefaultLabels({ service: "ledger" });
          const counter = new OwnCounter({ name, help, registry: ours });
          const reference = new Counter({ name, help, labelNames: ["executor"], registers: [theirs] });
          // Two engines' children (indexes 0-2 and 3-5) of the same three label sets.
          const oursChildren = [...executors, ...executors].map((executor) =>
            counterChild(counter, { executor }),
          );
          const theirsChildren = [...executors, ...executors].map((executor) => reference.labels(executor));
          for (const s of steps) {
            if (s === "reset") {
              ours.resetMetrics();
              theirs.resetMetrics();
            } else {
              oursChildren[s].inc();
              theirsChildren[s].inc();
            }
          }
          await expectSame(ours, theirs);
        },
      ),
      { numRuns: 100 },
    );
  });
});
