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
  /** A watch lasts this long unless renewed; renewed at a fifth of it. */
  ttlSeconds: number;
}

export class ActivityWatches {
  /** Streams per watched account. */
  private readonly streams = new Map<string, number>();
  private readonly watcher = randomUUID();
  private timer?: NodeJS.Timeout;
  /** Writes go one after another, so that a stream's watch never meets the end of an earlier one's. */
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly repository: Pick<ActivityRepository, "watch" | "unwatch">,
    /** Called with the accounts whose announcements may have lapsed (a watch expired meanwhile). */
    private readonly lapsed: (accountIds: string[]) => void,
    private readonly options: ActivityWatchOptions = { ttlSeconds: 600 },
  ) {}

  /**
   * Watches `accountId` for one stream, which reads the table only after this resolves; the
   * returned function ends it. Rejects when the database cannot be reached (the stream fails).
   */
  async watch(accountId: string): Promise<() => void> {
    const others = this.streams.get(accountId) ?? 0;
    this.streams.set(accountId, others + 1);
    try {
      // Every stream waits for its own watch, even on a watched account: one that an expiry
      // or a failed renewal let lapse is made again before this stream reads, and the account's
      // other streams here read what they missed meanwhile.
      const lapsed = await this.serially(() =>
        this.repository.watch(this.watcher, [accountId], this.options.ttlSeconds),
      );
      if (others > 0 && lapsed.length) this.lapsed(lapsed);
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
    // Best effort: a watch left behind only announces that account's activity until it expires.
    this.serially(() => this.repository.unwatch(this.watcher, [accountId])).catch((error: unknown) => {
      log.warn({ err: error, accountId }, "could not end an account activity watch; it expires");
    });
  }

  /** Renews every watch; those made anew had lapsed, and their streams read what they missed. */
  private async renew(): Promise<void> {
    try {
      const lapsed = await this.serially(() => {
        const accountIds = [...this.streams.keys()];
        return accountIds.length
          ? this.repository.watch(this.watcher, accountIds, this.options.ttlSeconds)
          : Promise.resolve([]);
      });
      if (lapsed.length) this.lapsed(lapsed);
    } catch (error) {
      log.warn({ err: error }, "could not renew the account activity watches; retried later");
    }
  }

  private serially<T>(write: () => Promise<T>): Promise<T> {
    const done = this.writes.then(write, write);
    this.writes = done.catch(() => undefined);
    return done;
  }

  /** Ends every watch of this process (at shutdown). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    this.streams.clear();
    await this.serially(() => this.repository.unwatch(this.watcher)).catch((error: unknown) => {
      log.warn({ err: error }, "could not end the account activity watches; they expire");
    });
  }
}
