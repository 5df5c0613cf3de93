/**
 * One subscription's stream of status changes: live notices from the hub that match its
 * filter, after (with `after`, or `afterSequence` of one transfer) the events it missed. Every
 * event has a position in the commit-ordered log (decision 0028), so a stream delivers only
 * positions above the last it passed: live notices wait while a catch-up query runs and nothing
 * arrives twice, out of order or not at all. After the hub's connection was lost, the stream
 * reads on from its last position the same way.
 */
import { AsyncQueue } from "../../../common/async-queue";
import type { EventFilter, LoggedEvent, TransferHistoryRepository } from "../persistence/history.repository";
import { ALL_TRANSFERS, type EventNotice, type TransferEventHub } from "./event-hub";

export interface StreamFilter extends EventFilter {
  /** Start after this position of the log (a cursor an event or a snapshot gave). */
  after?: string | null;
  /** With transferId: start after this sequence number (replaying what was missed). */
  afterSequence?: number | null;
}

/** Events one catch-up query reads; a longer catch-up reads on page by page. */
export const CATCH_UP_PAGE = 500;

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

/** A stored event as the trigger announces it: with its position and parties. */
export function noticeOf({ position, row }: LoggedEvent): EventNotice {
  return {
    position,
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
  /** The stream's cursor: the last position delivered or passed over. Set before anything is delivered. */
  let last = -1n;
  let held: EventNotice[] | null = [];
  let catchingUp = 0;
  let chain: Promise<void> = Promise.resolve();

  const deliver = (notice: EventNotice): void => {
    const position = BigInt(notice.position);
    if (position <= last) return;
    last = position;
    if (filter.afterSequence != null && notice.sequence <= filter.afterSequence) return;
    queue.push(notice);
  };

  /** Runs `load` after any catch-up before it, holding live notices back until the last one ends. */
  const catchUp = (load: () => Promise<void>): void => {
    held ??= [];
    catchingUp++;
    chain = chain
      .then(load)
      .catch((error: unknown) => queue.fail(error))
      .then(() => {
        if (--catchingUp > 0) return;
        const release = held ?? [];
        held = null;
        for (const notice of release) deliver(notice);
      });
  };

  /** Every event of the filter after the cursor, in log order. */
  const readOn = async (): Promise<void> => {
    for (;;) {
      const page = await history.eventsAfterPosition(filter, last.toString(), CATCH_UP_PAGE);
      for (const event of page) deliver(noticeOf(event));
      if (page.length < CATCH_UP_PAGE) return;
    }
  };

  const unsubscribe = hub.subscribe(ALL_TRANSFERS, {
    onNotice: (notice) => {
      if (!matches(filter, notice)) return;
      if (held) held.push(notice);
      else deliver(notice);
    },
    onReconnect: () => catchUp(readOn),
  });
  const queue = new AsyncQueue<EventNotice>(unsubscribe);
  held = null;
  const advanceTo = (position: bigint): void => {
    if (position > last) last = position;
  };
  const firstHeld = () => held?.[0];
  // The database is read once the hub hears notices, so nothing committed in between is missed.
  catchUp(() => hub.ready().then(() => start(filter, history, { deliver, readOn, advanceTo, firstHeld })));
  return queue;
}

/** Where a stream starts: after its cursor; after a transfer's sequence; or at the log's end (live only). */
async function start(
  filter: StreamFilter,
  history: TransferHistoryRepository,
  stream: {
    deliver: (notice: EventNotice) => void;
    readOn: () => Promise<void>;
    advanceTo: (position: bigint) => void;
    /** The first live notice heard since subscribing, if any (held back meanwhile). */
    firstHeld: () => EventNotice | undefined;
  },
): Promise<void> {
  if (filter.after != null) {
    stream.advanceTo(BigInt(filter.after));
    return stream.readOn();
  }
  const head = BigInt(await history.headPosition());
  if (filter.transferId && filter.afterSequence != null) {
    // A transfer's events are few: all of them after the sequence, then on from the log's end.
    for (const event of await history.eventsAfter(filter.transferId, filter.afterSequence, filter)) {
      stream.deliver(noticeOf(event));
    }
  }
  // Live only: from the log's end, or from the first event heard live if that committed before
  // the head was read (it was announced after the stream began).
  const first = stream.firstHeld();
  const heardFrom = first ? BigInt(first.position) - 1n : head;
  stream.advanceTo(heardFrom < head ? heardFrom : head);
}
