/**
 * One LISTEN connection per process on one channel, fanned out in memory to the open
 * subscriptions by a key of each notice (an account, a transfer), so no subscription holds a
 * database connection of its own and a notice reaches only those who asked for its key. After a
 * lost connection is back, every subscriber hears `onReconnect` and catches up from its position.
 *
 * The connection is opened at start and kept until `stop()`. Opening it with the first
 * subscription instead was tried and taken back (decision 0052): a subscriber that acts at once
 * (subscribes, then pays) missed its first event while the connection was still opening. Streams
 * read the database only once `ready()` has resolved.
 *
 * It LISTENs from start, or, with `listenAtStart: false`, from the first `ready()` on (one round
 * trip on the open connection, then for good; decision 0054): a process with no subscription
 * then reads no notice at all, which is most of what the ledger's payments cost it otherwise.
 */
import { type Listener, openListener } from "./listener";

export interface NoticeHubOptions {
  /** LISTEN from `start()` (the default), or from the first `ready()`. */
  listenAtStart?: boolean;
}

export interface NoticeSubscriber<T> {
  onNotice(notice: T): void;
  /**
   * Notices may be missing: the LISTEN connection was lost and is back, or the key's notices were
   * not sent for a while ({@link NoticeHub.missed}).
   */
  onReconnect(): void;
}

export class NoticeHub<T> {
  private readonly subscribers = new Map<string, Set<NoticeSubscriber<T>>>();
  private count = 0;
  private databaseUrl?: string;
  /** The connection, open or opening. */
  private opened?: Promise<Listener>;
  private stopped = false;

  constructor(
    private readonly channel: string,
    private readonly keyOf: (notice: T) => string,
    private readonly options: NoticeHubOptions = {},
  ) {}

  /** Opens the connection (and LISTENs, unless `listenAtStart` is false); rejects when it cannot (the service does not start). */
  async start(databaseUrl: string): Promise<void> {
    this.databaseUrl = databaseUrl;
    const listener = await this.connection();
    if (this.options.listenAtStart !== false) await listener.hear();
  }

  /**
   * Resolves once this process hears the channel's notices (opening the connection again if that
   * failed at start); rejects when it cannot, and the next call tries again. Read the database
   * after it, not before; a hub that does not LISTEN from start hears a key's notices only from
   * a `ready()` on, so subscribe after it.
   */
  ready(): Promise<void> {
    return this.connection().then((listener) => listener.hear());
  }

  private connection(): Promise<Listener> {
    if (!this.databaseUrl || this.stopped) {
      return Promise.reject(
        new Error(`the ${this.channel} hub is ${this.stopped ? "stopped" : "not started"}`),
      );
    }
    return (this.opened ??= this.open(this.databaseUrl));
  }

  private open(databaseUrl: string): Promise<Listener> {
    const opening = openListener(
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
      if (this.opened === opening) this.opened = undefined;
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

  /** The notices of these keys may not have been sent for a while: their subscribers catch up. */
  missed(keys: string[]): void {
    for (const key of keys)
      for (const subscriber of this.subscribers.get(key) ?? []) subscriber.onReconnect();
  }

  /** Open subscriptions in this process. */
  get size(): number {
    return this.count;
  }

  /** Whether the connection is open or opening (tests). */
  get connected(): boolean {
    return this.opened !== undefined;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.subscribers.clear();
    this.count = 0;
    const opened = this.opened;
    this.opened = undefined;
    await opened?.then(
      (listener) => listener.stop(),
      () => undefined,
    );
  }
}
