import type { MigrationInterface, QueryRunner } from "typeorm";

/** What a status change announces on `transfer_events`: the event, its parties and, now, its position. */
const ANNOUNCEMENT = `json_build_object(
  'position', v_position::text,
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
)::text`;

/**
 * One commit-ordered log of every transfer status event (decision 0028). A deferred trigger
 * gives each event, as its transaction commits, the next position of a one-row counter
 * (`event_log_head`) and records it in `event_log`. The counter's row lock is held until the
 * transaction ends, so the next position is handed out only once the previous one is committed
 * (or rolled back, which also undoes its increment): positions are gapless and every reader sees
 * a prefix of the log. A transaction that started earlier but commits later gets the later
 * position, so a reader resuming after a position never misses it. The announcement moves into
 * the same trigger and carries the position.
 *
 * Past events get positions in id order. That is read without blocking writers; only the few
 * events written meanwhile are numbered after the trigger is in place (which waits for writers in
 * flight and holds new ones until this migration commits, a moment).
 */
export class CommitOrderedEventLog1732280000000 implements MigrationInterface {
  name = "CommitOrderedEventLog1732280000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE transfer.event_log (
        position bigint PRIMARY KEY,
        event_id bigint NOT NULL UNIQUE REFERENCES transfer.transfer_event (id)
      )`);
    await db.query(`
      CREATE TABLE transfer.event_log_head (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        position bigint NOT NULL
      )`);
    await db.query(`
      CREATE TRIGGER event_log_append_only BEFORE UPDATE OR DELETE ON transfer.event_log
      FOR EACH ROW EXECUTE FUNCTION transfer.refuse_rewrite()`);
    // History so far, without holding writers back.
    await db.query(`
      INSERT INTO transfer.event_log (position, event_id)
      SELECT row_number() OVER (ORDER BY id), id FROM transfer.transfer_event`);
    await db.query(`
      CREATE FUNCTION transfer.log_event() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_position bigint;
      BEGIN
        UPDATE transfer.event_log_head SET position = position + 1 RETURNING position INTO v_position;
        INSERT INTO transfer.event_log (position, event_id) VALUES (v_position, NEW.id);
        PERFORM pg_notify('transfer_events', ${ANNOUNCEMENT});
        RETURN NULL;
      END $$`);
    // From here on writers wait for this migration's commit (CREATE TRIGGER's lock).
    await db.query(`
      CREATE CONSTRAINT TRIGGER transfer_event_log AFTER INSERT ON transfer.transfer_event
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION transfer.log_event()`);
    await db.query(`DROP TRIGGER transfer_event_announce ON transfer.transfer_event`);
    // Events committed while the history was numbered.
    await db.query(`
      INSERT INTO transfer.event_log (position, event_id)
      SELECT (SELECT coalesce(max(position), 0) FROM transfer.event_log) + row_number() OVER (ORDER BY e.id), e.id
        FROM transfer.transfer_event e
       WHERE NOT EXISTS (SELECT 1 FROM transfer.event_log l WHERE l.event_id = e.id)`);
    await db.query(`
      INSERT INTO transfer.event_log_head (position)
      SELECT coalesce(max(position), 0) FROM transfer.event_log`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER transfer_event_log ON transfer.transfer_event`);
    await db.query(`DROP FUNCTION transfer.log_event()`);
    await db.query(`
      CREATE TRIGGER transfer_event_announce AFTER INSERT ON transfer.transfer_event
      FOR EACH ROW EXECUTE FUNCTION transfer.announce_event()`);
    await db.query(`DROP TABLE transfer.event_log_head`);
    await db.query(`DROP TABLE transfer.event_log`);
  }
}
