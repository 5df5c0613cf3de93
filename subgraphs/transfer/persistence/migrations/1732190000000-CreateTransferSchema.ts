import type { MigrationInterface, QueryRunner } from "typeorm";

/** The `transfer` schema: recipients so far (transfers follow). PostgreSQL 14+. */
export class CreateTransferSchema1732190000000 implements MigrationInterface {
  name = "CreateTransferSchema1732190000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE transfer.recipient (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id uuid NOT NULL,
        name varchar(140) NOT NULL,
        iban varchar(34) NOT NULL,
        bic varchar(11),
        currency char(3) NOT NULL,
        country char(2) NOT NULL,
        visible boolean NOT NULL DEFAULT true,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        -- One entry per beneficiary account and currency for a client; a second add is refused.
        CONSTRAINT recipient_client_iban_currency_key UNIQUE (client_id, iban, currency)
      )`);
    await db.query(`CREATE INDEX recipient_client_idx ON transfer.recipient (client_id, created_at, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE transfer.recipient`);
  }
}
