/** Status changes as they commit: a live stream per subscription, and one change as a query. */
import { validationError } from "../../../common/errors";
import type { EventNotice } from "../events/event-hub";
import { noticeOf, statusStream } from "../events/status-stream";
import type { TransferRow } from "../persistence/entities";
import type { EventFilter } from "../persistence/history.repository";
import { readableTransfer } from "./access";
import type { Needs } from "./deps";

/** The sequence number after which a stream starts, checked: it belongs to one transfer. */
function startAfter(filter: EventFilter & { afterSequence?: string | null }): number | null {
  if (filter.afterSequence == null) return null;
  if (!filter.transferId || !/^\d{1,9}$/.test(filter.afterSequence)) {
    throw validationError([
      {
        field: "afterSequence",
        rule: "sequenceOfTransfer",
        message: "afterSequence is a transfer's sequence number (0 or more) and needs transferId",
      },
    ]);
  }
  return Number(filter.afterSequence);
}

/**
 * Status changes as they commit, filtered by transfer, client and account. A front-office
 * caller only ever gets its own client's, whatever it filters on. `afterSequence` (with a
 * transferId) first replays the events after it.
 */
export async function statusEvents(
  deps: Needs<"loaders" | "history" | "events">,
  filter: EventFilter & { afterSequence?: string | null },
): Promise<AsyncIterable<EventNotice>> {
  const afterSequence = startAfter(filter);
  if (filter.transferId) await readableTransfer(deps, filter.transferId); // FORBIDDEN for another client's
  return statusStream(deps.events, deps.history, {
    transferId: filter.transferId,
    clientId: deps.caller.kind === "client" ? deps.caller.clientId : filter.clientId,
    accountId: filter.accountId,
    afterSequence,
  });
}

/** One status change as a query (front office: its own transfers); the gateway enriches events with it. */
export async function statusEvent(
  deps: Needs<"loaders" | "history">,
  transferId: string,
  sequence: number,
): Promise<{ notice: EventNotice; transfer: TransferRow } | null> {
  const transfer = await readableTransfer(deps, transferId);
  const event = transfer && (await deps.history.event(transfer.id, sequence));
  if (!transfer || !event) return null;
  const { clientId, accountId, counterAccountId } = transfer;
  return { notice: noticeOf({ ...event, clientId, accountId, counterAccountId }), transfer };
}

/** The transfer as it is now (a subscription reads it again for every event). */
export function currentTransfer(deps: Needs<"loaders">, id: string): Promise<TransferRow | null> {
  deps.loaders.transferById.clear(id);
  return readableTransfer(deps, id);
}
