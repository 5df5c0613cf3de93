/**
 * A stream's fan-out writes one result to its subscribers in slices, letting the event loop run
 * in between (gateway/subscriptions/fan-out.ts, decision 0017).
 */
import { setImmediate as nextTurn } from "node:timers/promises";
import type { FormattedExecutionResult } from "graphql";
import { type Delivery, FAN_OUT_SLICE, fanOut } from "../../gateway/subscriptions/fan-out";
import type { StreamMember } from "../../gateway/subscriptions/resume";

const result: FormattedExecutionResult = { data: { changed: { sequence: 1 } } };
const delivery: Delivery = { result, serialized: JSON.stringify(result), position: "7" };

function members(count: number) {
  const written: number[] = [];
  const list: StreamMember[] = Array.from({ length: count }, (_, i) => ({
    push: (pushed, serialized, position) => {
      expect([pushed, serialized, position]).toEqual([result, delivery.serialized, "7"]);
      written.push(i);
    },
    end: () => undefined,
  }));
  return { written, list, current: new Set(list) };
}

describe("fan-out", () => {
  it("When a stream has one slice of subscribers or fewer, then all are written at once", () => {
    const { written, list, current } = members(FAN_OUT_SLICE);
    expect(fanOut(list, current, delivery, () => false)).toBeUndefined();
    expect(written).toEqual(list.map((_, i) => i));
  });

  it("When it has more, then the first slice is written at once, the event loop runs before the next, and the promise settles after the last", async () => {
    const count = FAN_OUT_SLICE * 2 + 5;
    const { written, list, current } = members(count);
    let ranBetween = -1;
    void nextTurn().then(() => (ranBetween = written.length)); // queued before the fan-out's next slice
    const writing = fanOut(list, current, delivery, () => false);
    expect(writing).toBeInstanceOf(Promise);
    expect(written.length).toBe(FAN_OUT_SLICE);
    await writing;
    expect(ranBetween).toBe(FAN_OUT_SLICE);
    expect(written).toEqual(list.map((_, i) => i));
  });

  it("When a subscriber leaves during a fan-out, then it gets nothing more; when the stream ends, then the fan-out stops", async () => {
    const count = FAN_OUT_SLICE * 3;
    const { written, list, current } = members(count);
    current.delete(list[FAN_OUT_SLICE + 1]);
    let ended = false;
    const writing = fanOut(list, current, delivery, () => ended);
    current.delete(list[FAN_OUT_SLICE]); // left after the first slice was written
    await nextTurn();
    ended = true; // after the second slice
    await writing;
    expect(written).toHaveLength(FAN_OUT_SLICE * 2 - 2);
    expect(written).not.toContain(FAN_OUT_SLICE);
    expect(written).not.toContain(FAN_OUT_SLICE + 1);
  });
});
