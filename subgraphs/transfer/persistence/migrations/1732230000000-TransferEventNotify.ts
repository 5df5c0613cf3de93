import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Announces every status change on channel `transfer_events` with pg_notify, from a trigger on
 * the history table: the notification is sent at commit and only then, so a rolled-back change
 * announces nothing and a committed one always does, in commit order. The payload is the event
 * itself plus what subscribers filter on (the transfer's client and accounts as of that change),
 * so delivering it needs no query.
 */
export class TransferEventNotify1732230000000 implements MigrationInterface {
  name = "TransferEventNotify1732230000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION transfer.announce_event() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_transfer transfer.transfer;
      BEGIN
        SELECT * INTO v_transfer FROM transfer.transfer WHERE id = NEW.transfer_id;
        PERFORM pg_notify('transfer_events', json_build_object(
          'transferId', NEW.transfer_id,
          'sequence', NEW.sequence,
          'clientId', v_transfer.client_id,
          'accountId', v_transfer.account_id,
          'counterAccountId', v_transfer.counter_account_id,
          'from', NEW.from_status,
          'to', NEW.to_status,
          'reason', NEW.reason,
          'changedBy', NEW.changed_by,
          'changedAt', NEW.changed_at
        )::text);
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER transfer_event_announce AFTER INSERT ON transfer.transfer_event
      FOR EACH ROW EXECUTE FUNCTION transfer.announce_event()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER transfer_event_announce ON transfer.transfer_event`);
    await db.query(`DROP FUNCTION transfer.announce_event()`);
  }
}
