import type { DataSource } from "typeorm";
import { findByIds } from "../../../common/db/data-source";
import { isUuid } from "../../../common/ids";
import { ConfirmationRow } from "./entities";
import type { Tx } from "./transfer.repository";

/** One-time-code confirmations of outgoing transfers, and the outbox that delivers their codes. */
export class ConfirmationRepository {
  constructor(private readonly db: DataSource) {}

  async insertConfirmation(
    tx: Tx,
    confirmation: Pick<ConfirmationRow, "transferId" | "codeHash" | "maxAttempts"> & { ttlSeconds: number },
  ): Promise<ConfirmationRow> {
    const [row] = (await tx.query(
      `INSERT INTO transfer.confirmation (transfer_id, code_hash, status, max_attempts, expires_at)
       VALUES ($1, $2, 'OPEN', $3, now() + make_interval(secs => $4)) RETURNING id`,
      [confirmation.transferId, confirmation.codeHash, confirmation.maxAttempts, confirmation.ttlSeconds],
    )) as [{ id: string }];
    return tx.findOneByOrFail(ConfirmationRow, { id: row.id });
  }

  async countConfirmations(tx: Tx, transferId: string): Promise<number> {
    return tx.getRepository(ConfirmationRow).countBy({ transferId });
  }

  /**
   * The transfer's open confirmation, else its newest one, locked for the rest of `tx`, with the
   * database's time to judge its expiry by (one clock for every instance).
   */
  async lockLatestConfirmation(
    tx: Tx,
    transferId: string,
  ): Promise<{ confirmation: ConfirmationRow; now: Date } | null> {
    const { entities, raw } = await tx
      .getRepository(ConfirmationRow)
      .createQueryBuilder("c")
      .addSelect("now()", "db_now")
      .setLock("pessimistic_write")
      .where("c.transfer_id = :transferId", { transferId })
      .orderBy("c.status = 'OPEN'", "DESC")
      .addOrderBy("c.created_at", "DESC")
      .addOrderBy("c.id", "DESC")
      .limit(1)
      .getRawAndEntities<{ db_now: Date }>();
    return entities[0] ? { confirmation: entities[0], now: new Date(raw[0].db_now) } : null;
  }

  /** Voids the transfer's open confirmation, if it has one (a new code was sent, or it was cancelled). */
  async voidOpenConfirmation(tx: Tx, transferId: string): Promise<void> {
    await tx.query(
      `UPDATE transfer.confirmation SET status = 'VOIDED', closed_at = now()
        WHERE transfer_id = $1 AND status = 'OPEN'`,
      [transferId],
    );
  }

  confirmationsByIds(ids: readonly string[]): Promise<ConfirmationRow[]> {
    return findByIds(this.db, ConfirmationRow, ids);
  }

  async latestConfirmations(transferIds: readonly string[]): Promise<ConfirmationRow[]> {
    const valid = transferIds.filter(isUuid);
    if (!valid.length) return [];
    return this.db
      .getRepository(ConfirmationRow)
      .createQueryBuilder("c")
      .distinctOn(["c.transfer_id"])
      .where("c.transfer_id IN (:...valid)", { valid })
      .orderBy("c.transfer_id")
      .addOrderBy("c.status = 'OPEN'", "DESC")
      .addOrderBy("c.created_at", "DESC")
      .addOrderBy("c.id", "DESC")
      .getMany();
  }

  /**
   * Counts a wrong code (locking the confirmation at its limit) or closes it as USED/VOIDED.
   * Only an OPEN confirmation changes: a closed one is final.
   */
  async updateConfirmation(tx: Tx, id: string, change: { attempts: number; status: string }): Promise<void> {
    await tx.query(
      `UPDATE transfer.confirmation
          SET attempts = $2, status = $3, closed_at = CASE WHEN $3 = 'OPEN' THEN NULL ELSE now() END
        WHERE id = $1 AND status = 'OPEN'`,
      [id, change.attempts, change.status],
    );
  }

  /** The notification port's default: a row for the delivery process, in the caller's transaction. */
  async queueNotification(tx: Tx, clientId: string, kind: string, payload: object): Promise<void> {
    await tx.query(
      `INSERT INTO transfer.notification_outbox (client_id, kind, payload) VALUES ($1, $2, $3)`,
      [clientId, kind, JSON.stringify(payload)],
    );
  }
}
