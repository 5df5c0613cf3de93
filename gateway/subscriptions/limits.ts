/**
 * The graphql-ws endpoint's limits per caller, on top of those per socket: sockets per token
 * subject (WS_MAX_CONNECTIONS_PER_CALLER), and operations per subject and, for a front-office
 * token, per client as well, whichever of its users holds them (WS_MAX_SUBSCRIPTIONS_PER_CALLER).
 *
 * Counted in memory by one gateway instance: N instances behind a load balancer allow a caller
 * up to N times as much (decision 0021). Each take checks and counts in one synchronous step, so
 * two sockets of one caller cannot both take the last slot.
 */
import type { Caller } from "../../common/auth/caller";
import type { Config } from "../../common/config";

/** Gives a slot back. Releasing twice is harmless, so a socket's close may release what its operations already did. */
export type Release = () => void;

/** Which count was full: the caller's (its token subject) or its client's (front-office tokens). */
export type FullCount = "caller" | "client";

/** The counts per caller of one gateway: sockets (taken at admission) and operations (at subscribe). */
export class CallerLimits {
  private readonly connections = new Counter();
  private readonly operations = new Counter();

  constructor(
    private readonly limits: Pick<Config["subscriptions"], "maxConnectionsPerCaller" | "maxPerCaller">,
  ) {}

  /** A socket for `caller`, or undefined when its subject already holds the maximum. */
  connect(caller: Caller): Release | undefined {
    const taken = this.connections.take([subjectKey(caller)], this.limits.maxConnectionsPerCaller);
    return typeof taken === "function" ? taken : undefined;
  }

  /** An operation for `caller`, or which count is full. */
  operate(caller: Caller): Release | { full: FullCount } {
    const keys = [subjectKey(caller)];
    if (caller.kind === "client") keys.push(`client ${caller.clientId}`);
    const taken = this.operations.take(keys, this.limits.maxPerCaller);
    if (typeof taken === "function") return taken;
    return { full: taken.full === keys[0] ? "caller" : "client" };
  }
}

function subjectKey(caller: Caller): string {
  return `subject ${caller.subject}`;
}

/** Slots held per key; a key whose count falls to zero is forgotten. */
class Counter {
  private readonly counts = new Map<string, number>();

  /** One slot under every key if none of them holds `max` yet; otherwise nothing, and the first full key. */
  take(keys: readonly string[], max: number): Release | { full: string } {
    const full = keys.find((key) => (this.counts.get(key) ?? 0) >= max);
    if (full !== undefined) return { full };
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const left = (this.counts.get(key) ?? 1) - 1;
        if (left > 0) this.counts.set(key, left);
        else this.counts.delete(key);
      }
    };
  }
}
