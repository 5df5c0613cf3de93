import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Idempotency keys per client instead of per token subject (decision 0020): a transfer's key is
 * kept in `client:<its client id>` (incoming transfers stay in `incoming`, the rail's external
 * ids). Existing transfers move to their client's scope; where two callers had used one key for
 * the same client, the earliest transfer takes the key and the later ones keep their old
 * (subject) scope, where nothing looks any more: a replay of one of those answers the earliest
 * transfer, or IDEMPOTENCY_KEY_REUSED.
 */
export class TransferIdempotencyPerClient1732250000000 implements MigrationInterface {
  name = "TransferIdempotencyPerClient1732250000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      UPDATE transfer.transfer t SET idempotency_scope = 'client:' || t.client_id
        FROM (SELECT id, row_number() OVER (PARTITION BY client_id, idempotency_key ORDER BY created_at, id) AS n
                FROM transfer.transfer
               WHERE idempotency_scope <> 'incoming' AND client_id IS NOT NULL) ranked
       WHERE t.id = ranked.id AND ranked.n = 1`);
  }

  /**
   * Back to the creator's subject (the first history entry's `changed_by`). Refuses when one
   * caller now has one key on several transfers (a key reused across clients since).
   */
  async down(db: QueryRunner): Promise<void> {
    const creatorScope = `CASE WHEN t.idempotency_scope LIKE 'client:%' THEN e.changed_by ELSE t.idempotency_scope END`;
    await db.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM transfer.transfer t
                     JOIN transfer.transfer_event e ON e.transfer_id = t.id AND e.sequence = 1
                    GROUP BY ${creatorScope}, t.idempotency_key HAVING count(*) > 1) THEN
          RAISE EXCEPTION 'a caller used one idempotency key for transfers of several clients; keys per caller cannot hold them';
        END IF;
      END $$`);
    await db.query(`
      UPDATE transfer.transfer t SET idempotency_scope = e.changed_by
        FROM transfer.transfer_event e
       WHERE e.transfer_id = t.id AND e.sequence = 1 AND t.idempotency_scope LIKE 'client:%'`);
  }
}
