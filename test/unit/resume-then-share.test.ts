/**
 * A subscription resuming from a cursor moves from its own stream to the shared one by position
 * (gateway/subscriptions/resume.ts, decision 0028), without a gap or a duplicate.
 */
import type { FormattedExecutionResult } from "graphql";
import type { BoundOperation } from "../../gateway/subscriptions/operation";
import { MAX_HELD_BACK, resumeThenShare, type StreamMember } from "../../gateway/subscriptions/resume";

type Bound = Extract<BoundOperation, { kind: "relay" }>;

function setUp(after = "10") {
  const delivered: string[] = [];
  const client: StreamMember = {
    push: (_result, _serialized, position) => delivered.push(position ?? "?"),
    end: () => delivered.push("end"),
  };
  const members: Record<string, StreamMember> = {};
  const left: string[] = [];
  const bound: Bound & { resume: { after: string; liveQuery: string } } = {
    kind: "relay",
    variables: {},
    upstreamQuery: "own",
    shareable: false,
    resume: { after, liveQuery: "live" },
  };
  resumeThenShare(client, bound, (member, joined) => {
    members[joined.upstreamQuery] = member;
    return () => left.push(joined.upstreamQuery);
  });
  const result: FormattedExecutionResult = { data: {} };
  const from = (stream: "own" | "live", ...positions: number[]) => {
    for (const position of positions) members[stream].push(result, "{}", String(position));
  };
  return { delivered, left, from };
}

describe("resuming, then sharing", () => {
  it("When its own stream reaches the first position the shared one brought, then it moves over: the rest come from the shared stream, each once", () => {
    const { delivered, left, from } = setUp();
    from("own", 11, 12);
    from("live", 13, 14); // held back: the own stream has not reached 13
    expect(delivered).toEqual(["11", "12"]);
    from("own", 13); // an event over both: moved over
    expect(left).toEqual(["own"]);
    expect(delivered).toEqual(["11", "12", "13", "14"]);
    from("own", 14, 15); // released: nothing more from it counts
    from("live", 15);
    expect(delivered).toEqual(["11", "12", "13", "14", "15"]);
  });

  it("When the shared stream lags behind its own, then what was delivered already is dropped", () => {
    const { delivered, left, from } = setUp();
    from("own", 11, 12, 13, 14);
    from("live", 12); // the shared stream's first, already delivered: moved over
    expect(left).toEqual(["own"]);
    from("live", 13, 14, 15);
    expect(delivered).toEqual(["11", "12", "13", "14", "15"]);
  });

  it("When the cursor is ahead of what arrives, then nothing at or before it is delivered", () => {
    const { delivered, from } = setUp("20");
    from("live", 19, 20, 21);
    expect(delivered).toEqual(["21"]); // the own stream never sent anything at or before 20 either
  });

  it("When more than MAX_HELD_BACK results wait while it catches up, then it leaves the shared stream and stays on its own", () => {
    const { delivered, left, from } = setUp("0");
    from("own", 1);
    from("live", ...Array.from({ length: MAX_HELD_BACK + 1 }, (_, i) => 1_000 + i));
    expect(left).toEqual(["live"]);
    from("own", 2, 1_000, 1_001);
    from("live", 1_002);
    expect(delivered).toEqual(["1", "2", "1000", "1001"]);
  });
});
