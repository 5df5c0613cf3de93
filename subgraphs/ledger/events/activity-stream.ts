/**
 * One subscription's stream of an account's activity: from a position (the last sequence the
 * subscriber saw, or the account's last one now), every later activity exactly once and in
 * sequence order. Per account the sequence has no gap and follows commit order (migration
 * 1732290000000), so the stream needs no more than its last position: a live notice right after
 * it is delivered; anything else it has missed (a resume, a lost LISTEN connection, a notice
 * that went astray) is read from the database first, with live notices held back meanwhile.
 */
import { AsyncQueue } from "../../../common/async-queue";
import type { NoticeHub, NoticeSubscriber } from "../../../common/db/notice-hub";
import type { ActivityWatches } from "./activity-watches";
import {
  ACTIVITY_PAGE_SIZE,
  type ActivityNotice,
  type ActivityRepository,
} from "../persistence/activity.repository";

/** The hub of `ledger_activity` notices, by account. */
export type ActivityHub = NoticeHub<ActivityNotice>;

/**
 * The activity of `accountId` after sequence `after` (a resume: what was missed first), or
 * from now on when `after` is null. The account is watched (its activity announced) while the
 * stream lives.
 */
export function activityStream(
  hub: ActivityHub,
  watches: Pick<ActivityWatches, "watch">,
  repository: Pick<ActivityRepository, "activityAfter" | "lastSequence">,
  accountId: string,
  after: string | null,
): AsyncQueue<ActivityNotice> {
  let last = 0n;
  /** Live notices held back while the database is read; null when none is running. */
  let held: ActivityNotice[] | null = [];
  let reading = false;
  let again = false;

  const onLive = (notice: ActivityNotice): void => {
    if (held) {
      held.push(notice);
      return;
    }
    const sequence = BigInt(notice.sequence);
    if (sequence <= last) return;
    if (sequence === last + 1n) {
      last = sequence;
      queue.push(notice);
      return;
    }
    // A gap: what lies between is in the database.
    held = [notice];
    void catchUp();
  };

  /** Reads what follows `last` from the database (page by page), then releases the held notices. */
  const catchUp = async (start?: () => Promise<bigint>): Promise<void> => {
    held ??= [];
    if (reading) {
      again = true;
      return;
    }
    reading = true;
    try {
      if (start) last = await start();
      do {
        again = false;
        for (;;) {
          const rows = await repository.activityAfter(accountId, last.toString());
          for (const row of rows) {
            last = BigInt(row.sequence);
            queue.push(row);
          }
          if (rows.length < ACTIVITY_PAGE_SIZE) break;
        }
      } while (again);
    } catch (error) {
      queue.fail(error);
      return;
    } finally {
      reading = false;
    }
    const release = held ?? [];
    held = null;
    for (const notice of release) onLive(notice);
  };

  let leave: (() => void) | undefined;
  const queue = new AsyncQueue<ActivityNotice>(() => leave?.());
  void catchUp(async () => {
    // "Now" is read first; what commits until the account's notices are heard (decisions 0054
    // and 0065) is read next, by catchUp, after it.
    const position =
      after != null ? BigInt(after) : BigInt((await repository.lastSequence(accountId)) ?? "0");
    const end = await hear(hub, watches, accountId, { onNotice: onLive, onReconnect: () => void catchUp() });
    if (queue.ended) end();
    else leave = end;
    return position;
  });
  return queue;
}

/**
 * Hears the notices of `accountId` once they are sent and heard: the hub LISTENs (from its first
 * `ready()` on, decision 0054) and the account is watched (its activity announced, decision 0065).
 * The returned function ends both.
 */
async function hear(
  hub: ActivityHub,
  watches: Pick<ActivityWatches, "watch">,
  accountId: string,
  subscriber: NoticeSubscriber<ActivityNotice>,
): Promise<() => void> {
  await hub.ready();
  const unwatch = await watches.watch(accountId);
  const unsubscribe = hub.subscribe(accountId, subscriber);
  return () => {
    unsubscribe();
    unwatch();
  };
}
