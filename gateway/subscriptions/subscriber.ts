/**
 * One client subscription as graphql-ws consumes it: an async iterator the relay pushes
 * results into. graphql-ws pulls one result at a time and waits for the socket to take it,
 * so a slow client's results wait here, up to a limit. With a direct send (the relay's fan-out)
 * they wait in the socket instead, up to the same limits (decision 0027).
 */
import type { FormattedExecutionResult } from "graphql";
import { subscriptionError, SubscriptionFailure } from "./errors";

/**
 * How far a subscriber may fall behind before the gateway ends it with SUBSCRIPTION_INTERRUPTED
 * (it resumes from its cursor). Only what the gateway holds counts: the operating system's
 * socket buffers (a few MB on Linux loopback) come on top.
 */
export interface Backlog {
  /** Results waiting for the client (`WS_MAX_BACKLOG_EVENTS`). */
  maxEvents: number;
  /** Bytes its socket has unsent (`WS_MAX_BACKLOG_BYTES`). */
  maxBytes: number;
}

/** The documented defaults of {@link Backlog}. */
export const DEFAULT_BACKLOG: Backlog = { maxEvents: 1_000, maxBytes: 4 * 1024 * 1024 };

/**
 * Writes one result, serialised once for every subscriber of a stream, straight to the
 * client's socket as a graphql-ws `next` message (the fan-out's hot path). Not sent once the
 * socket is gone; otherwise the bytes the socket has unsent and this subscription's results
 * not yet handed to the operating system.
 */
export type DirectSend = (serializedResult: string) => {
  sent: boolean;
  bufferedBytes: number;
  unsentResults: number;
};

type State =
  | { name: "open" }
  /** Ended by the relay: what is buffered is still delivered, then the error (if any) or the end. */
  | { name: "ending"; failure?: SubscriptionFailure }
  /** Ended by the client or graphql-ws (`return`): nothing more is delivered. */
  | { name: "closed" };

/** The iterator graphql-ws reads one client subscription's results from. */
export class Subscriber implements AsyncIterableIterator<FormattedExecutionResult> {
  private state: State = { name: "open" };
  private readonly buffer: FormattedExecutionResult[] = [];
  private waiting: {
    resolve(r: IteratorResult<FormattedExecutionResult>): void;
    reject(e: unknown): void;
  } | null = null;

  /**
   * `onClose` runs once, when the client or the relay ends the subscription. With `direct`,
   * results go straight to the socket and graphql-ws only sees the end (complete or error).
   */
  constructor(
    private readonly onClose: (subscriber: Subscriber) => void,
    private readonly backlog: Backlog = DEFAULT_BACKLOG,
    private readonly direct?: DirectSend,
  ) {}

  /** Delivers one result; a subscriber that fell too far behind is ended. */
  push(result: FormattedExecutionResult, serialized?: string): void {
    if (this.state.name !== "open") return;
    if (this.direct) {
      const { sent, bufferedBytes, unsentResults } = this.direct(serialized ?? JSON.stringify(result));
      if (!sent) void this.return();
      else if (unsentResults > this.backlog.maxEvents)
        this.fallBehind(`${this.backlog.maxEvents} results (WS_MAX_BACKLOG_EVENTS)`);
      else if (bufferedBytes > this.backlog.maxBytes)
        this.fallBehind(`${this.backlog.maxBytes} bytes (WS_MAX_BACKLOG_BYTES)`);
      return;
    }
    if (this.waiting) {
      const { resolve } = this.waiting;
      this.waiting = null;
      resolve({ value: result, done: false });
      return;
    }
    if (this.buffer.length >= this.backlog.maxEvents) {
      this.fallBehind(`${this.backlog.maxEvents} results (WS_MAX_BACKLOG_EVENTS)`);
      return;
    }
    this.buffer.push(result);
  }

  /**
   * Ends a subscriber whose client does not keep up, so that it holds no more of the gateway's
   * memory and slows nobody; its client learns why once it reads again.
   */
  private fallBehind(limit: string): void {
    this.buffer.length = 0;
    this.end(
      new SubscriptionFailure([
        subscriptionError(
          "SUBSCRIPTION_INTERRUPTED",
          `The client fell behind by more than ${limit}: subscribe again with after: the position of the last event received (no gap, no duplicate)`,
        ),
      ]),
    );
  }

  /** Ends the subscription from the relay's side: after the buffered results, with `failure` or completed. */
  end(failure?: SubscriptionFailure): void {
    if (this.state.name !== "open") return;
    this.state = { name: "ending", failure };
    this.onClose(this);
    if (this.waiting) this.settle();
  }

  next(): Promise<IteratorResult<FormattedExecutionResult>> {
    const result = this.buffer.shift();
    if (result) return Promise.resolve({ value: result, done: false });
    if (this.state.name === "open") {
      return new Promise((resolve, reject) => {
        this.waiting = { resolve, reject };
      });
    }
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.settle();
    });
  }

  /** Called by graphql-ws when the client completes or the socket closes. */
  return(): Promise<IteratorResult<FormattedExecutionResult>> {
    const wasOpen = this.state.name === "open";
    this.state = { name: "closed" };
    this.buffer.length = 0;
    if (wasOpen) this.onClose(this);
    if (this.waiting) this.settle();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(): Promise<IteratorResult<FormattedExecutionResult>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  /** Answers the waiting `next` once the subscription has ended and nothing is buffered. */
  private settle(): void {
    const waiting = this.waiting!;
    this.waiting = null;
    const failure = this.state.name === "ending" ? this.state.failure : undefined;
    if (failure) {
      this.state = { name: "closed" };
      waiting.reject(failure);
    } else {
      waiting.resolve({ value: undefined, done: true });
    }
  }
}
