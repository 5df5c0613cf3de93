import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * `ledger.transition_payment` takes the operation (pend, post or cancel) instead of the statuses
 * it may start from and lead to, and holds the payment state machine in one CASE: a branch per
 * allowed (operation, status), with its effect and its new status, and an ELSE that refuses
 * (PAYMENT_INVALID_STATE). The table in domain/payment-status.ts lists the same moves;
 * test/ledger/payment-contract.test.ts runs every pair against this function and compares.
 *
 * Before, the caller passed the table's row (`p_from`, `p_to`) and the effects were an IF/ELSIF
 * on (status, p_to) with no ELSE: a move added to the table without a branch would have changed
 * the status and moved nothing. Locks, the idempotency claim and every check stay as they were.
 */
export class PaymentTransitionContract1732260000000 implements MigrationInterface {
  name = "PaymentTransitionContract1732260000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `DROP FUNCTION ledger.transition_payment(uuid, text, text, text, text[], text, text, text)`,
    );
    /*
     * The payment row is locked first, then the key claimed in the payment's scope, then (for a
     * move that needs them) its accounts locked in id order: a duplicate of this request waits
     * for the payment, then finds the key taken and answers as the first did; a request waiting
     * for a key holds no account; concurrent operations cannot deadlock.
     */
    await db.query(`
      CREATE FUNCTION ledger.transition_payment(p_id uuid, p_operation text, p_key text, p_hash text,
                                                p_actor text, p_request_id text)
      RETURNS SETOF ledger.payment LANGUAGE plpgsql AS $$
      DECLARE
        v_payment ledger.payment;
        v_accounts record;
        v_to text;
      BEGIN
        SELECT * INTO v_payment FROM ledger.payment WHERE id = p_id FOR NO KEY UPDATE;
        IF NOT FOUND THEN
          PERFORM ledger.fail('PAYMENT_NOT_FOUND', jsonb_build_object('paymentId', p_id));
        END IF;

        INSERT INTO ledger.idempotency_key (scope, key, request_hash, operation, payment_id)
        VALUES (v_payment.idempotency_scope, p_key, p_hash, p_operation, p_id)
        ON CONFLICT (scope, key) DO NOTHING;
        IF NOT FOUND THEN
          RETURN NEXT ledger.earlier_answer(v_payment.idempotency_scope, p_key, p_hash);
          RETURN;
        END IF;

        CASE
          WHEN p_operation = 'pend' AND v_payment.status = 'DRAFT' THEN
            -- Hold the amount: no money moves, the debit account must afford it.
            v_to := 'PENDING';
            SELECT * INTO v_accounts FROM ledger.lock_accounts(v_payment.debit_account_id, v_payment.credit_account_id, v_payment.currency);
            PERFORM ledger.require_active(v_accounts.o_debit, 'debitAccountId');
            PERFORM ledger.require_active(v_accounts.o_credit, 'creditAccountId');
            PERFORM ledger.require_funds(v_accounts.o_debit, v_payment.amount);
            UPDATE ledger.account SET pending = pending + v_payment.amount, updated_at = now()
             WHERE id = v_payment.debit_account_id;
          WHEN p_operation = 'post' AND v_payment.status = 'PENDING' THEN
            -- Move the held amount (two entries) and release the hold; only a closed credit account refuses.
            v_to := 'POSTED';
            SELECT * INTO v_accounts FROM ledger.lock_accounts(v_payment.debit_account_id, v_payment.credit_account_id, v_payment.currency);
            IF (v_accounts.o_credit).status = 'CLOSED' THEN
              PERFORM ledger.require_active(v_accounts.o_credit, 'creditAccountId');
            END IF;
            PERFORM ledger.move(v_payment.id, 'POST', v_payment.debit_account_id, v_payment.credit_account_id,
                                v_payment.amount, v_payment.currency, true);
          WHEN p_operation = 'cancel' AND v_payment.status = 'DRAFT' THEN
            -- Nothing is held.
            v_to := 'CANCELLED';
          WHEN p_operation = 'cancel' AND v_payment.status = 'PENDING' THEN
            -- Release the hold.
            v_to := 'CANCELLED';
            UPDATE ledger.account SET pending = pending - v_payment.amount, updated_at = now()
             WHERE id = v_payment.debit_account_id;
          ELSE
            PERFORM ledger.fail('PAYMENT_INVALID_STATE',
              jsonb_build_object('paymentId', p_id, 'from', v_payment.status, 'operation', p_operation));
        END CASE;

        INSERT INTO ledger.payment_event (payment_id, from_status, to_status, changed_by, request_id)
        VALUES (p_id, v_payment.status, v_to, p_actor, p_request_id);
        UPDATE ledger.payment SET status = v_to, updated_at = now() WHERE id = p_id RETURNING * INTO v_payment;
        RETURN NEXT v_payment;
      END $$`);
  }

  /** The function as PaymentIdempotencyPerClient1732240000000 made it. */
  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION ledger.transition_payment(uuid, text, text, text, text, text)`);
    await db.query(`
      CREATE FUNCTION ledger.transition_payment(p_id uuid, p_operation text, p_key text, p_hash text,
                                                p_from text[], p_to text, p_actor text, p_request_id text)
      RETURNS SETOF ledger.payment LANGUAGE plpgsql AS $$
      DECLARE
        v_payment ledger.payment;
        v_accounts record;
      BEGIN
        SELECT * INTO v_payment FROM ledger.payment WHERE id = p_id FOR NO KEY UPDATE;
        IF NOT FOUND THEN
          PERFORM ledger.fail('PAYMENT_NOT_FOUND', jsonb_build_object('paymentId', p_id));
        END IF;

        INSERT INTO ledger.idempotency_key (scope, key, request_hash, operation, payment_id)
        VALUES (v_payment.idempotency_scope, p_key, p_hash, p_operation, p_id)
        ON CONFLICT (scope, key) DO NOTHING;
        IF NOT FOUND THEN
          RETURN NEXT ledger.earlier_answer(v_payment.idempotency_scope, p_key, p_hash);
          RETURN;
        END IF;

        IF NOT v_payment.status = ANY (p_from) THEN
          PERFORM ledger.fail('PAYMENT_INVALID_STATE',
            jsonb_build_object('paymentId', p_id, 'from', v_payment.status, 'to', p_to));
        END IF;

        IF v_payment.status = 'DRAFT' AND p_to = 'PENDING' THEN
          SELECT * INTO v_accounts FROM ledger.lock_accounts(v_payment.debit_account_id, v_payment.credit_account_id, v_payment.currency);
          PERFORM ledger.require_active(v_accounts.o_debit, 'debitAccountId');
          PERFORM ledger.require_active(v_accounts.o_credit, 'creditAccountId');
          PERFORM ledger.require_funds(v_accounts.o_debit, v_payment.amount);
          UPDATE ledger.account SET pending = pending + v_payment.amount, updated_at = now()
           WHERE id = v_payment.debit_account_id;
        ELSIF v_payment.status = 'PENDING' AND p_to = 'POSTED' THEN
          SELECT * INTO v_accounts FROM ledger.lock_accounts(v_payment.debit_account_id, v_payment.credit_account_id, v_payment.currency);
          IF (v_accounts.o_credit).status = 'CLOSED' THEN
            PERFORM ledger.require_active(v_accounts.o_credit, 'creditAccountId');
          END IF;
          PERFORM ledger.move(v_payment.id, 'POST', v_payment.debit_account_id, v_payment.credit_account_id,
                              v_payment.amount, v_payment.currency, true);
        ELSIF v_payment.status = 'PENDING' AND p_to = 'CANCELLED' THEN
          UPDATE ledger.account SET pending = pending - v_payment.amount, updated_at = now()
           WHERE id = v_payment.debit_account_id;
        END IF;

        INSERT INTO ledger.payment_event (payment_id, from_status, to_status, changed_by, request_id)
        VALUES (p_id, v_payment.status, p_to, p_actor, p_request_id);
        UPDATE ledger.payment SET status = p_to, updated_at = now() WHERE id = p_id RETURNING * INTO v_payment;
        RETURN NEXT v_payment;
      END $$`);
  }
}
