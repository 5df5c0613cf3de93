import type { DataSource } from "typeorm";
import { findByUuids } from "../../../common/db/data-source";
import { isUuid } from "../../../common/ids";
import { TransferEventRow } from "./entities";

/**
 * Which events: of one transfer; of a client's movements, debited or credited; of those debiting
 * or crediting an account. Judged by each event's own parties (as they were when it was written).
 */
export interface EventFilter {
  transferId?: string | null;
  clientId?: string | null;
  accountId?: string | null;
}

/** Transfers' status histories (written only with the moves, by TransferRepository). */
export class TransferHistoryRepository {
  constructor(private readonly db: DataSource) {}

  transferEvents(transferIds: readonly string[]): Promise<TransferEventRow[]> {
    return findByUuids(this.db, TransferEventRow, "transferId", transferIds, {
      transferId: "ASC",
      sequence: "ASC",
    });
  }

  /** A transfer's events after `sequence` that pass `filter`. */
  async eventsAfter(
    transferId: string,
    sequence: number,
    filter: Omit<EventFilter, "transferId">,
  ): Promise<TransferEventRow[]> {
    return this.eventsOf({ ...filter, transferId }, "e.sequence > :sequence", { sequence });
  }

  /** Events since `since` of the transfers `filter` names (a catch-up after a lost connection). */
  async eventsSince(filter: EventFilter, since: Date): Promise<TransferEventRow[]> {
    return this.eventsOf(filter, "e.changed_at >= :since", { since });
  }

  /** Whether `clientId` was a party of any of the transfer's events (both sides, past owners). */
  async hasParty(transferId: string, clientId: string): Promise<boolean> {
    if (!isUuid(transferId)) return false;
    const found: unknown[] = await this.db.query(
      `SELECT 1 FROM transfer.transfer_event
        WHERE transfer_id = $1 AND (client_id = $2 OR counter_client_id = $2) LIMIT 1`,
      [transferId, clientId],
    );
    return found.length > 0;
  }

  async event(transferId: string, sequence: number): Promise<TransferEventRow | null> {
    if (!isUuid(transferId)) return null;
    return this.db.getRepository(TransferEventRow).findOneBy({ transferId, sequence });
  }

  private async eventsOf(
    filter: EventFilter,
    condition: string,
    parameters: Record<string, unknown>,
  ): Promise<TransferEventRow[]> {
    if (filter.transferId && !isUuid(filter.transferId)) return [];
    const query = this.db
      .getRepository(TransferEventRow)
      .createQueryBuilder("e")
      .where(condition, parameters)
      .orderBy("e.id");
    if (filter.transferId) query.andWhere("e.transfer_id = :transferId", { transferId: filter.transferId });
    // The same rule as the live stream's `matches` (events/status-stream.ts).
    if (filter.clientId) {
      query.andWhere("(e.client_id = :clientId OR e.counter_client_id = :clientId)", {
        clientId: filter.clientId,
      });
    }
    if (filter.accountId) {
      query.andWhere("(e.account_id = :accountId OR e.counter_account_id = :accountId)", {
        accountId: filter.accountId,
      });
    }
    return query.getMany();
  }
}
