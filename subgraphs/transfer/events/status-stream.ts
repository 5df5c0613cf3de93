/**
 * One subscription's stream of status changes: live notices from the hub that match its
 * filter, after (with `afterSequence`) the events it missed. Live notices are held back while a
 * catch-up query runs and each transfer's sequence is remembered, so nothing arrives twice, out of
 * order or not at all; after the hub's connection was lost, the stream catches up the same way.
 */
import { AsyncQueue } from "../../../common/async-queue";
import type { TransferEventRow } from "../persistence/entities";
import type { EventFilter, TransferHistoryRepository } from "../persistence/history.repository";
import type { EventNotice, TransferEventHub } from "./event-hub";

export interface StreamFilter extends EventFilter {
  /** With transferId: start after this sequence number (replaying what was missed). */
  afterSequence?: number | null;
}

/** How far back a catch-up after a lost connection looks before the last event it delivered. */
const CATCH_UP_MARGIN_MS = 5_000;
/** Transfers whose last sequence a stream remembers (a long-lived client-wide stream forgets the oldest). */
const REMEMBERED_TRANSFERS = 10_000;

/** Both sides of a movement: a client or an account matches whether debited or credited (decision 0026). */
export function matches(filter: StreamFilter, notice: EventNotice): boolean {
  return (
    (!filter.transferId || notice.transferId === filter.transferId) &&
    (!filter.clientId || notice.clientId === filter.clientId || notice.counterClientId === filter.clientId) &&
    (!filter.accountId ||
      notice.accountId === filter.accountId ||
      notice.counterAccountId === filter.accountId)
  );
}

/** A stored event as the trigger announces it: with its parties. */
export function noticeOf(row: TransferEventRow): EventNotice {
  return {
    transferId: row.transferId,
    sequence: row.sequence,
    clientId: row.clientId,
    counterClientId: row.counterClientId,
    accountId: row.accountId,
    counterAccountId: row.counterAccountId,
    from: row.from,
    to: row.to,
    reason: row.reason,
    changedBy: row.changedBy,
    changedAt: row.changedAt.toISOString(),
  };
}

export function statusStream(
  hub: TransferEventHub,
  history: TransferHistoryRepository,
  filter: StreamFilter,
): AsyncQueue<EventNotice> {
  const lastSeen = new Map<string, number>();
  const subscribedAt = Date.now();
  let lastDeliveredAt = subscribedAt;
  let held: EventNotice[] | null = [];

  const deliver = (notice: EventNotice): void => {
    if ((lastSeen.get(notice.transferId) ?? 0) >= notice.sequence) return;
    lastSeen.delete(notice.transferId);
    lastSeen.set(notice.transferId, notice.sequence);
    if (lastSeen.size > REMEMBERED_TRANSFERS) lastSeen.delete(lastSeen.keys().next().value!);
    lastDeliveredAt = Date.parse(notice.changedAt);
    queue.push(notice);
  };

  /** Delivers what the database has and the live stream may not, holding live notices meanwhile. */
  const catchUp = async (load: () => Promise<TransferEventRow[]>): Promise<void> => {
    held ??= [];
    try {
      for (const row of await load()) deliver(noticeOf(row));
    } catch (error) {
      queue.fail(error);
    } finally {
      const release = held ?? [];
      held = null;
      for (const notice of release) deliver(notice);
    }
  };

  const unsubscribe = hub.subscribe({
    onNotice: (notice) => {
      if (!matches(filter, notice)) return;
      if (held) held.push(notice);
      else deliver(notice);
    },
    // What changed since shortly before the last delivered event (never before the subscription began).
    onReconnect: () =>
      void catchUp(() =>
        history.eventsSince(filter, new Date(Math.max(subscribedAt, lastDeliveredAt - CATCH_UP_MARGIN_MS))),
      ),
  });
  const queue = new AsyncQueue<EventNotice>(unsubscribe);
  if (filter.transferId && filter.afterSequence != null) {
    const transferId = filter.transferId;
    const after = filter.afterSequence;
    lastSeen.set(transferId, after);
    void catchUp(() => history.eventsAfter(transferId, after, filter));
  } else {
    held = null;
  }
  return queue;
}
