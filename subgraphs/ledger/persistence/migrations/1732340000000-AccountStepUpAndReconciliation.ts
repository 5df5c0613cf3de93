import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Account step-up codes (decision 0039): a one-time code per (user, account, action), kept only
 * as an HMAC, which a right code turns into a one-use grant (kept only as its SHA-256); and the
 * ledger's notification outbox that delivers the codes (the transfer subgraph has its own).
 * Also an index on the transfer id that the orchestrator's payments carry in their metadata, so
 * the reconciliation report finds a transfer's settlement movements by it (decision 0038).
 */
export class AccountStepUpAndReconciliation1732340000000 implements MigrationInterface {
  name = "AccountStepUpAndReconciliation1732340000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ledger.account_otp (
        id uuid PRIMARY KEY,
        account_id uuid NOT NULL REFERENCES ledger.account (id),
        client_id uuid NOT NULL,
        -- The token subject who asked: only they may verify the code and use its grant.
        requested_by text NOT NULL,
        action text NOT NULL CHECK (action IN ('CLOSE_ACCOUNT')),
        code_hash text NOT NULL,
        status text NOT NULL CHECK (status IN ('OPEN', 'USED', 'VOIDED', 'LOCKED')),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL,
        expires_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        closed_at timestamptz(3),
        grant_hash text,
        grant_expires_at timestamptz(3),
        grant_used_at timestamptz(3),
        CONSTRAINT account_otp_grant CHECK ((grant_hash IS NULL) = (grant_expires_at IS NULL)),
        CONSTRAINT account_otp_grant_used CHECK (grant_used_at IS NULL OR grant_hash IS NOT NULL)
      )`);
    await db.query(`
      CREATE UNIQUE INDEX account_otp_open ON ledger.account_otp (account_id, requested_by, action)
      WHERE status = 'OPEN'`);
    await db.query(
      `CREATE INDEX account_otp_sent_idx ON ledger.account_otp (account_id, requested_by, action, created_at)`,
    );
    await db.query(`CREATE UNIQUE INDEX account_otp_grant_key ON ledger.account_otp (grant_hash)`);
    await db.query(`
      CREATE TABLE ledger.notification_outbox (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        client_id uuid NOT NULL,
        kind text NOT NULL,
        -- For the delivery process only (it holds the one-time code); never read by the API.
        payload jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        delivered_at timestamptz(3)
      )`);
    await db.query(
      `CREATE INDEX payment_transfer_idx ON ledger.payment ((metadata->>'transferId')) WHERE metadata ? 'transferId'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ledger.payment_transfer_idx`);
    await db.query(`DROP TABLE ledger.notification_outbox`);
    await db.query(`DROP TABLE ledger.account_otp`);
  }
}
