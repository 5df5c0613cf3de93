/**
 * Moving a shared stream's upstream subscription to another token (decision 0027), with a fake
 * pool: events keep their order across the move, and a new subscription that fails is retried
 * while the old one carries on.
 */
import type { Sink } from "graphql-ws";
import type { FormattedExecutionResult } from "graphql";
import type { Caller } from "../../common/auth/caller";
import {
  HANDOVER_LEAD_MS,
  HANDOVER_RETRY_DELAYS_MS,
  SharedUpstream,
} from "../../gateway/subscriptions/share";
import type { UpstreamPool } from "../../gateway/subscriptions/upstream";

type Payload = FormattedExecutionResult<Record<string, unknown>>;

interface FakeLeg {
  token: string;
  sink: Sink<Payload>;
  released: boolean;
}

/** A pool that records each subscription; `failOn` makes the n-th subscribe (1-based) error at once. */
function fakePool(failOn: number[] = []) {
  const legs: FakeLeg[] = [];
  const pool = {
    subscribe(_subgraph: string, token: string, _query: string, sink: Sink<Payload>) {
      const leg: FakeLeg = { token, sink, released: false };
      legs.push(leg);
      if (failOn.includes(legs.length)) sink.error(new Error("refused"));
      return () => {
        leg.released = true;
      };
    },
  };
  return { pool: pool as unknown as UpstreamPool, legs };
}

const caller = { kind: "system", subject: "ops" } as unknown as Caller;
const event = (sequence: number): Payload => ({ data: { changed: { transferId: "t1", sequence } } });

function setUp(failOn: number[] = []) {
  const { pool, legs } = fakePool(failOn);
  const delivered: number[] = [];
  const outcomes: string[] = [];
  const shared = new SharedUpstream({
    pool,
    subgraph: "transfer",
    query: "subscription { changed { transferId sequence } }",
    eventKey: (payload) => {
      const changed = payload.data?.changed as { transferId: string; sequence: number } | undefined;
      return changed ? `${changed.transferId}\n${changed.sequence}` : undefined;
    },
    next: (payload) => delivered.push((payload.data?.changed as { sequence: number }).sequence),
    error: () => outcomes.push("error"),
    complete: () => outcomes.push("complete"),
    expired: () => outcomes.push("expired"),
  });
  const first = {};
  const second = {};
  shared.add(first, { caller, token: "old", expiresAt: Date.now() + 60 * 60_000 });
  shared.add(second, { caller, token: "new", expiresAt: Date.now() + 2 * 60 * 60_000 });
  /** The old token loses its last holder: the stream moves to "new". */
  const moveOff = () => shared.remove(first);
  return { shared, legs, delivered, outcomes, moveOff };
}

describe("SharedUpstream handover", () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it("delivers from the old subscription only while both run, then the new one in order", () => {
    const { shared, legs, delivered, moveOff } = setUp();
    expect(legs.map((leg) => leg.token)).toEqual(["old"]);
    moveOff();
    const [old, next] = legs;
    expect(next.token).toBe("new");
    next.sink.next(event(2)); // the new one is ahead: held back
    next.sink.next(event(3));
    expect(delivered).toEqual([]);
    old.sink.next(event(1));
    expect(delivered).toEqual([1]);
    old.sink.next(event(2)); // over both: the old one goes, 2 is not repeated, 3 follows
    expect(old.released).toBe(true);
    expect(delivered).toEqual([1, 2, 3]);
    next.sink.next(event(4));
    expect(delivered).toEqual([1, 2, 3, 4]);
    shared.close();
    expect(next.released).toBe(true);
  });

  it("completes the move when the new one brings an event the old one delivered", () => {
    const { shared, legs, delivered, moveOff } = setUp();
    moveOff();
    const [old, next] = legs;
    old.sink.next(event(1));
    old.sink.next(event(2));
    next.sink.next(event(2));
    expect(old.released).toBe(true);
    next.sink.next(event(3));
    old.sink.next(event(3)); // released: ignored
    expect(delivered).toEqual([1, 2, 3]);
    shared.close();
  });

  it("releases the held-back events in order when the old one ends or the overlap times out", () => {
    const ended = setUp();
    ended.moveOff();
    ended.legs[1].sink.next(event(1));
    ended.legs[1].sink.next(event(2));
    ended.legs[0].sink.complete();
    expect(ended.delivered).toEqual([1, 2]);
    expect(ended.outcomes).toEqual([]);
    ended.shared.close();

    const quiet = setUp();
    quiet.moveOff();
    quiet.legs[1].sink.next(event(7));
    jest.advanceTimersByTime(5_000);
    expect(quiet.legs[0].released).toBe(true);
    expect(quiet.delivered).toEqual([7]);
    quiet.shared.close();
  });

  it("keeps the old subscription when the new one fails, and retries the move with backoff", () => {
    const { shared, legs, delivered, outcomes, moveOff } = setUp([2, 3]);
    moveOff();
    expect(legs.map((leg) => [leg.token, leg.released])).toEqual([
      ["old", false],
      ["new", true],
    ]);
    expect(outcomes).toEqual([]);
    legs[0].sink.next(event(1)); // the old one still delivers
    expect(delivered).toEqual([1]);
    jest.advanceTimersByTime(HANDOVER_RETRY_DELAYS_MS[0]);
    expect(legs).toHaveLength(3); // second try, fails too
    jest.advanceTimersByTime(HANDOVER_RETRY_DELAYS_MS[1] - 1);
    expect(legs).toHaveLength(3); // backs off further
    jest.advanceTimersByTime(1);
    expect(legs).toHaveLength(4);
    const [old, , , next] = legs;
    expect(next.released).toBe(false);
    next.sink.next(event(2));
    old.sink.next(event(2));
    expect(old.released).toBe(true);
    expect(delivered).toEqual([1, 2]);
    expect(outcomes).toEqual([]);
    shared.close();
  });

  it("ends the stream only when the old token expires with no move possible", () => {
    const { pool, legs } = fakePool([2]);
    const outcomes: string[] = [];
    const shared = new SharedUpstream({
      pool,
      subgraph: "transfer",
      query: "subscription { changed { transferId sequence } }",
      eventKey: () => undefined,
      next: () => undefined,
      error: () => outcomes.push("error"),
      complete: () => outcomes.push("complete"),
      expired: () => outcomes.push("expired"),
    });
    shared.add({}, { caller, token: "old", expiresAt: Date.now() + HANDOVER_LEAD_MS + 1_000 });
    const only = {};
    shared.add(only, { caller, token: "new", expiresAt: Date.now() + 60 * 60_000 });
    jest.advanceTimersByTime(1_000); // the old token is due to be moved off: the first try fails
    expect(legs).toHaveLength(2);
    expect(outcomes).toEqual([]);
    shared.remove(only); // no later token left
    jest.advanceTimersByTime(HANDOVER_LEAD_MS);
    expect(outcomes).toEqual(["expired"]);
    expect(legs[0].released).toBe(true);
  });
});
