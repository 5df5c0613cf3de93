/** Status changes as they commit: a live stream per subscription, and one change as a query. */
import { AppError, validationError } from "../../../common/errors";
import { counterpartyEvent, counterpartyView, sideOf } from "../domain/parties";
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
 * movements (both sides) and is refused FORBIDDEN for a filter naming another's. `afterSequence`
 * (with a transferId) first replays the events after it.
 *
 * @throws FORBIDDEN, VALIDATION_FAILED
 */
export async function statusEvents(
  deps: Needs<"loaders" | "history" | "events" | "ledger">,
  filter: EventFilter & { afterSequence?: string | null },
): Promise<AsyncIterable<EventNotice>> {
  const afterSequence = startAfter(filter);
  if (deps.caller.kind === "client") await requireOwnFilter(deps, deps.caller.clientId, filter);
  if (filter.transferId) await requireEventParty(deps, filter.transferId);
  return statusStream(deps.events, deps.history, {
    transferId: filter.transferId,
    clientId: deps.caller.kind === "client" ? deps.caller.clientId : filter.clientId,
    accountId: filter.accountId,
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
  const event = await deps.history.event(transferId, sequence);
  if (!event) return null;
  const notice = noticeOf(event);
  if (deps.caller.kind === "client" && !sideOf(deps.caller.clientId, notice)) return null;
  const transfer = await eventTransfer(deps, transferId, notice);
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
  deps.loaders.transferById.clear(id);
  const transfer = await deps.loaders.transferById.load(id);
  if (!transfer || deps.caller.kind === "system") return transfer;
  const { clientId } = deps.caller;
  if (sideOf(clientId, transfer) === "owner") return transfer;
  if (!sideOf(clientId, transfer) && !(parties && sideOf(clientId, parties))) {
    return readableTransfer(deps, id); // FORBIDDEN, said the one way
  }
  return counterpartyView(transfer);
}
