/**
 * The relay's streams with a fake upstream pool and a fake execute: what a shared stream keeps of
 * the request that opened it.
 */
import type { Sink } from "graphql-ws";
import type { FormattedExecutionResult } from "graphql";
import type { Caller } from "../../common/auth/caller";
import { RELAYED_EVENTS } from "../../gateway/subscriptions/fields";
import type { BoundOperation, RelayedOperation } from "../../gateway/subscriptions/operation";
import { SubscriptionFailure } from "../../gateway/subscriptions/errors";
import {
  type ExecuteOperation,
  MAX_PENDING_EVENTS,
  type RelayRequest,
  SubscriptionRelay,
} from "../../gateway/subscriptions/relay";
import type { UpstreamPool } from "../../gateway/subscriptions/upstream";

type Payload = FormattedExecutionResult<Record<string, unknown>>;

function fakePool() {
  const sinks: Array<{ sink: Sink<Payload>; released: boolean }> = [];
  const pool = {
    subscribe(_subgraph: string, _token: string, _query: string, sink: Sink<Payload>) {
      const entry = { sink, released: false };
      sinks.push(entry);
      return () => {
        entry.released = true;
      };
    },
  };
  return { pool: pool as unknown as UpstreamPool, sinks };
}

const operation = {
  kind: "relay",
  fieldName: "transferStatusChanged",
  field: { subgraph: "transfer", ...RELAYED_EVENTS.transferStatusChanged },
  eventQuery: {
    query:
      "query E($eventTransferId: ID!, $eventSequence: Int!) { transferStatusChanged: transferStatusEvent(transferId: $eventTransferId, sequence: $eventSequence) { status } }",
    operationName: "E",
    variableNames: [],
    keyVariables: { transferId: "eventTransferId", sequence: "eventSequence" },
    responseKey: "transferStatusChanged",
  },
} as unknown as RelayedOperation;
const bound: Extract<BoundOperation, { kind: "relay" }> = {
  kind: "relay",
  variables: {},
  upstreamQuery: "subscription { transferStatusChanged { transferId sequence } }",
  shareable: true,
};
const caller = { kind: "system", subject: "ops" } as unknown as Caller;

function request(extra: Partial<RelayRequest> = {}): RelayRequest {
  return { caller, token: "t", expiresAt: Date.now() + 3_600_000, operation, bound, ...extra };
}

const event = (sequence: number): Payload => ({
  data: { transferStatusChanged: { transferId: "t1", sequence } },
});

/** An execute that takes 200 ms per event query, counting its calls. */
function slowExecute() {
  const calls = { count: 0 };
  const execute: ExecuteOperation = async (query, context) => {
    if (context.planning) return { data: null }; // the stream's planning run (event-fetch.ts)
    calls.count++;
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { data: { transferStatusChanged: { sequence: query.variables.eventSequence } } };
  };
  return { execute, calls };
}

/** Lets the stream plan its event query and open its upstream subscription. */
const planned = () => new Promise((resolve) => setImmediate(resolve));

/** Whether `target` is reachable from `root` through properties, arrays, Maps and Sets. */
function reaches(root: unknown, target: unknown): boolean {
  const seen = new Set<unknown>();
  const stack: unknown[] = [root];
  while (stack.length) {
    const value = stack.pop();
    if (value === target) return true;
    if (value === null || (typeof value !== "object" && typeof value !== "function") || seen.has(value))
      continue;
    seen.add(value);
    if (value instanceof Map) for (const [k, v] of value) stack.push(k, v);
    if (value instanceof Set) for (const v of value) stack.push(v);
    if (typeof value === "object")
      for (const key of Reflect.ownKeys(value)) stack.push((value as never)[key]);
  }
  return false;
}

describe("SubscriptionRelay streams", () => {
  it("keeps nothing of the first subscriber's request once it has left", () => {
    const { pool } = fakePool();
    const execute: ExecuteOperation = async () => ({ data: { transferStatusChanged: { status: "X" } } });
    const relay = new SubscriptionRelay(pool, execute);
    const direct = () => ({ sent: true, bufferedBytes: 0, unsentResults: 0 });
    const ended = () => undefined;
    const first = relay.subscribe(request({ direct, ended }));
    const second = relay.subscribe(request({ token: "u" }));
    void first.return();
    const streams = (relay as unknown as { streams: Map<string, unknown> }).streams;
    expect(streams.size).toBe(1);
    const [stream] = streams.values();
    expect(reaches(stream, direct)).toBe(false);
    expect(reaches(stream, ended)).toBe(false);
    void second.return();
  });

  it("delivers a burst under the pending-events cap in order", async () => {
    const { pool, sinks } = fakePool();
    const { execute } = slowExecute();
    const relay = new SubscriptionRelay(pool, execute);
    const subscriber = relay.subscribe(request());
    await planned();
    for (let sequence = 1; sequence <= 12; sequence++) sinks[0].sink.next(event(sequence));
    const got: unknown[] = [];
    for (let i = 0; i < 12; i++) {
      const { value } = await subscriber.next();
      got.push((value?.data?.transferStatusChanged as { sequence: number }).sequence);
    }
    expect(got).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    void subscriber.return();
  });

  it(`ends the stream with SUBSCRIPTION_INTERRUPTED when more than ${MAX_PENDING_EVENTS} events wait`, async () => {
    const { pool, sinks } = fakePool();
    const { execute, calls } = slowExecute();
    const relay = new SubscriptionRelay(pool, execute);
    const subscribers = [relay.subscribe(request()), relay.subscribe(request({ token: "u" }))];
    await planned();
    for (let sequence = 1; sequence <= MAX_PENDING_EVENTS + 100; sequence++)
      sinks[0].sink.next(event(sequence));
    for (const subscriber of subscribers) {
      const failure = await subscriber.next().then(
        () => undefined,
        (error: SubscriptionFailure) => error,
      );
      expect(failure?.errors[0].extensions?.code).toBe("SUBSCRIPTION_INTERRUPTED");
      expect(failure?.errors[0].message).toMatch(/MAX_PENDING_EVENTS/);
      expect(failure?.errors[0].message).toMatch(/after: the position of the last event received/);
    }
    expect(sinks[0].released).toBe(true);
    expect(relay.subscriptions()).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(calls.count).toBeLessThanOrEqual(4); // the waiting ones were dropped, not run
  });
});
