/**
 * Sharing a stream by what authorisation depends on, not by the token string (issue 12,
 * decision 0027). The subgraphs decide what a reader sees from the token's kind and, for a
 * front-office token, its client; never from its subject (that is only recorded as the actor of
 * a write, and an event query writes nothing). So every system caller shares one stream, and
 * the front-office callers of one client share another.
 *
 * A shared stream still needs one token, at the subgraph and for each event's query: it borrows
 * the token of one of its subscribers, the one that expires last, and moves to another before
 * that expires or when its last holder leaves. The gateway never uses a token past its `exp`,
 * and a client's stream only ever holds its own users' tokens.
 */
import type { FormattedExecutionResult } from "graphql";
import type { Caller } from "../../common/auth/caller";
import { log } from "../../common/log";
import { canonicalJson } from "../../common/request-hash";
import type { RelayRequest } from "./relay";
import type { UpstreamPool } from "./upstream";

/** The part of a caller that decides what it may read: one stream per scope, document and variables. */
export function scopeOf(caller: Caller): string {
  return caller.kind === "system" ? "system" : `client ${caller.clientId}`;
}

/** One stream per authorisation scope, event query, variables and upstream arguments. */
export function shareKey(
  { caller, operation }: Pick<RelayRequest, "caller" | "operation">,
  bound: RelayRequest["bound"],
): string {
  return [
    scopeOf(caller),
    operation.eventQuery.operationName ?? "",
    operation.eventQuery.query,
    canonicalJson(bound.variables),
    bound.upstreamQuery,
  ].join("\n");
}

/** A subscriber's token, who it names, and when it expires (ms since the epoch). */
export interface Credential {
  caller: Caller;
  token: string;
  expiresAt: number;
}

/**
 * How long before its token expires an upstream subscription is moved to a later one. Covers
 * {@link HANDOVER_MAX_OVERLAP_MS} and a margin, so the old one is gone before its token expires.
 */
export const HANDOVER_LEAD_MS = 10_000;
/** Longest the old and the new upstream subscription both run during a handover. */
export const HANDOVER_MAX_OVERLAP_MS = 5_000;
/**
 * Waits before trying a failed handover again (the n-th failure in a row waits the n-th, the
 * last one repeating). Meanwhile the old upstream subscription carries on while its token lasts.
 */
export const HANDOVER_RETRY_DELAYS_MS = [1_000, 2_000, 4_000] as const;
/** Event keys remembered to drop the second copy of an event that both run over. */
const REMEMBERED_EVENTS = 1_024;
/** The longest delay setTimeout holds (about 24.8 days); a longer wait is re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

type Payload = FormattedExecutionResult<Record<string, unknown>>;

/** What the shared upstream tells its stream. */
export interface SharedUpstreamOptions {
  pool: UpstreamPool;
  subgraph: string;
  /** The upstream subscription document (the event's key, and what event-fetch.ts adds). */
  query: string;
  /** The event's identity in a payload (`transferId sequence`), undefined for a payload without one. */
  eventKey(payload: Payload): string | undefined;
  /** An event, once, in the order the subgraph sent it. */
  next(payload: Payload): void;
  /** The upstream subscription in use failed (a lost subgraph, a refused token). */
  error(error: unknown): void;
  /** The upstream subscription in use completed. */
  complete(): void;
  /** No subscriber holds a token that is still valid: the stream must end. */
  expired(): void;
}

/** One upstream subscription and the token it was opened with. */
interface Leg {
  token: string;
  expiresAt: number;
  release(): void;
}

/** A move under way: the old leg still delivers; the new one's events wait in `buffered`. */
interface Handover {
  old: Leg;
  timer: NodeJS.Timeout;
  buffered: Array<{ key: string | undefined; payload: Payload }>;
  bufferedKeys: Set<string>;
}

/**
 * The upstream subscription of one shared stream, and the tokens it may borrow. A handover
 * opens the new subscription before the old one is released. While both run, only the old one
 * delivers and the new one's events are held back; once an event came over both (the new one is
 * live), the old one ends (or at the latest after {@link HANDOVER_MAX_OVERLAP_MS}, and always
 * before its token expires), the held-back events already delivered are dropped by their key and
 * the rest follow in order: the move neither loses, repeats nor reorders one. A new subscription
 * that fails is let go and the move tried again later ({@link HANDOVER_RETRY_DELAYS_MS}); the old
 * one carries on meanwhile.
 */
export class SharedUpstream {
  private readonly holders = new Map<object, Credential>();
  /** Subscribers per token, to tell when the token in use has no holder left. */
  private readonly tokens = new Map<string, number>();
  private latest: Credential | undefined;
  /** The upstream subscription in use (during a handover: the new one). */
  private leg: Leg | undefined;
  private handover: Handover | undefined;
  /** Failed handovers in a row, and when the next may start. */
  private failures = 0;
  private retryAt = 0;
  private readonly seen = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: SharedUpstreamOptions) {}

  /** A subscriber joins with its token; the first one opens the upstream subscription. */
  add(holder: object, credential: Credential): void {
    this.holders.set(holder, credential);
    this.tokens.set(credential.token, (this.tokens.get(credential.token) ?? 0) + 1);
    if (!this.latest || credential.expiresAt > this.latest.expiresAt) this.latest = credential;
    this.review();
  }

  /** A subscriber leaves; if it held the last copy of the token in use, the stream moves off it. */
  remove(holder: object): void {
    const credential = this.holders.get(holder);
    if (!credential || !this.holders.delete(holder)) return;
    const left = (this.tokens.get(credential.token) ?? 1) - 1;
    if (left > 0) this.tokens.set(credential.token, left);
    else this.tokens.delete(credential.token);
    if (credential === this.latest) this.latest = latestOf(this.holders.values());
    if (this.holders.size > 0) this.review();
  }

  /** The token for an event's query: the subscribers' latest-expiring one, if it has not expired. */
  credential(now = Date.now()): Credential | undefined {
    return this.latest && this.latest.expiresAt > now ? this.latest : undefined;
  }

  /** Releases every upstream subscription and timer. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.leg?.release();
    this.leg = undefined;
    const handover = this.handover;
    this.handover = undefined;
    if (handover) {
      clearTimeout(handover.timer);
      handover.old.release();
    }
  }

  /** Opens, keeps or moves the upstream subscription, and sets when to look again. */
  private review(): void {
    if (this.closed) return;
    const now = Date.now();
    const best = this.credential(now);
    const current = this.leg;
    if (!current) {
      if (best) this.open(best);
    } else if (
      !this.handover &&
      now >= this.retryAt &&
      best &&
      best.token !== current.token &&
      (!this.tokens.has(current.token) || current.expiresAt - now <= HANDOVER_LEAD_MS)
    ) {
      this.handOver(current, best, now);
    }
    if (!this.closed) this.schedule(now);
  }

  /** Looks again when the token in use is due to be moved off; at its expiry, with no later one, ends. */
  private schedule(now: number): void {
    clearTimeout(this.timer);
    const leg = this.leg;
    if (!leg) {
      this.expire();
      return;
    }
    const lead = leg.expiresAt - HANDOVER_LEAD_MS - now;
    let delay = Math.min(lead > 0 ? lead : leg.expiresAt - now, MAX_TIMER_MS);
    if (this.retryAt > now) delay = Math.min(delay, this.retryAt - now);
    this.timer = setTimeout(
      () => {
        if (Date.now() >= leg.expiresAt && this.leg === leg) this.expire();
        else this.review();
      },
      Math.max(0, delay),
    ).unref();
  }

  private expire(): void {
    this.close();
    this.options.expired();
  }

  private handOver(old: Leg, next: Credential, now: number): void {
    const wait = Math.max(0, Math.min(HANDOVER_MAX_OVERLAP_MS, old.expiresAt - now - 1_000));
    const timer = setTimeout(() => this.completeHandover(), wait);
    this.handover = { old, timer, buffered: [], bufferedKeys: new Set() };
    this.open(next);
  }

  /** The old subscription goes; the new one's held-back events not yet delivered follow in order. */
  private completeHandover(): void {
    const handover = this.handover;
    if (!handover) return;
    this.handover = undefined;
    clearTimeout(handover.timer);
    handover.old.release();
    this.failures = 0;
    this.retryAt = 0;
    for (const { key, payload } of handover.buffered) {
      if (this.closed) return;
      this.pass(key, payload);
    }
    this.review(); // another move may be due already
  }

  /**
   * The new subscription failed or ended while the old one still runs: the old one stays in use
   * (its token has not expired: it is released at least 1 s before), and the move is tried again.
   */
  private abandonHandover(handover: Handover, failed: Leg, error: unknown): void {
    this.handover = undefined;
    clearTimeout(handover.timer);
    failed.release();
    this.leg = handover.old;
    this.failures++;
    const delays = HANDOVER_RETRY_DELAYS_MS;
    this.retryAt = Date.now() + delays[Math.min(this.failures, delays.length) - 1];
    log.warn(
      {
        subgraph: this.options.subgraph,
        failures: this.failures,
        err: error instanceof Error ? error : undefined,
      },
      "moving an upstream subscription to another token failed; the old one carries on",
    );
    this.review();
  }

  /** Opens an upstream subscription with `credential` and puts it in use. */
  private open({ token, expiresAt }: Credential): void {
    const handle: { stop?: () => void; released?: boolean } = {};
    const leg: Leg = {
      token,
      expiresAt,
      release: () => {
        handle.released = true;
        handle.stop?.();
      },
    };
    const { pool, subgraph, query } = this.options;
    // In use before it subscribes: the pool may report an error before `subscribe` returns.
    this.leg = leg;
    handle.stop = pool.subscribe(subgraph, token, query, {
      next: (payload) => this.onPayload(leg, payload),
      error: (error) => this.onEnd(leg, { error }),
      complete: () => this.onEnd(leg, undefined),
    });
    if (handle.released) handle.stop();
  }

  /** A leg failed (`ended.error`) or completed. */
  private onEnd(leg: Leg, ended: { error: unknown } | undefined): void {
    const handover = this.handover;
    // The old subscription of a handover that fails or ends is simply let go: the new one carries on.
    if (handover && leg === handover.old) this.completeHandover();
    else if (handover && leg === this.leg) this.abandonHandover(handover, leg, ended?.error);
    else if (leg !== this.leg)
      return; // released already
    else if (ended) this.options.error(ended.error);
    else this.options.complete();
  }

  /** During a handover only the old subscription delivers; an event over both completes the move. */
  private onPayload(leg: Leg, payload: Payload): void {
    const key = this.options.eventKey(payload);
    const handover = this.handover;
    if (handover && leg === this.leg) {
      handover.buffered.push({ key, payload });
      if (key !== undefined) handover.bufferedKeys.add(key);
      const overBoth = key !== undefined && this.seen.has(key);
      if (overBoth || handover.buffered.length > REMEMBERED_EVENTS) this.completeHandover();
      return;
    }
    if (handover && leg === handover.old) {
      this.pass(key, payload);
      if (key !== undefined && handover.bufferedKeys.has(key)) this.completeHandover();
      return;
    }
    if (leg === this.leg) this.pass(key, payload);
  }

  /** Passes an event on unless it came already. */
  private pass(key: string | undefined, payload: Payload): void {
    if (key !== undefined) {
      if (this.seen.has(key)) return;
      this.seen.add(key);
      if (this.seen.size > REMEMBERED_EVENTS) this.seen.delete(this.seen.values().next().value!);
    }
    this.options.next(payload);
  }
}

function latestOf(credentials: Iterable<Credential>): Credential | undefined {
  let latest: Credential | undefined;
  for (const credential of credentials) {
    if (!latest || credential.expiresAt > latest.expiresAt) latest = credential;
  }
  return latest;
}
