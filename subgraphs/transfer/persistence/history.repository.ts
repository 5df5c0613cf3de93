import type { DataSource } from "typeorm";
import { findByUuids } from "../../../common/db/data-source";
import { isUuid } from "../../../common/ids";
import { EventLogRow, TransferEventRow, TransferRow } from "./entities";

/**
 * Which events: of one transfer; of a client's movements, debited or credited; of those debiting
 * or crediting an account. Judged by each event's own parties (as they were when it was written).
 */
export interface EventFilter {
  transferId?: string | null;
  clientId?: string | null;
  accountId?: string | null;
}

/** A stored event and its position in the commit-ordered log (decision 0028). */
export interface LoggedEvent {
  position: string;
  row: TransferEventRow;
}

/** The transfers of a filter as of one position of the log (decision 0028). */
export interface Snapshot {
  /** The last position the snapshot reflects: a stream `after` it continues with nothing missed. */
  position: string;
  /** Transfers per status (one row per status that has any). */
  counts: Array<{ status: string; count: number }>;
  /** The newest transfers, newest first. */
  recent: TransferRow[];
  /** Completed transfers per minute and currency over the last `minutes` (by the COMPLETED event's time). */
  volumes: Array<{ minute: Date; currency: string; amount: string; count: number }>;
}

/** Minutes of completed volume a snapshot sums (the dashboard's chart). */
export const VOLUME_MINUTES = 30;

/** Transfers' status histories (written only with the moves, by TransferRepository). */
export class TransferHistoryRepository {
  constructor(private readonly db: DataSource) {}

  transferEvents(transferIds: readonly string[]): Promise<TransferEventRow[]> {
    return findByUuids(this.db, TransferEventRow, "transferId", transferIds, {
      transferId: "ASC",
      sequence: "ASC",
    });
  }

  /** A transfer's events after `sequence` that pass `filter`, in log order. */
  async eventsAfter(
    transferId: string,
    sequence: number,
    filter: Omit<EventFilter, "transferId">,
  ): Promise<LoggedEvent[]> {
    return this.eventsOf({ ...filter, transferId }, "e.sequence > :sequence", { sequence });
  }

  /**
   * The events `filter` names after `position` in the commit-ordered log, the first `limit` of
   * them: a reader that has seen position p never finds a new one at or below it (decision 0028).
   */
  async eventsAfterPosition(filter: EventFilter, position: string, limit: number): Promise<LoggedEvent[]> {
    return this.eventsOf(filter, "l.position > :position", { position }, limit);
  }

  /** The last position of the log: what a snapshot read now reflects. */
  async headPosition(): Promise<string> {
    const rows = (await this.db.query(`SELECT position::text AS position FROM transfer.event_log_head`)) as {
      position: string;
    }[];
    return rows[0]?.position ?? "0";
  }

  /**
   * The transfers a client or an account is a party of (both sides, as the stream's filter), or
   * all: counts per status and the newest `recent`, with the log position they reflect, all read
   * in one REPEATABLE READ snapshot. A status change and its position commit together, so the
   * snapshot holds every event up to `position` and none after it.
   */
  async snapshot(filter: Omit<EventFilter, "transferId">, recent: number): Promise<Snapshot> {
    return this.db.transaction("REPEATABLE READ", async (tx) => {
      const [head] = (await tx.query(`SELECT position::text AS position FROM transfer.event_log_head`)) as {
        position: string;
      }[];
      const query = tx.getRepository(TransferRow).createQueryBuilder("t");
      if (filter.clientId) {
        query.andWhere("(t.client_id = :clientId OR t.counter_client_id = :clientId)", filter);
      }
      if (filter.accountId) {
        query.andWhere("(t.account_id = :accountId OR t.counter_account_id = :accountId)", filter);
      }
      const counts = await query
        .clone()
        .select("t.status", "status")
        .addSelect("count(*)::int", "count")
        .groupBy("t.status")
        .orderBy("t.status")
        .getRawMany<{ status: string; count: number }>();
      const rows = await query
        .orderBy("t.created_at", "DESC")
        .addOrderBy("t.id", "DESC")
        .limit(recent)
        .getMany();
      const volumes = (await tx.query(
        `SELECT date_trunc('minute', e.changed_at) AS minute, t.currency, sum(t.amount)::text AS amount,
                count(*)::int AS count
           FROM transfer.transfer_event e JOIN transfer.transfer t ON t.id = e.transfer_id
          WHERE e.to_status = 'COMPLETED' AND e.changed_at >= date_trunc('minute', now()) - make_interval(mins => $1)
            AND ($2::uuid IS NULL OR e.client_id = $2 OR e.counter_client_id = $2)
            AND ($3::uuid IS NULL OR e.account_id = $3 OR e.counter_account_id = $3)
          GROUP BY 1, 2 ORDER BY 1, 2`,
        [VOLUME_MINUTES - 1, filter.clientId ?? null, filter.accountId ?? null],
      )) as Snapshot["volumes"];
      return { position: head?.position ?? "0", counts, recent: rows, volumes };
    });
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

  async event(transferId: string, sequence: number): Promise<LoggedEvent | null> {
    if (!isUuid(transferId)) return null;
    const [found] = await this.eventsOf({ transferId }, "e.sequence = :sequence", { sequence });
    return found ?? null;
  }

  private async eventsOf(
    filter: EventFilter,
    condition: string,
    parameters: Record<string, unknown>,
    limit?: number,
  ): Promise<LoggedEvent[]> {
    if (filter.transferId && !isUuid(filter.transferId)) return [];
    const query = this.db
      .getRepository(TransferEventRow)
      .createQueryBuilder("e")
      .innerJoin(EventLogRow, "l", "l.event_id = e.id")
      .addSelect("l.position::text", "log_position")
      .where(condition, parameters)
      .orderBy("l.position");
    if (limit) query.limit(limit);
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
    const { raw, entities } = await query.getRawAndEntities<{ log_position: string }>();
    return entities.map((row, index) => ({ position: raw[index].log_position, row }));
  }
}
