import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Account activity (decision 0030): every posted entry and every hold placed, released or
 * posted is recorded per account with the balances after it, numbered 1, 2, 3 ... per account
 * (`account.activity_sequence`), and announced on channel `ledger_activity` with pg_notify.
 *
 * - Written by triggers on what the posting functions already write (an entry; a payment event
 *   DRAFT -> PENDING or PENDING -> CANCELLED), in the same transaction: a rolled-back payment
 *   records and announces nothing, a committed one always does (NOTIFY is sent at commit).
 * - The sequence is taken by updating the account row, which the posting function has already
 *   locked (FOR NO KEY UPDATE, or its balance UPDATE) until commit: per account, sequence order is
 *   commit order, with no gap, so "after n" is a position a subscriber can resume from.
 * - The balances are read from the account row after the function changed them: the entry's
 *   `balance_after` is the same posted balance.
 * - Append-only, like the entries. Accounts start at 0: activity before this migration is not
 *   recorded (their entries are, as before).
 */
export class AccountActivity1732290000000 implements MigrationInterface {
  name = "AccountActivity1732290000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE ledger.account ADD COLUMN activity_sequence bigint NOT NULL DEFAULT 0`);
    await db.query(`
      CREATE TABLE ledger.account_activity (
        account_id uuid NOT NULL REFERENCES ledger.account (id),
        sequence bigint NOT NULL,
        kind text NOT NULL CHECK (kind IN ('ENTRY_POSTED', 'HOLD_PLACED', 'HOLD_RELEASED', 'HOLD_POSTED')),
        payment_id uuid REFERENCES ledger.payment (id),
        transaction_id uuid REFERENCES ledger.ledger_transaction (id),
        currency char(3) NOT NULL,
        posted_change bigint NOT NULL,
        pending_change bigint NOT NULL,
        posted bigint NOT NULL,
        pending bigint NOT NULL,
        available bigint NOT NULL,
        occurred_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT account_activity_pkey PRIMARY KEY (account_id, sequence)
      )`);
    await db.query(`
      CREATE TRIGGER account_activity_append_only BEFORE UPDATE OR DELETE ON ledger.account_activity
      FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite()`);

    // The account's next sequence and its balances now; one row, one notification (sent at commit).
    await db.query(`
      CREATE FUNCTION ledger.record_activity(p_account uuid, p_kind text, p_payment uuid, p_transaction uuid,
                                             p_posted_change bigint, p_pending_change bigint)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        v_account ledger.account;
        v_row ledger.account_activity;
      BEGIN
        UPDATE ledger.account SET activity_sequence = activity_sequence + 1
         WHERE id = p_account RETURNING * INTO v_account;
        INSERT INTO ledger.account_activity (account_id, sequence, kind, payment_id, transaction_id, currency,
                                             posted_change, pending_change, posted, pending, available)
        VALUES (p_account, v_account.activity_sequence, p_kind, p_payment, p_transaction, v_account.currency,
                p_posted_change, p_pending_change, v_account.posted, v_account.pending,
                v_account.posted - v_account.pending + v_account.overdraft_limit)
        RETURNING * INTO v_row;
        PERFORM pg_notify('ledger_activity', json_build_object(
          'accountId', v_row.account_id,
          'sequence', v_row.sequence::text,
          'kind', v_row.kind,
          'paymentId', v_row.payment_id,
          'transactionId', v_row.transaction_id,
          'currency', v_row.currency,
          'postedChange', v_row.posted_change::text,
          'pendingChange', v_row.pending_change::text,
          'posted', v_row.posted::text,
          'pending', v_row.pending::text,
          'available', v_row.available::text,
          'occurredAt', v_row.occurred_at
        )::text);
      END $$`);

    // An entry: money moved. The debit side of a POST also releases the hold it settles.
    await db.query(`
      CREATE FUNCTION ledger.entry_activity() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_tx ledger.ledger_transaction;
      BEGIN
        SELECT * INTO v_tx FROM ledger.ledger_transaction WHERE id = NEW.transaction_id;
        IF v_tx.kind = 'POST' AND NEW.amount < 0 THEN
          PERFORM ledger.record_activity(NEW.account_id, 'HOLD_POSTED', v_tx.payment_id, v_tx.id, NEW.amount, NEW.amount);
        ELSE
          PERFORM ledger.record_activity(NEW.account_id, 'ENTRY_POSTED', v_tx.payment_id, v_tx.id, NEW.amount, 0);
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER entry_activity AFTER INSERT ON ledger.entry
      FOR EACH ROW EXECUTE FUNCTION ledger.entry_activity()`);

    // A hold placed (pend) or released (cancel of a PENDING payment) on the debit account.
    await db.query(`
      CREATE FUNCTION ledger.hold_activity() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_payment ledger.payment;
      BEGIN
        SELECT * INTO v_payment FROM ledger.payment WHERE id = NEW.payment_id;
        IF NEW.from_status = 'DRAFT' AND NEW.to_status = 'PENDING' THEN
          PERFORM ledger.record_activity(v_payment.debit_account_id, 'HOLD_PLACED', v_payment.id, NULL, 0, v_payment.amount);
        ELSIF NEW.from_status = 'PENDING' AND NEW.to_status = 'CANCELLED' THEN
          PERFORM ledger.record_activity(v_payment.debit_account_id, 'HOLD_RELEASED', v_payment.id, NULL, 0, -v_payment.amount);
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER payment_event_hold_activity AFTER INSERT ON ledger.payment_event
      FOR EACH ROW EXECUTE FUNCTION ledger.hold_activity()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER payment_event_hold_activity ON ledger.payment_event`);
    await db.query(`DROP FUNCTION ledger.hold_activity()`);
    await db.query(`DROP TRIGGER entry_activity ON ledger.entry`);
    await db.query(`DROP FUNCTION ledger.entry_activity()`);
    await db.query(`DROP FUNCTION ledger.record_activity(uuid, text, uuid, uuid, bigint, bigint)`);
    await db.query(`DROP TABLE ledger.account_activity`);
    await db.query(`ALTER TABLE ledger.account DROP COLUMN activity_sequence`);
  }
}
