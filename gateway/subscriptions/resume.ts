/**
 * A subscription that resumes from a cursor (`after`, decision 0028) catches up on an upstream
 * subscription of its own, then moves to the shared stream of its scope, so that a gateway
 * restart, after which every client resumes, does not leave each on a stream of its own.
 *
 * It joins the shared stream at once and holds its results back. Each result carries its event's
 * position in the log, and both streams deliver in log order. Once its own stream has delivered a
 * position at or past the first one the shared stream brought, everything after that position is
 * on the shared stream: its own is released, and the held-back results after the last position
 * delivered follow. A result at or before the last position delivered is dropped, so none is
 * repeated or skipped. A scope with no new event keeps its own stream until one arrives.
 */
import type { FormattedExecutionResult } from "graphql";
import type { BoundOperation } from "./operation";
import type { SubscriptionFailure } from "./errors";

/** What a stream needs of a subscription it feeds (the client's Subscriber, or a leg of a resume). */
export interface StreamMember {
  /** A result, serialised once for the stream, and its event's position in the log (if it has one). */
  push(result: FormattedExecutionResult, serialized?: string, position?: string): void;
  end(failure?: SubscriptionFailure): void;
}

type RelayBound = Extract<BoundOperation, { kind: "relay" }>;

/** Puts a member on the stream of `bound` (shared or its own); returns its leaving. */
export type JoinStream = (member: StreamMember, bound: RelayBound) => () => void;

/** Results of the shared stream held back while catching up; more and the subscription stays on its own. */
export const MAX_HELD_BACK = 1_000;

interface Held {
  result: FormattedExecutionResult;
  serialized: string | undefined;
  position: bigint;
}

/** Feeds `client` from its own stream after `resume.after`, then from the shared one. */
export function resumeThenShare(
  client: StreamMember,
  bound: RelayBound & { resume: NonNullable<RelayBound["resume"]> },
  join: JoinStream,
): void {
  let last = BigInt(bound.resume.after);
  /** The shared stream's results held back; null once moved onto it. */
  let held: Held[] | null = [];
  let sharing = true;
  let leaveLive = (): void => undefined;
  let leaveOwn = (): void => undefined;

  const forward = (result: FormattedExecutionResult, serialized?: string, position?: string): void => {
    if (position !== undefined) {
      const at = BigInt(position);
      if (at <= last) return;
      last = at;
    }
    client.push(result, serialized, position);
  };
  const moveOver = (): void => {
    if (!held?.length || last < held[0].position) return;
    const release = held;
    held = null;
    leaveOwn();
    for (const { result, serialized, position } of release) forward(result, serialized, String(position));
  };

  const live: StreamMember = {
    push: (result, serialized, position) => {
      if (!sharing) return;
      if (!held) return forward(result, serialized, position);
      if (position === undefined) return; // an error without an event: its own stream reports the same
      held.push({ result, serialized, position: BigInt(position) });
      if (held.length > MAX_HELD_BACK) {
        // Catching up takes long while the scope is busy: stay on its own stream.
        sharing = false;
        held = [];
        leaveLive();
        return;
      }
      moveOver();
    },
    end: (failure) => client.end(failure),
  };
  const own: StreamMember = {
    push: (result, serialized, position) => {
      if (!held) return;
      forward(result, serialized, position);
      moveOver();
    },
    // Once moved over, its own stream is released: how it ends is no longer the client's.
    end: (failure) => {
      if (held) client.end(failure);
    },
  };
  leaveLive = join(live, {
    ...bound,
    upstreamQuery: bound.resume.liveQuery,
    shareable: true,
    resume: undefined,
  });
  leaveOwn = join(own, bound);
}
