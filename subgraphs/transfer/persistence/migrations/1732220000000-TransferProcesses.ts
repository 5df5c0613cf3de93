import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Outgoing, incoming and FX transfers: their columns, the engine's run queue (next run, lease),
 * one-time confirmations, the notification outbox and FX quotes.
 */
export class TransferProcesses1732220000000 implements MigrationInterface {
  name = "TransferProcesses1732220000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE transfer.transfer DROP CONSTRAINT transfer_kind_check`);
    await db.query(`
      ALTER TABLE transfer.transfer
        ADD CONSTRAINT transfer_kind_check CHECK (kind IN ('OUTGOING', 'INCOMING', 'INTERNAL', 'FX')),
        -- An unrecognised incoming transfer has no client or account until an operator assigns it.
        ALTER COLUMN client_id DROP NOT NULL,
        ALTER COLUMN account_id DROP NOT NULL,
        ADD CONSTRAINT transfer_owner CHECK (kind = 'INCOMING' OR (client_id IS NOT NULL AND account_id IS NOT NULL)),
        ADD COLUMN type text NOT NULL DEFAULT 'INTERNAL',
        ADD COLUMN recipient_id uuid REFERENCES transfer.recipient (id),
        ADD COLUMN counterparty_name varchar(140),
        ADD COLUMN counterparty_iban varchar(34),
        ADD COLUMN account_number varchar(34),
        ADD COLUMN rail_reference text,
        ADD COLUMN quote_id uuid,
        ADD COLUMN target_amount numeric CHECK (target_amount > 0),
        ADD COLUMN target_currency char(3),
        ADD COLUMN rate numeric,
        -- The engine's queue: when the next step is due, and who runs it until when.
        ADD COLUMN next_run_at timestamptz(3) NOT NULL DEFAULT now(),
        ADD COLUMN lease_until timestamptz(3),
        ADD COLUMN lease_owner text,
        ADD COLUMN attempts integer NOT NULL DEFAULT 0,
        ADD COLUMN last_error text,
        -- A quote buys one transfer.
        ADD CONSTRAINT transfer_quote_key UNIQUE (quote_id)`);
    await db.query(`
      CREATE INDEX transfer_due_idx ON transfer.transfer (next_run_at)
      WHERE status NOT IN ('COMPLETED', 'FAILED', 'CANCELLED', 'PENDING_CONFIRMATION', 'UNRECOGNIZED')`);
    await db.query(`
      CREATE TABLE transfer.confirmation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        transfer_id uuid NOT NULL REFERENCES transfer.transfer (id),
        -- HMAC-SHA256 of the code under the server's secret: the code itself is never stored here.
        code_hash text NOT NULL,
        status text NOT NULL CHECK (status IN ('OPEN', 'USED', 'VOIDED', 'LOCKED')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        closed_at timestamptz(3)
      )`);
    await db.query(
      `CREATE UNIQUE INDEX confirmation_open_per_transfer ON transfer.confirmation (transfer_id) WHERE status = 'OPEN'`,
    );
    await db.query(
      `CREATE INDEX confirmation_transfer_idx ON transfer.confirmation (transfer_id, created_at)`,
    );
    await db.query(`
      CREATE TABLE transfer.notification_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        client_id uuid NOT NULL,
        kind text NOT NULL,
        -- For the delivery process only (it holds the one-time code); never read by the API.
        payload jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        delivered_at timestamptz(3)
      )`);
    await db.query(`
      CREATE TABLE transfer.fx_quote (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id uuid NOT NULL,
        source_account_id uuid NOT NULL,
        target_account_id uuid NOT NULL,
        source_currency char(3) NOT NULL,
        target_currency char(3) NOT NULL,
        source_amount numeric NOT NULL CHECK (source_amount > 0),
        target_amount numeric NOT NULL CHECK (target_amount > 0),
        mid_rate numeric NOT NULL,
        rate numeric NOT NULL,
        spread_bps integer NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await db.query(
      `ALTER TABLE transfer.transfer ADD CONSTRAINT transfer_quote_fk FOREIGN KEY (quote_id) REFERENCES transfer.fx_quote (id)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE transfer.transfer DROP CONSTRAINT transfer_quote_fk`);
    await db.query(`DROP TABLE transfer.fx_quote`);
    await db.query(`DROP TABLE transfer.notification_outbox`);
    await db.query(`DROP TABLE transfer.confirmation`);
    await db.query(`DROP INDEX transfer.transfer_due_idx`);
    await db.query(`
      ALTER TABLE transfer.transfer
        DROP CONSTRAINT transfer_quote_key, DROP CONSTRAINT transfer_owner, DROP CONSTRAINT transfer_kind_check,
        DROP COLUMN type, DROP COLUMN recipient_id, DROP COLUMN counterparty_name, DROP COLUMN counterparty_iban,
        DROP COLUMN account_number, DROP COLUMN rail_reference, DROP COLUMN quote_id, DROP COLUMN target_amount,
        DROP COLUMN target_currency, DROP COLUMN rate, DROP COLUMN next_run_at, DROP COLUMN lease_until,
        DROP COLUMN lease_owner, DROP COLUMN attempts, DROP COLUMN last_error,
        ALTER COLUMN client_id SET NOT NULL, ALTER COLUMN account_id SET NOT NULL,
        ADD CONSTRAINT transfer_kind_check CHECK (kind IN ('INTERNAL'))`);
  }
}
