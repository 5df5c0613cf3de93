/**
 * Writing one result to every subscriber of a stream, in slices (issue 12, decision 0017).
 * Between two slices the event loop runs: the next event of this or another stream is read
 * from its upstream and its query starts while a long fan-out is still writing, instead of
 * waiting for the whole of it (a burst's second event used to queue behind the first's 1,000
 * writes before its own query even began).
 */
import type { FormattedExecutionResult } from "graphql";
import type { StreamMember } from "./resume";

/**
 * Subscribers written before the fan-out lets other work run. One socket write costs some
 * 20-40 µs (mostly the kernel's, loopback included), so a slice is a few ms: the longest an
 * arriving event waits to be read.
 */
export const FAN_OUT_SLICE = 128;

/** One result of a stream, serialised once for all its subscribers. */
export interface Delivery {
  result: FormattedExecutionResult;
  serialized: string;
  position: string | undefined;
}

/**
 * Pushes `delivery` to each of `members` that is still in `current` when its turn comes (one
 * that left meanwhile gets nothing more), stopping if `ended()` turns true. Synchronous for a
 * stream of at most one slice (undefined); otherwise resolves once the last one is written, so
 * the stream's next result waits for it and order is kept.
 */
export function fanOut(
  members: readonly StreamMember[],
  current: ReadonlySet<StreamMember>,
  { result, serialized, position }: Delivery,
  ended: () => boolean,
): Promise<void> | undefined {
  let next = 0;
  /** Writes one slice; true once every member is written (or the stream ended). */
  const slice = (): boolean => {
    if (ended()) return true;
    const end = Math.min(next + FAN_OUT_SLICE, members.length);
    for (; next < end; next++) {
      const member = members[next];
      if (current.has(member)) member.push(result, serialized, position);
    }
    return next >= members.length;
  };
  if (slice()) return undefined;
  return new Promise<void>((resolve, reject) => {
    const resume = (): void => {
      try {
        if (slice()) resolve();
        else setImmediate(resume);
      } catch (error) {
        reject(error); // a fault of the relay: the stream's queue logs it, as before
      }
    };
    setImmediate(resume);
  });
}
