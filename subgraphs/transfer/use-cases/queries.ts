/** Reading transfers: a front-office caller only ever sees its own client's. */
import type { RowProperties } from "../../../common/db/row-reader";
import { listScope } from "../../../common/auth/caller";
import { fetchPage, type Page } from "../../../common/graphql/pagination";
import type { TransferEventRow, TransferRow } from "../persistence/entities";
import type { TransferFilter } from "../persistence/transfer.repository";
import { counterpartyEvent, isCounterpartyView } from "../domain/parties";
import { readableTransfer } from "./access";
import type { Needs } from "./deps";

/** A transfer by id (null when there is none); FORBIDDEN for another client's. */
export function transfer(deps: Needs<"loaders">, id: string): Promise<TransferRow | null> {
  return readableTransfer(deps, id);
}

/**
 * Transfers in creation order; a front-office caller's are always limited to its own client.
 * `properties`: those the page's nodes will read (all if undefined).
 */
export function transfers(
  deps: Needs<"transfers">,
  filter: TransferFilter,
  first?: number | null,
  after?: string | null,
  properties?: RowProperties,
): Promise<Page<TransferRow>> {
  const clientId = listScope(deps.caller, filter.clientId);
  return fetchPage(first, after, (size, position) =>
    deps.transfers.listTransfers({ ...filter, clientId }, size, position, properties),
  );
}

/** When a transfer entered its current status: its newest status change. */
export async function statusChangedAt(deps: Needs<"loaders">, transfer: TransferRow): Promise<Date> {
  const events = await deps.loaders.eventsByTransferId.load(transfer.id);
  return events[events.length - 1]?.changedAt ?? transfer.createdAt;
}

/**
 * Every status change of a transfer the caller has already reached, in sequence; the
 * counterparty's view (decision 0026) without who made them, why or in which request.
 */
export async function statusHistory(
  deps: Needs<"loaders">,
  transfer: TransferRow,
): Promise<TransferEventRow[]> {
  const events = await deps.loaders.eventsByTransferId.load(transfer.id);
  if (!isCounterpartyView(transfer)) return events;
  return events.map((event) => ({ ...counterpartyEvent(event), requestId: null }));
}
