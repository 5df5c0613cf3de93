/**
 * One LISTEN connection per process on one channel, fanned out in memory to the open
 * subscriptions by a key of each notice (an account, a transfer), so no subscription holds a
 * database connection of its own and a notice reaches only those who asked for its key. After a
 * lost connection is back, every subscriber hears `onReconnect` and catches up from its position.
 *
 * The connection is opened at start and kept until `stop()`. Opening it with the first
 * subscription instead was tried and taken back (decision 0052): a subscriber that acts at once
 * (subscribes, then pays) missed its first event while the connection was still opening. Streams
 * still read the database only once `ready()` has resolved.
 */
import { listen, type Listener } from "./listener";

export interface NoticeSubscriber<T> {
  onNotice(notice: T): void;
  /** The LISTEN connection was lost and is back: notices in between may be missing. */
  onReconnect(): void;
}

export class NoticeHub<T> {
  private readonly subscribers = new Map<string, Set<NoticeSubscriber<T>>>();
  private count = 0;
  private databaseUrl?: string;
  /** The LISTEN connection, open or opening. */
  private listening?: Promise<Listener>;
  private stopped = false;

  constructor(
    private readonly channel: string,
    private readonly keyOf: (notice: T) => string,
  ) {}

  /** Opens the LISTEN connection; rejects when it cannot be opened (the service does not start). */
  async start(databaseUrl: string): Promise<void> {
    this.databaseUrl = databaseUrl;
    await this.ready();
  }

  /**
   * Resolves once this process hears the channel's notices (at once after `start`; opening the
   * connection again if that failed); rejects when it cannot be opened, and the next call tries
   * again. Read the database after it, not before.
   */
  ready(): Promise<void> {
    if (!this.databaseUrl || this.stopped) {
      return Promise.reject(
        new Error(`the ${this.channel} hub is ${this.stopped ? "stopped" : "not started"}`),
      );
    }
    this.listening ??= this.open(this.databaseUrl);
    return this.listening.then(() => undefined);
  }

  private open(databaseUrl: string): Promise<Listener> {
    const opening = listen(
      databaseUrl,
      this.channel,
      (payload) => {
        const notice = payload as T;
        for (const subscriber of this.subscribers.get(this.keyOf(notice)) ?? []) subscriber.onNotice(notice);
      },
      () => {
        for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.onReconnect();
      },
    );
    opening.catch(() => {
      if (this.listening === opening) this.listening = undefined;
    });
    return opening;
  }

  /** Hears the notices of `key` until the returned function is called; streams await `ready()` before reading. */
  subscribe(key: string, subscriber: NoticeSubscriber<T>): () => void {
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    set.add(subscriber);
    this.count++;
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.count--;
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(key) === set) this.subscribers.delete(key);
    };
  }

  /** Open subscriptions in this process. */
  get size(): number {
    return this.count;
  }

  /** Whether the LISTEN connection is open or opening (tests). */
  get listens(): boolean {
    return this.listening !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscribers.clear();
    this.count = 0;
    const listening = this.listening;
    this.listening = undefined;
    await listening?.then(
      (listener) => listener.stop(),
      () => undefined,
    );
  }
}
