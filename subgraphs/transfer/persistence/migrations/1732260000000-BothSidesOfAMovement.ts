import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Both sides of a movement hear of it (decision 0026). A transfer records the client it credits
 * when that is another client (`counter_client_id`: an internal transfer to someone else), and each
 * history entry keeps the parties as they were when it was written (a BEFORE INSERT trigger copies
 * them from the transfer, so no writer can get them wrong): an incoming transfer assigned later
 * belongs to its client from the assignment on, never before. The announcement carries these
 * parties, and the catch-up and replay queries filter on the same columns, so live and replayed
 * events agree.
 */
export class BothSidesOfAMovement1732260000000 implements MigrationInterface {
  name = "BothSidesOfAMovement1732260000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE transfer.transfer ADD COLUMN counter_client_id uuid`);
    await db.query(`
      ALTER TABLE transfer.transfer_event
        ADD COLUMN client_id uuid,
        ADD COLUMN counter_client_id uuid,
        ADD COLUMN account_id uuid,
        ADD COLUMN counter_account_id uuid`);
    // Past entries: the transfer's parties now, except an incoming transfer's entries before its
    // (last) assignment, which belonged to nobody yet. Past internal transfers have no recorded
    // credited client (the ledger knows it, this schema does not).
    await db.query(`ALTER TABLE transfer.transfer_event DISABLE TRIGGER transfer_event_append_only`);
    await db.query(`
      UPDATE transfer.transfer_event e
         SET client_id = t.client_id, account_id = t.account_id, counter_account_id = t.counter_account_id
        FROM transfer.transfer t
       WHERE t.id = e.transfer_id
         AND NOT (t.kind = 'INCOMING' AND e.sequence < (
               SELECT coalesce(max(a.sequence), 0) FROM transfer.transfer_event a
                WHERE a.transfer_id = e.transfer_id AND a.to_status = 'ASSIGNING'))`);
    await db.query(`ALTER TABLE transfer.transfer_event ENABLE TRIGGER transfer_event_append_only`);
    await db.query(`
      CREATE FUNCTION transfer.event_parties() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT client_id, counter_client_id, account_id, counter_account_id
          INTO NEW.client_id, NEW.counter_client_id, NEW.account_id, NEW.counter_account_id
          FROM transfer.transfer WHERE id = NEW.transfer_id;
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER transfer_event_parties BEFORE INSERT ON transfer.transfer_event
      FOR EACH ROW EXECUTE FUNCTION transfer.event_parties()`);
    await db.query(`
      CREATE OR REPLACE FUNCTION transfer.announce_event() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('transfer_events', json_build_object(
          'transferId', NEW.transfer_id,
          'sequence', NEW.sequence,
          'clientId', NEW.client_id,
          'counterClientId', NEW.counter_client_id,
          'accountId', NEW.account_id,
          'counterAccountId', NEW.counter_account_id,
          'from', NEW.from_status,
          'to', NEW.to_status,
          'reason', NEW.reason,
          'changedBy', NEW.changed_by,
          'changedAt', NEW.changed_at
        )::text);
        RETURN NULL;
      END $$`);
    // A catch-up after a lost connection reads by time, then by party.
    await db.query(`CREATE INDEX transfer_event_changed_idx ON transfer.transfer_event (changed_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX transfer.transfer_event_changed_idx`);
    await db.query(`
      CREATE OR REPLACE FUNCTION transfer.announce_event() RETURNS trigger LANGUAGE plpgsql AS $$
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
    await db.query(`DROP TRIGGER transfer_event_parties ON transfer.transfer_event`);
    await db.query(`DROP FUNCTION transfer.event_parties()`);
    await db.query(`
      ALTER TABLE transfer.transfer_event
        DROP COLUMN client_id, DROP COLUMN counter_client_id,
        DROP COLUMN account_id, DROP COLUMN counter_account_id`);
    await db.query(`ALTER TABLE transfer.transfer DROP COLUMN counter_client_id`);
  }
}
