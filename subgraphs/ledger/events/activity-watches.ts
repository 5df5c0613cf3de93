/**
 * The accounts this process has accountActivity streams on, registered in `ledger.activity_watch`
 * so that the ledger announces their activity and no other's (migration 1732430000000, decision
 * 0065: a NOTIFY makes its transaction commit after every other announcing one). A watch is made
 * before a stream reads the table and hears live notices, renewed while the stream lives, and
 * ended with the account's last stream in this process; a process that dies leaves watches that
 * expire.
 */
import { randomUUID } from "node:crypto";
import { log } from "../../../common/log";
import type { ActivityRepository } from "../persistence/activity.repository";

export interface ActivityWatchOptions {
  /** A watch lasts this long unless renewed; renewed every fifth of it, made again past half of it. */
  ttlSeconds: number;
}

export class ActivityWatches {
  /** Streams per watched account. */
  private readonly streams = new Map<string, number>();
  /** Per account, its last write: an account's writes go one after another (no end overtakes a watch). */
  private readonly writes = new Map<string, Promise<unknown>>();
  private readonly watcher = randomUUID();
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly repository: Pick<
      ActivityRepository,
      "watch" | "renew" | "unwatch" | "purgeExpiredWatches"
    >,
    /** Called with the accounts whose announcements may have lapsed (a watch expired meanwhile). */
    private readonly lapsed: (accountIds: string[]) => void,
    private readonly options: ActivityWatchOptions = { ttlSeconds: 600 },
  ) {}

  /**
   * Watches `accountId` for one stream, which reads the table only after this resolves; the
   * returned function ends it. Rejects when the database cannot be reached (the stream fails).
   */
  async watch(accountId: string): Promise<() => void> {
    if (this.stopped) throw new Error("the ledger is stopping: no new account activity watch");
    const others = this.streams.get(accountId) ?? 0;
    this.streams.set(accountId, others + 1);
    try {
      // Every stream waits for its own watch, even on a watched account: one that expired is
      // made again before this stream reads, and the account's other streams here catch up.
      const lapsed = await this.serially(accountId, () =>
        this.repository.watch(this.watcher, accountId, this.options.ttlSeconds),
      );
      if (others > 0 && lapsed) this.lapsed([accountId]);
    } catch (error) {
      this.release(accountId);
      throw error;
    }
    this.timer ??= setInterval(() => void this.renew(), (this.options.ttlSeconds * 1000) / 5).unref();
    let watching = true;
    return () => {
      if (!watching) return;
      watching = false;
      this.release(accountId);
    };
  }

  private release(accountId: string): void {
    const left = (this.streams.get(accountId) ?? 1) - 1;
    if (left > 0) {
      this.streams.set(accountId, left);
      return;
    }
    this.streams.delete(accountId);
    if (this.stopped) return; // stop() ends them all
    // Best effort: a watch left behind only announces that account's activity until it expires.
    this.serially(accountId, () => this.repository.unwatch(this.watcher, [accountId])).catch(
      (error: unknown) => {
        log.warn({ err: error, accountId }, "could not end an account activity watch; it expires");
      },
    );
  }

  /**
   * Extends every watch with more than half its life left, without locking any account; any
   * other is made again as a new one is (a payment may have found it expired) and, if it had
   * lapsed, its streams read what they missed.
   */
  private async renew(): Promise<void> {
    const { ttlSeconds } = this.options;
    try {
      const accountIds = [...this.streams.keys()];
      if (accountIds.length === 0 || this.stopped) return;
      const renewed = new Set(
        await this.repository.renew(this.watcher, accountIds, ttlSeconds, ttlSeconds / 2),
      );
      const lapsed: string[] = [];
      // Each made again on its own: one that fails (retried at the next renewal) stops no other.
      const failures = await Promise.allSettled(
        accountIds
          .filter((accountId) => !renewed.has(accountId))
          .map(async (accountId) => {
            const hadLapsed = await this.serially(accountId, () =>
              // An account whose streams all ended meanwhile is not watched again.
              this.streams.has(accountId) && !this.stopped
                ? this.repository.watch(this.watcher, accountId, ttlSeconds)
                : Promise.resolve(false),
            );
            if (hadLapsed) lapsed.push(accountId);
          }),
      );
      if (lapsed.length) this.lapsed(lapsed);
      const failed = failures.find((result) => result.status === "rejected");
      if (failed) throw failed.reason;
      await this.repository.purgeExpiredWatches();
    } catch (error) {
      log.warn({ err: error }, "could not renew the account activity watches; retried later");
    }
  }

  private serially<T>(accountId: string, write: () => Promise<T>): Promise<T> {
    const done = (this.writes.get(accountId) ?? Promise.resolve()).then(write, write);
    const settled = done.catch(() => undefined);
    this.writes.set(accountId, settled);
    // Forget the account's chain once its last write is done.
    void settled.then(() => {
      if (this.writes.get(accountId) === settled) this.writes.delete(accountId);
    });
    return done;
  }

  /** Ends every watch of this process (at shutdown); no new one is made after it. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    this.streams.clear();
    // A watch still waiting for its account's lock is not waited for: made after this, it expires.
    await this.repository.unwatch(this.watcher).catch((error: unknown) => {
      log.warn({ err: error }, "could not end the account activity watches; they expire");
    });
  }
}
