import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Two more bank-owned account kinds for the transfer orchestrator, one account of each per
 * currency: SUSPENSE (incoming money for an unknown beneficiary, until an operator assigns
 * it) and FX_POSITION (the bank's foreign-exchange position in the currency).
 *
 * Nothing else changes: `account_owner` already reads "no client unless CLIENT", and
 * `account_not_overdrawn` and `ledger.require_funds` check CLIENT accounts only, so the new
 * kinds, like SETTLEMENT, have no client and may go negative. Widening the CHECK cannot
 * fail on existing rows.
 */
export class AddBankAccountKinds1732210000000 implements MigrationInterface {
  name = "AddBankAccountKinds1732210000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE ledger.account
        DROP CONSTRAINT account_kind_check,
        ADD CONSTRAINT account_kind_check CHECK (kind IN ('CLIENT', 'SETTLEMENT', 'SUSPENSE', 'FX_POSITION'))`);
    // One account of each bank kind per currency; ensureBankAccounts relies on it (ON CONFLICT).
    await db.query(
      `CREATE UNIQUE INDEX account_bank_per_currency ON ledger.account (kind, currency) WHERE kind <> 'CLIENT'`,
    );
    await db.query(`DROP INDEX ledger.account_settlement_per_currency`);
  }

  /**
   * Removes the new kinds' accounts that were never used (every start creates them); one
   * that a payment touched holds history, so the down refuses rather than lose it.
   */
  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DELETE FROM ledger.account a
       WHERE a.kind IN ('SUSPENSE', 'FX_POSITION')
         AND NOT EXISTS (SELECT 1 FROM ledger.payment p WHERE p.debit_account_id = a.id OR p.credit_account_id = a.id)
         AND NOT EXISTS (SELECT 1 FROM ledger.entry e WHERE e.account_id = a.id)`);
    await db.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM ledger.account WHERE kind IN ('SUSPENSE', 'FX_POSITION')) THEN
          RAISE EXCEPTION 'SUSPENSE or FX_POSITION accounts have payments; they cannot be removed by a down migration';
        END IF;
      END $$`);
    await db.query(
      `CREATE UNIQUE INDEX account_settlement_per_currency ON ledger.account (currency) WHERE kind = 'SETTLEMENT'`,
    );
    await db.query(`DROP INDEX ledger.account_bank_per_currency`);
    await db.query(`
      ALTER TABLE ledger.account
        DROP CONSTRAINT account_kind_check,
        ADD CONSTRAINT account_kind_check CHECK (kind IN ('CLIENT', 'SETTLEMENT'))`);
  }
}
