import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Indexes for the back office (decision 0038): the status changes that move money through a
 * settlement account, by time (the reconciliation report's window), and the outgoing transfers
 * queued for the rail, by currency (the treasury summary).
 */
export class ReconciliationAndTreasuryIndexes1732340000000 implements MigrationInterface {
  name = "ReconciliationAndTreasuryIndexes1732340000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE INDEX transfer_event_settled_idx ON transfer.transfer_event (changed_at)
      WHERE to_status IN ('COMPLETED', 'UNRECOGNIZED')`);
    await db.query(`
      CREATE INDEX transfer_queued_outgoing_idx ON transfer.transfer (currency)
      WHERE kind = 'OUTGOING' AND status IN ('CONFIRMED', 'PROCESSING', 'SENDING')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX transfer.transfer_queued_outgoing_idx`);
    await db.query(`DROP INDEX transfer.transfer_event_settled_idx`);
  }
}
