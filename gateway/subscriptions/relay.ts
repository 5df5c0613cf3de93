/**
 * The relay: client subscriptions -> upstream subscriptions at the owning subgraph -> one
 * query through the supergraph per event (its first fetch answered by the event itself where
 * event-fetch.ts could plan it) -> the result to every client that shares it.
 *
 * Client subscriptions with the same document and variables whose tokens grant the same data
 * (every system caller; the front-office callers of one client) share one stream: one upstream
 * subscription, one query per event, with a token borrowed from one of them (`share.ts`). One
 * that resumes (`afterSequence`) has a stream of its own, since what it is owed first is its own;
 * one that resumes from a cursor (`after`) catches up on its own, then joins the shared one
 * (`resume.ts`).
 */
import { randomUUID } from "node:crypto";
import type { FormattedExecutionResult } from "graphql";
import type { Caller } from "../../common/auth/caller";
import { log } from "../../common/log";
import type { GatewayContext } from "../context";
import {
  interrupted,
  publicErrors,
  type SubscriptionFailure,
  unresolvedEvent,
  upstreamFailure,
} from "./errors";
import { type EventFetch, EventFetchPlanner, eventOfFailure, prefetchOf } from "./event-fetch";
import { type BoundOperation, type RelayedOperation, withSelection } from "./operation";
import { type Backlog, DEFAULT_BACKLOG, type DirectSend, Subscriber } from "./subscriber";
import { type JoinStream, resumeThenShare, type StreamMember } from "./resume";
import { type Credential, scopeOf, SharedUpstream, shareKey } from "./share";
import type { UpstreamPool } from "./upstream";

/** Runs one query or mutation through the gateway (Apollo Server's `executeOperation`). */
export type ExecuteOperation = (
  request: { query: string; operationName: string | undefined; variables: Record<string, unknown> },
  context: GatewayContext,
) => Promise<FormattedExecutionResult>;

/** A client subscription to relay. */
export interface RelayRequest {
  caller: Caller;
  /** The caller's raw JWT: the stream may borrow it for its upstream subscription and event queries. */
  token: string;
  /** When `token` expires (ms since the epoch): the stream stops using it before then. */
  expiresAt: number;
  operation: RelayedOperation;
  bound: Extract<BoundOperation, { kind: "relay" }>;
  /** Writes results straight to the client's socket (see {@link DirectSend}). */
  direct?: DirectSend;
  /** Runs once when the client subscription ends, however it ends. */
  ended?: () => void;
}

/** How long the relay's work on each event takes, for the gateway's metrics (gateway/ops.ts). */
export interface RelayTimings {
  /** An event's query answered (or given up), in seconds since the event arrived from the subgraph. */
  resolved(seconds: number): void;
  /** An event handed to every subscriber of its stream (each socket written), in seconds. */
  delivered(seconds: number): void;
}

/** The streams of one gateway, keyed by what makes subscriptions shareable. */
export class SubscriptionRelay {
  private readonly streams = new Map<string, Stream>();
  private readonly backlog: Backlog;
  private readonly planner: EventFetchPlanner;
  private subscriberCount = 0;
  private ownStreams = 0;
  private stopped = false;

  constructor(
    private readonly upstream: UpstreamPool,
    private readonly execute: ExecuteOperation,
    backlog: Partial<Backlog> = {},
    private readonly timings?: RelayTimings,
  ) {
    this.backlog = { ...DEFAULT_BACKLOG, ...backlog };
    this.planner = new EventFetchPlanner(execute);
  }

  /** Joins (or opens) the request's stream; the subscriber leaves it when graphql-ws returns it. */
  subscribe(request: RelayRequest): Subscriber {
    if (this.stopped) {
      const refused = new Subscriber(() => request.ended?.(), this.backlog);
      refused.end(); // completes at once: the gateway is stopping
      return refused;
    }
    const leaves: Array<() => void> = [];
    const subscriber = new Subscriber(
      () => {
        this.subscriberCount--;
        for (const leave of leaves) leave();
        request.ended?.();
      },
      this.backlog,
      request.direct,
    );
    this.subscriberCount++;
    const join: JoinStream = (member, bound) => this.join(member, request, bound, leaves);
    const { bound } = request;
    if (bound.resume) resumeThenShare(subscriber, { ...bound, resume: bound.resume }, join);
    else join(subscriber, bound);
    return subscriber;
  }

  /**
   * Puts `member` on the stream of `bound` (opened if needed). Its leaving is in `leaves` before
   * it joins: joining may end it at once (an upstream that fails straight away).
   */
  private join(
    member: StreamMember,
    request: RelayRequest,
    bound: RelayRequest["bound"],
    leaves: Array<() => void>,
  ): () => void {
    const key = bound.shareable ? shareKey(request, bound) : `own ${++this.ownStreams}`;
    let stream = this.streams.get(key);
    if (!stream) {
      const spec: StreamSpec = { operation: request.operation, bound, scope: scopeOf(request.caller) };
      const { caller, token, expiresAt } = request;
      const planned = this.planner.plan(request.operation, bound.variables, { caller, token, expiresAt });
      const opened = new Stream(spec, this.upstream, planned, this.execute, this.timings, () => {
        if (this.streams.get(key) === opened) this.streams.delete(key);
      });
      this.streams.set(key, opened);
      stream = opened;
    }
    const joined = stream;
    const leave = () => joined.leave(member);
    leaves.push(leave);
    joined.join(member, request);
    return leave;
  }

  /** Client subscriptions being relayed. */
  subscriptions(): number {
    return this.subscriberCount;
  }

  /** Completes every subscription and closes every upstream one (gateway shutdown). */
  stop(): void {
    this.stopped = true;
    for (const stream of [...this.streams.values()]) stream.finish();
  }
}

/** Event queries one stream runs at once (a burst waits its turn rather than flooding the subgraphs). */
const MAX_RESOLVING = 4;
/**
 * Events of one stream received but not yet delivered (resolving or waiting their turn). One
 * more ends the stream's subscriptions with SUBSCRIPTION_INTERRUPTED naming this limit, rather
 * than let memory and latency grow without bound (decision 0027); clients resume with
 * afterSequence.
 */
export const MAX_PENDING_EVENTS = 1_000;
/**
 * Waits before each further try of an event query that failed. Short: the stream's later
 * events wait in order behind it. A subgraph that is back within them loses nothing.
 */
const EVENT_RETRY_DELAYS_MS = [100, 400] as const;
/** Tries of one event query before its subscription is ended (SUBSCRIPTION_INTERRUPTED). */
export const EVENT_RESOLUTION_ATTEMPTS = 1 + EVENT_RETRY_DELAYS_MS.length;

/**
 * What a stream needs of the request that opened it: never the request itself, whose `direct`
 * and `ended` would keep its first subscriber's socket reachable for the stream's lifetime.
 */
interface StreamSpec {
  operation: RelayedOperation;
  bound: Extract<BoundOperation, { kind: "relay" }>;
  /** The authorisation scope it is shared by (`scopeOf`): every token it borrows is of it. */
  scope: string;
}

type Outcome = { result: FormattedExecutionResult } | { end: SubscriptionFailure | undefined } | undefined;

/** One upstream subscription and the client subscriptions it feeds. */
class Stream {
  private readonly subscribers = new Set<StreamMember>();
  /** Opened once the event fetch is planned; who joins before waits in `joining`. */
  private upstream: SharedUpstream | undefined;
  private readonly joining = new Map<StreamMember, Credential>();
  /** The event query's first fetch, when the upstream subscription answers it (event-fetch.ts). */
  private eventFetch: EventFetch | undefined;
  private ended = false;
  /**
   * The stream's delivery queue: an event's query starts as soon as the event arrives (a burst
   * of changes is resolved side by side), but results are delivered strictly in event order.
   * Each event shows the supergraph as of its own commit or later.
   */
  private tail: Promise<void> = Promise.resolve();
  private resolving = 0;
  /** Events received and not yet delivered, capped at {@link MAX_PENDING_EVENTS}. */
  private pending = 0;
  private readonly waitingToResolve: Array<() => void> = [];

  constructor(
    private readonly spec: StreamSpec,
    pool: UpstreamPool,
    planned: Promise<EventFetch | undefined>,
    private readonly execute: ExecuteOperation,
    private readonly timings: RelayTimings | undefined,
    private readonly onEnd: () => void,
  ) {
    planned
      .then((eventFetch) => this.open(pool, eventFetch))
      .catch((error: unknown) => {
        log.error({ err: error }, "a subscription stream could not open its upstream subscription");
        this.finish(interrupted("The gateway could not open the stream"));
      });
  }

  private open(pool: UpstreamPool, eventFetch: EventFetch | undefined): void {
    if (this.ended) return;
    this.eventFetch = eventFetch;
    const { operation, bound } = this.spec;
    const { fieldName, field } = operation;
    this.upstream = new SharedUpstream({
      pool,
      subgraph: field.subgraph,
      query: eventFetch
        ? withSelection(bound.upstreamQuery, eventFetch.selection, eventFetch.fragments)
        : bound.upstreamQuery,
      eventKey: (payload) => {
        const event =
          (payload.data?.[fieldName] as Record<string, unknown> | null) ?? eventOfFailure(payload);
        return event ? field.key.map((name) => String(event[name])).join("\n") : undefined;
      },
      next: (payload) => this.onEvent(payload),
      // At once, not after the events still being resolved: their queries may hang on the same
      // lost subgraph, and a client that resumes (afterSequence) gets them again anyway.
      error: (error) => this.finish(upstreamFailure(error, field.subgraph)),
      complete: () => this.enqueue(async () => ({ end: undefined }), false),
      expired: () => this.finish(interrupted("Every token of this stream expired")),
    });
    for (const [member, credential] of this.joining) this.upstream.add(member, credential);
    this.joining.clear();
  }

  join(subscriber: StreamMember, { caller, token, expiresAt }: Credential): void {
    this.subscribers.add(subscriber);
    if (this.upstream) this.upstream.add(subscriber, { caller, token, expiresAt });
    else this.joining.set(subscriber, { caller, token, expiresAt });
  }

  leave(subscriber: StreamMember): void {
    this.subscribers.delete(subscriber);
    this.joining.delete(subscriber);
    this.upstream?.remove(subscriber);
    if (!this.ended && this.subscribers.size === 0) this.close();
  }

  /** Ends every subscriber (completed, or with `failure`) and the upstream subscription. */
  finish(failure?: SubscriptionFailure): void {
    if (this.ended) return;
    this.close();
    for (const subscriber of [...this.subscribers]) subscriber.end(failure);
  }

  private close(): void {
    this.ended = true;
    this.upstream?.close();
    this.onEnd();
  }

  private onEvent(payload: FormattedExecutionResult<Record<string, unknown>>): void {
    if (this.ended) return;
    if (this.pending >= MAX_PENDING_EVENTS) {
      log.warn({ pending: this.pending }, "a subscription stream has too many events waiting to be resolved");
      this.finish(
        interrupted(
          `More than ${MAX_PENDING_EVENTS} events of this stream were waiting (MAX_PENDING_EVENTS)`,
        ),
      );
      return;
    }
    this.pending++;
    const { operation } = this.spec;
    const data = payload.data?.[operation.fieldName] as Record<string, unknown> | null | undefined;
    // One the subgraph could not resolve comes with its key (subscription-events.ts): queried whole.
    const event = data ?? eventOfFailure(payload);
    if (!event) {
      const errors = publicErrors(payload.errors ?? []);
      this.enqueue(async () => (errors.length ? { result: { data: null, errors } } : undefined));
      return;
    }
    const arrived = performance.now();
    // The event query's first fetch is answered by the event itself, unless it came with errors.
    const prefetch =
      this.eventFetch && data && !payload.errors?.length
        ? prefetchOf(this.eventFetch, operation.eventQuery.responseKey, data)
        : undefined;
    const resolved = this.limited(() => this.resolveEvent(event, prefetch)).finally(() =>
      this.timings?.resolved((performance.now() - arrived) / 1000),
    );
    resolved.catch(() => undefined); // handled where it is delivered, in order
    const cursor = operation.field.cursor && event[operation.field.cursor.field];
    this.enqueue(() => resolved, true, cursor == null ? undefined : String(cursor));
  }

  /**
   * The client's selection for one event, through the whole supergraph with the caller's
   * identity. A query that leaves the event null with errors (a subgraph out of reach for a
   * moment: SUBGRAPH_UNAVAILABLE) is tried again after a short wait, up to
   * {@link EVENT_RESOLUTION_ATTEMPTS} times; then the stream ends with SUBSCRIPTION_INTERRUPTED.
   * Never a null event: it has no transfer id to resume from, so it would be a gap the client
   * cannot see.
   */
  private async resolveEvent(
    event: Record<string, unknown>,
    prefetch: (() => GatewayContext["prefetched"]) | undefined,
  ): Promise<Outcome> {
    const { operation, bound } = this.spec;
    const { query, operationName, responseKey, keyVariables } = operation.eventQuery;
    const key = Object.fromEntries(operation.field.key.map((name) => [keyVariables[name], event[name]]));
    let codes: unknown[] = [];
    for (const delay of [0, ...EVENT_RETRY_DELAYS_MS]) {
      if (delay) await new Promise((resolve) => setTimeout(resolve, delay));
      if (this.ended) return undefined;
      // Borrowed per try: a token is never used past its expiry, and one whose owner left is let go.
      const credential = this.upstream?.credential();
      if (!credential) return { end: interrupted("Every token of this stream expired") };
      const { caller, token } = credential;
      const requestId = randomUUID();
      try {
        const result = await this.execute(
          { query, operationName, variables: { ...bound.variables, ...key } },
          { caller, authorization: `Bearer ${token}`, requestId, prefetched: prefetch?.() },
        );
        if (result.data?.[responseKey] != null) return { result };
        // Null without an error: the event is not the caller's to see (the subgraph filtered it upstream already).
        if (!result.errors?.length) return undefined;
        codes = [...new Set(result.errors.map((error) => error.extensions?.code))];
      } catch (error) {
        log.error({ err: error, requestId }, "an event query failed");
        codes = ["INTERNAL_SERVER_ERROR"];
      }
      log.warn({ requestId, event: key, codes }, "a subscription event could not be resolved");
    }
    return { end: unresolvedEvent(operation, event, codes) };
  }

  /** Runs `work` once fewer than {@link MAX_RESOLVING} of this stream's event queries are running. */
  private limited<T>(work: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.resolving++;
        work()
          .then(resolve, reject)
          .finally(() => {
            this.resolving--;
            this.waitingToResolve.shift()?.();
          });
      };
      if (this.resolving < MAX_RESOLVING) start();
      else this.waitingToResolve.push(start);
    });
  }

  /**
   * Delivers `work`'s outcome in turn; `counted` for an event (see {@link MAX_PENDING_EVENTS}),
   * with its position in the log when the field has one (a resuming subscription moves by it).
   */
  private enqueue(work: () => Promise<Outcome>, counted = true, position?: string): void {
    this.tail = this.tail
      .then(work)
      // A fault of the relay itself: end the stream rather than skip the event without a word.
      .catch((error: unknown): Outcome => {
        log.error({ err: error }, "relaying a subscription event failed");
        return { end: interrupted("The gateway could not relay an event") };
      })
      .then((outcome) => {
        if (counted) this.pending--;
        this.deliver(outcome, position);
      })
      .catch((error: unknown) => log.error({ err: error }, "delivering a subscription event failed"));
  }

  private deliver(outcome: Outcome, position: string | undefined): void {
    if (!outcome || this.ended) return;
    if ("end" in outcome) {
      this.finish(outcome.end);
      return;
    }
    // Serialised once for all the stream's subscribers.
    const started = performance.now();
    const serialized = JSON.stringify(outcome.result);
    for (const subscriber of [...this.subscribers]) subscriber.push(outcome.result, serialized, position);
    this.timings?.delivered((performance.now() - started) / 1000);
  }
}
