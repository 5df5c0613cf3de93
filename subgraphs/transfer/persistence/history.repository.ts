import type { DataSource } from "typeorm";
import { findByUuids } from "../../../common/db/data-source";
import { isUuid } from "../../../common/ids";
import { TransferEventRow, TransferRow } from "./entities";
import { whereOwnedBy } from "./transfer.repository";

/** Which events: of one transfer, of a client's transfers, of those debiting or crediting an account. */
export interface EventFilter {
  transferId?: string | null;
  clientId?: string | null;
  accountId?: string | null;
}

/** An event with its transfer's current owner (what a subscription filters on). */
export type OwnedEvent = TransferEventRow & {
  clientId: string | null;
  accountId: string | null;
  counterAccountId: string | null;
};

/** Transfers' status histories (written only with the moves, by TransferRepository). */
export class TransferHistoryRepository {
  constructor(private readonly db: DataSource) {}

  transferEvents(transferIds: readonly string[]): Promise<TransferEventRow[]> {
    return findByUuids(this.db, TransferEventRow, "transferId", transferIds, {
      transferId: "ASC",
      sequence: "ASC",
    });
  }

  /** A transfer's events after `sequence`, with the transfer's current owner, if it passes `filter`. */
  async eventsAfter(
    transferId: string,
    sequence: number,
    filter: Omit<EventFilter, "transferId">,
  ): Promise<OwnedEvent[]> {
    return this.eventsWithOwner({ ...filter, transferId }, "e.sequence > :sequence", { sequence });
  }

  /** Events since `since` of the transfers `filter` names (a catch-up after a lost connection). */
  async eventsSince(filter: EventFilter, since: Date): Promise<OwnedEvent[]> {
    return this.eventsWithOwner(filter, "e.changed_at >= :since", { since });
  }

  async event(transferId: string, sequence: number): Promise<TransferEventRow | null> {
    if (!isUuid(transferId)) return null;
    return this.db.getRepository(TransferEventRow).findOneBy({ transferId, sequence });
  }

  private async eventsWithOwner(
    filter: EventFilter,
    condition: string,
    parameters: Record<string, unknown>,
  ): Promise<OwnedEvent[]> {
    if (filter.transferId && !isUuid(filter.transferId)) return [];
    const query = this.db
      .getRepository(TransferEventRow)
      .createQueryBuilder("e")
      .innerJoin(TransferRow, "t", "t.id = e.transfer_id")
      .addSelect(["t.client_id", "t.account_id", "t.counter_account_id"])
      .where(condition, parameters)
      .orderBy("e.id");
    if (filter.transferId) query.andWhere("e.transfer_id = :transferId", { transferId: filter.transferId });
    whereOwnedBy(query, filter);
    const { entities, raw } = await query.getRawAndEntities<{
      t_client_id: string | null;
      t_account_id: string | null;
      t_counter_account_id: string | null;
    }>();
    return entities.map((event, i) => ({
      ...event,
      clientId: raw[i].t_client_id,
      accountId: raw[i].t_account_id,
      counterAccountId: raw[i].t_counter_account_id,
    }));
  }
}
