/**
 * The relay's streams with a fake upstream pool and a fake execute: what a shared stream keeps of
 * the request that opened it.
 */
import type { Sink } from "graphql-ws";
import type { FormattedExecutionResult } from "graphql";
import type { Caller } from "../../common/auth/caller";
import { RELAYED_FIELDS } from "../../gateway/subscriptions/fields";
import type { BoundOperation, RelayedOperation } from "../../gateway/subscriptions/operation";
import {
  type ExecuteOperation,
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
  field: RELAYED_FIELDS.transferStatusChanged,
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
});
