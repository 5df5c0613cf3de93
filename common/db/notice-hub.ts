/**
 * One LISTEN connection per process on one channel, fanned out in memory to the open
 * subscriptions by a key of each notice (an account, a transfer), so no subscription holds a
 * database connection of its own and a notice reaches only those who asked for its key. After a
 * lost connection is back, every subscriber hears `onReconnect` and catches up from its position.
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
  private listener?: Listener;

  constructor(
    private readonly channel: string,
    private readonly keyOf: (notice: T) => string,
  ) {}

  async start(databaseUrl: string): Promise<void> {
    this.listener = await listen(
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
  }

  /** Hears the notices of `key` until the returned function is called. */
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

  async stop(): Promise<void> {
    this.subscribers.clear();
    this.count = 0;
    await this.listener?.stop();
  }
}
