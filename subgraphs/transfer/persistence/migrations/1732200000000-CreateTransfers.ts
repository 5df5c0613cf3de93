import type { MigrationInterface, QueryRunner } from "typeorm";

/** Transfers and their append-only history (sequence numbered per transfer). */
export class CreateTransfers1732200000000 implements MigrationInterface {
  name = "CreateTransfers1732200000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE transfer.transfer (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('INTERNAL')),
        status text NOT NULL,
        client_id uuid NOT NULL,
        account_id uuid NOT NULL,
        counter_account_id uuid,
        amount numeric NOT NULL CHECK (amount > 0),
        currency char(3) NOT NULL,
        reference varchar(140),
        payment_id uuid,
        failure_code text,
        idempotency_scope text NOT NULL,
        idempotency_key varchar(200) NOT NULL,
        request_hash text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT transfer_idempotency_key UNIQUE (idempotency_scope, idempotency_key)
      )`);
    await db.query(`CREATE INDEX transfer_created_idx ON transfer.transfer (created_at, id)`);
    await db.query(`CREATE INDEX transfer_client_idx ON transfer.transfer (client_id, created_at)`);
    await db.query(`CREATE INDEX transfer_account_idx ON transfer.transfer (account_id, created_at)`);
    await db.query(`
      CREATE TABLE transfer.transfer_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transfer_id uuid NOT NULL REFERENCES transfer.transfer (id),
        sequence integer NOT NULL,
        from_status text,
        to_status text NOT NULL,
        reason text,
        changed_by text NOT NULL,
        request_id text,
        changed_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT transfer_event_sequence_key UNIQUE (transfer_id, sequence)
      )`);
    await db.query(`
      CREATE FUNCTION transfer.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$`);
    await db.query(`
      CREATE TRIGGER transfer_event_append_only BEFORE UPDATE OR DELETE ON transfer.transfer_event
      FOR EACH ROW EXECUTE FUNCTION transfer.refuse_rewrite()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE transfer.transfer_event`);
    await db.query(`DROP FUNCTION transfer.refuse_rewrite()`);
    await db.query(`DROP TABLE transfer.transfer`);
  }
}
