/**
 * One LISTEN connection per process on one channel, fanned out in memory to the open
 * subscriptions by a key of each notice (an account, a transfer), so no subscription holds a
 * database connection of its own and a notice reaches only those who asked for its key. After a
 * lost connection is back, every subscriber hears `onReconnect` and catches up from its position.
 *
 * The connection is open only while someone subscribes (decision 0052): with none, every
 * committed movement would still cost this process a read and a parse of its notice, and its
 * database backend the sending, for nobody. It opens with the first subscription and closes
 * `idleMs` after the last one ended. A stream reads the database only once `ready()` resolves,
 * so nothing committed between its read and the LISTEN is missed.
 */
import { listen, type Listener } from "./listener";

export interface NoticeSubscriber<T> {
  onNotice(notice: T): void;
  /** The LISTEN connection was lost and is back: notices in between may be missing. */
  onReconnect(): void;
}

/** How long the LISTEN connection stays open after the last subscription ended. */
export const LISTEN_IDLE_MS = 60_000;

export class NoticeHub<T> {
  private readonly subscribers = new Map<string, Set<NoticeSubscriber<T>>>();
  private count = 0;
  private databaseUrl?: string;
  /** The LISTEN connection, open or opening; none while nobody subscribes. */
  private listening?: Promise<Listener>;
  private idle?: NodeJS.Timeout;

  constructor(
    private readonly channel: string,
    private readonly keyOf: (notice: T) => string,
    private readonly idleMs = LISTEN_IDLE_MS,
  ) {}

  /** Where the LISTEN connection is opened when the first subscription comes. */
  start(databaseUrl: string): void {
    this.databaseUrl = databaseUrl;
  }

  /**
   * Resolves once this process hears the channel's notices (opening the connection if need be);
   * rejects when it cannot be opened. Read the database after it, not before.
   */
  ready(): Promise<void> {
    this.listening ??= this.open();
    return this.listening.then(() => undefined);
  }

  private open(): Promise<Listener> {
    if (!this.databaseUrl) return Promise.reject(new Error(`the ${this.channel} hub is not started`));
    const opening = listen(
      this.databaseUrl,
      this.channel,
      (payload) => {
        const notice = payload as T;
        for (const subscriber of this.subscribers.get(this.keyOf(notice)) ?? []) subscriber.onNotice(notice);
      },
      () => {
        for (const set of this.subscribers.values()) for (const subscriber of set) subscriber.onReconnect();
      },
    );
    // A failed opening is tried again by the next ready().
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
    clearTimeout(this.idle);
    let subscribed = true;
    return () => {
      if (!subscribed) return;
      subscribed = false;
      this.count--;
      set.delete(subscriber);
      if (set.size === 0 && this.subscribers.get(key) === set) this.subscribers.delete(key);
      if (this.count === 0) this.idle = setTimeout(() => void this.close(), this.idleMs).unref();
    };
  }

  /** Closes the LISTEN connection if nobody subscribes (the next subscription opens another). */
  private async close(): Promise<void> {
    if (this.count > 0) return;
    const listening = this.listening;
    this.listening = undefined;
    await listening?.then(
      (listener) => listener.stop(),
      () => undefined,
    );
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
    clearTimeout(this.idle);
    this.subscribers.clear();
    this.count = 0;
    await this.close();
  }
}
