/** Status changes as they commit: a live stream per subscription, and one change as a query. */
import { AppError, validationError } from "../../../common/errors";
import { counterpartyEvent, counterpartyView, sideOf } from "../domain/parties";
import type { EventNotice } from "../events/event-hub";
import { noticeOf, statusStream } from "../events/status-stream";
import type { TransferRow } from "../persistence/entities";
import type { EventFilter, Snapshot } from "../persistence/history.repository";
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
 * The log position after which a stream starts (a cursor an event or a snapshot gave): digits,
 * not past the log's end (a cursor of another database would otherwise skip events silently),
 * and not with `afterSequence` (two starting points).
 */
async function startPosition(
  deps: Needs<"history">,
  filter: { after?: string | null; afterSequence?: string | null },
): Promise<string | null> {
  if (filter.after == null) return null;
  const refuse = (message: string) =>
    validationError([{ field: "after", rule: "positionOfTheLog", message }]);
  if (filter.afterSequence != null) throw refuse("after and afterSequence cannot be given together");
  if (!/^\d{1,18}$/.test(filter.after)) {
    throw refuse("after is the position of an event or a snapshot, as this API returned it");
  }
  const position = BigInt(filter.after).toString();
  if (BigInt(position) > BigInt(await deps.history.headPosition())) {
    throw refuse("after names a position the event log has not reached");
  }
  return position;
}

function forbiddenFilter(field: "clientId" | "accountId"): AppError {
  return new AppError(
    "FORBIDDEN",
    `A front-office token may only subscribe to its own client's events (${field} names another's)`,
  );
}

/**
 * A front-office caller's filters name only what is its own: its client, and an account of its
 * client as the ledger has it (asked once, when subscribing). FORBIDDEN otherwise, also for an
 * account that does not exist (whether it does is not the caller's to learn).
 */
async function requireOwnFilter(deps: Needs<"ledger">, clientId: string, filter: EventFilter): Promise<void> {
  if (filter.clientId && filter.clientId !== clientId) throw forbiddenFilter("clientId");
  if (filter.accountId) {
    const account = await deps.ledger.account(filter.accountId, deps.requestId);
    if (account?.clientId !== clientId) throw forbiddenFilter("accountId");
  }
}

/**
 * Status changes as they commit, filtered by transfer, client and account; a client or an
 * account matches whether debited or credited. A front-office caller gets only its own client's
 * movements (both sides) and is refused FORBIDDEN for a filter naming another's. `after` (a
 * position of the commit-ordered log) first replays every event of the filter after it, and
 * `afterSequence` (with a transferId) the transfer's events after it (decision 0028).
 *
 * @throws FORBIDDEN, VALIDATION_FAILED
 */
export async function statusEvents(
  deps: Needs<"loaders" | "history" | "events" | "ledger">,
  filter: EventFilter & { after?: string | null; afterSequence?: string | null },
): Promise<AsyncIterable<EventNotice>> {
  const afterSequence = startAfter(filter);
  const after = await startPosition(deps, filter);
  if (deps.caller.kind === "client") await requireOwnFilter(deps, deps.caller.clientId, filter);
  if (filter.transferId) await requireEventParty(deps, filter.transferId);
  return statusStream(deps.events, deps.history, {
    transferId: filter.transferId,
    clientId: deps.caller.kind === "client" ? deps.caller.clientId : filter.clientId,
    accountId: filter.accountId,
    after,
    afterSequence,
  });
}

/**
 * A transfer's events are for its parties: its owner and its counterparty now, and a client that
 * was a party of one of its events (a claim that ended, the transfer back in suspense). FORBIDDEN
 * for anyone else.
 */
async function requireEventParty(deps: Needs<"loaders" | "history">, transferId: string): Promise<void> {
  if (deps.caller.kind === "system") return;
  const { clientId } = deps.caller;
  try {
    await readableTransfer(deps, transferId);
  } catch (error) {
    if (!(await deps.history.hasParty(transferId, clientId))) throw error;
  }
}

/** An event as the caller may read it: the counterparty of a movement learns neither who nor why. */
export function eventAsSeen(deps: Needs, notice: EventNotice): EventNotice {
  if (deps.caller.kind === "system" || sideOf(deps.caller.clientId, notice) !== "counterparty") return notice;
  return counterpartyEvent(notice);
}

/**
 * One status change as a query, as the caller's subscription delivers it (the gateway enriches
 * events with it): a front-office caller reads the events it is a party of (both sides, and an
 * incoming transfer only from its assignment on), decided by the event, not by whom the transfer
 * belongs to now: a claim that ended (the credit refused, the transfer back in suspense) still
 * reaches those who heard it, with the statement's view of the transfer. Null for the others.
 */
export async function statusEvent(
  deps: Needs<"loaders" | "history">,
  transferId: string,
  sequence: number,
): Promise<{ notice: EventNotice; transfer: TransferRow } | null> {
  // The transfer is read side by side with the event (one round trip less per relayed event).
  const current = freshTransfer(deps, transferId);
  current.catch(() => undefined); // awaited below, or not needed
  const event = await deps.history.event(transferId, sequence);
  if (!event) return null;
  const notice = noticeOf(event);
  if (deps.caller.kind === "client" && !sideOf(deps.caller.clientId, notice)) return null;
  const transfer = await seenBy(deps, transferId, await current, notice);
  return transfer && { notice: eventAsSeen(deps, notice), transfer };
}

/**
 * The transfer of an event as it is now (a subscription reads it again for every event), as the
 * caller may see it: its owner whole; a party of the event that no longer owns it (the credited
 * side, or the client of a claim that ended) the statement's view; anyone else FORBIDDEN.
 */
export async function eventTransfer(
  deps: Needs<"loaders">,
  id: string,
  parties: { clientId: string | null; counterClientId: string | null } | undefined,
): Promise<TransferRow | null> {
  return seenBy(deps, id, await freshTransfer(deps, id), parties);
}

/** The transfer as it is now, not as this request may have read it before. */
function freshTransfer(deps: Needs<"loaders">, id: string): Promise<TransferRow | null> {
  deps.loaders.transferById.clear(id);
  return deps.loaders.transferById.load(id);
}

/** {@link eventTransfer}'s rule, for a transfer already read. */
async function seenBy(
  deps: Needs<"loaders">,
  id: string,
  transfer: TransferRow | null,
  parties: { clientId: string | null; counterClientId: string | null } | undefined,
): Promise<TransferRow | null> {
  if (!transfer || deps.caller.kind === "system") return transfer;
  const { clientId } = deps.caller;
  if (sideOf(clientId, transfer) === "owner") return transfer;
  if (!sideOf(clientId, transfer) && !(parties && sideOf(clientId, parties))) {
    return readableTransfer(deps, id); // FORBIDDEN, said the one way
  }
  return counterpartyView(transfer);
}

/** Transfers a snapshot lists at most. */
export const MAX_SNAPSHOT_TRANSFERS = 100;

/**
 * The current transfers of a stream's filter (a client's or an account's, both sides, or all)
 * with the log position they reflect: subscribe `after` it and nothing is missed or repeated. A
 * front-office caller gets its own client's (the counterparty's view where it was credited) and
 * is refused FORBIDDEN for a filter naming another's, as when subscribing.
 *
 * @throws FORBIDDEN, VALIDATION_FAILED
 */
export async function transferSnapshot(
  deps: Needs<"history" | "ledger">,
  filter: Omit<EventFilter, "transferId">,
  recent: number,
): Promise<Snapshot> {
  if (!Number.isInteger(recent) || recent < 0 || recent > MAX_SNAPSHOT_TRANSFERS) {
    throw validationError([
      { field: "recent", rule: "range", message: `recent must be between 0 and ${MAX_SNAPSHOT_TRANSFERS}` },
    ]);
  }
  if (deps.caller.kind === "system") return deps.history.snapshot(filter, recent);
  const { clientId } = deps.caller;
  await requireOwnFilter(deps, clientId, filter);
  const snapshot = await deps.history.snapshot({ ...filter, clientId }, recent);
  const asSeen = snapshot.recent.map((t) => (sideOf(clientId, t) === "owner" ? t : counterpartyView(t)));
  return { ...snapshot, recent: asSeen as typeof snapshot.recent };
}
