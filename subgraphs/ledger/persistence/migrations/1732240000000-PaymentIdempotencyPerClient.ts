import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Idempotency keys on every payment operation, kept per client (decision 0020).
 *
 * - `ledger.idempotency_key` holds each key a payment operation used: creations (backfilled
 *   from the payments here) and now pend, post and cancel. Its primary key (scope, key) is where a
 *   key is claimed, inside the operation's own call, so the key and the effect commit together,
 *   the five operations share one key space, and two racing requests cannot both use one key.
 * - The scope is the client the payment acts for (`ledger.payment_scope`): its debit account's,
 *   else its credit account's (money into a client from one of the bank's own accounts), else
 *   `bank` (between the bank's own accounts). It was the token subject. A transition uses the
 *   scope its payment was created in.
 * - Existing payments move to their client's scope. Where two callers had used one key for the
 *   same client, the earliest payment takes the key in that scope; the later ones keep their old
 *   (subject) scope, where nothing looks any more: a replay of one of those answers the earliest
 *   payment, or IDEMPOTENCY_KEY_REUSED.
 * - IDEMPOTENCY_KEY_REUSED no longer names the payment that holds the key.
 */
export class PaymentIdempotencyPerClient1732240000000 implements MigrationInterface {
  name = "PaymentIdempotencyPerClient1732240000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION ledger.payment_scope(p_debit uuid, p_credit uuid) RETURNS text LANGUAGE sql STABLE AS $$
        SELECT COALESCE('client:' || (SELECT client_id FROM ledger.account WHERE id = p_debit),
                        'client:' || (SELECT client_id FROM ledger.account WHERE id = p_credit),
                        'bank')
      $$`);

    // Winners only: a payment that is not the first with its key in its new scope keeps its old one.
    await db.query(`
      UPDATE ledger.payment p SET idempotency_scope = ranked.scope
        FROM (SELECT id, scope,
                     row_number() OVER (PARTITION BY scope, idempotency_key ORDER BY created_at, id) AS n
                FROM (SELECT id, idempotency_key, created_at,
                             ledger.payment_scope(debit_account_id, credit_account_id) AS scope
                        FROM ledger.payment) scoped) ranked
       WHERE p.id = ranked.id AND ranked.n = 1`);

    await db.query(`
      CREATE TABLE ledger.idempotency_key (
        scope text NOT NULL,
        key varchar(200) NOT NULL,
        request_hash text NOT NULL,
        operation text NOT NULL CHECK (operation IN ('create', 'pend', 'post', 'cancel')),
        -- Deferred: a creation claims its key before its payment row exists.
        payment_id uuid NOT NULL REFERENCES ledger.payment (id) DEFERRABLE INITIALLY DEFERRED,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT idempotency_key_pkey PRIMARY KEY (scope, key)
      )`);
    await db.query(`
      CREATE TRIGGER idempotency_key_append_only BEFORE UPDATE OR DELETE ON ledger.idempotency_key
      FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite()`);
    await db.query(`
      INSERT INTO ledger.idempotency_key (scope, key, request_hash, operation, payment_id, created_at)
      SELECT idempotency_scope, idempotency_key, request_hash, 'create', id, created_at FROM ledger.payment`);

    // The payment a key answered, as it is now; the key used for another request fails (naming nothing).
    await db.query(`
      CREATE FUNCTION ledger.earlier_answer(p_scope text, p_key text, p_hash text)
      RETURNS ledger.payment LANGUAGE plpgsql AS $$
      DECLARE
        v_used ledger.idempotency_key;
        v_payment ledger.payment;
      BEGIN
        SELECT * INTO v_used FROM ledger.idempotency_key WHERE scope = p_scope AND key = p_key;
        IF v_used.request_hash IS DISTINCT FROM p_hash THEN
          PERFORM ledger.fail('IDEMPOTENCY_KEY_REUSED');
        END IF;
        SELECT * INTO v_payment FROM ledger.payment WHERE id = v_used.payment_id;
        RETURN v_payment;
      END $$`);

    await db.query(
      `DROP FUNCTION ledger.create_payment(text, text, text, text, uuid, uuid, bigint, text, text, jsonb, text, text)`,
    );
    await db.query(`DROP FUNCTION ledger.earlier_payment(text, text, text)`);
    /*
     * Creates a payment: IMMEDIATE (money moves now, POSTED) or DRAFT (nothing moves). The key
     * is claimed first, before any lock: a request with the same key that is running now makes
     * the claim wait for its outcome (then its answer, or IDEMPOTENCY_KEY_REUSED), and a request
     * waiting there holds no account. A failed check rolls the claim back with the payment.
     */
    await db.query(`
      CREATE FUNCTION ledger.create_payment(
        p_mode text, p_key text, p_hash text, p_debit uuid, p_credit uuid,
        p_amount bigint, p_currency text, p_description text, p_metadata jsonb,
        p_actor text, p_request_id text)
      RETURNS SETOF ledger.payment LANGUAGE plpgsql AS $$
      DECLARE
        v_scope text := ledger.payment_scope(p_debit, p_credit);
        v_id uuid := gen_random_uuid();
        v_payment ledger.payment;
        v_accounts record;
      BEGIN
        INSERT INTO ledger.idempotency_key (scope, key, request_hash, operation, payment_id)
        VALUES (v_scope, p_key, p_hash, 'create', v_id)
        ON CONFLICT (scope, key) DO NOTHING;
        IF NOT FOUND THEN
          RETURN NEXT ledger.earlier_answer(v_scope, p_key, p_hash);
          RETURN;
        END IF;

        -- Accounts first: the payment's foreign keys then need no extra share lock on rows this
        -- transaction already holds (on a hot account those would pile up as multixacts).
        SELECT * INTO v_accounts FROM ledger.lock_accounts(p_debit, p_credit, p_currency);

        INSERT INTO ledger.payment (id, idempotency_scope, idempotency_key, request_hash, debit_account_id,
                                    credit_account_id, amount, currency, description, metadata, status, created_by)
        VALUES (v_id, v_scope, p_key, p_hash, p_debit, p_credit, p_amount, p_currency, p_description, p_metadata,
                CASE p_mode WHEN 'IMMEDIATE' THEN 'POSTED' ELSE 'DRAFT' END, p_actor)
        RETURNING * INTO v_payment;

        PERFORM ledger.require_active(v_accounts.o_debit, 'debitAccountId');
        PERFORM ledger.require_active(v_accounts.o_credit, 'creditAccountId');
        IF p_mode = 'IMMEDIATE' THEN
          PERFORM ledger.require_funds(v_accounts.o_debit, p_amount);
          PERFORM ledger.move(v_payment.id, 'IMMEDIATE', p_debit, p_credit, p_amount, p_currency, false);
        END IF;
        INSERT INTO ledger.payment_event (payment_id, from_status, to_status, changed_by, request_id)
        VALUES (v_payment.id, NULL, v_payment.status, p_actor, p_request_id);
        RETURN NEXT v_payment;
      END $$`);

    await db.query(`DROP FUNCTION ledger.transition_payment(uuid, text[], text, text, text)`);
    /*
     * Moves a payment from one of p_from to p_to (the transition table lives in
     * domain/payment-status.ts) under the key p_key of the payment's scope. The payment row is
     * locked first, then the key claimed, then its accounts locked in id order: a duplicate of
     * this request waits for the payment, then finds the key taken and answers as the first did
     * (the payment as it is now); a request waiting for a key holds no account; a payment
     * resolves at most once; concurrent operations cannot deadlock.
     */
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

  /**
   * Back to keys per token subject (the creator, `created_by`), creation keys only. Refuses
   * when two payments of one creator now share a key (keys reused across clients since), since
   * the old unique constraint cannot hold them both.
   */
  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DO $$
      BEGIN
        IF EXISTS (SELECT 1 FROM ledger.payment GROUP BY created_by, idempotency_key HAVING count(*) > 1) THEN
          RAISE EXCEPTION 'a caller used one idempotency key for payments of several clients; keys per caller cannot hold them';
        END IF;
      END $$`);
    await db.query(
      `DROP FUNCTION ledger.transition_payment(uuid, text, text, text, text[], text, text, text)`,
    );
    await db.query(
      `DROP FUNCTION ledger.create_payment(text, text, text, uuid, uuid, bigint, text, text, jsonb, text, text)`,
    );
    await db.query(`DROP FUNCTION ledger.earlier_answer(text, text, text)`);
    await db.query(`DROP TABLE ledger.idempotency_key`);
    await db.query(
      `UPDATE ledger.payment SET idempotency_scope = created_by WHERE idempotency_scope <> created_by`,
    );
    await db.query(`DROP FUNCTION ledger.payment_scope(uuid, uuid)`);

    // The functions as CreateLedgerSchema1732180000000 made them.
    await db.query(`
      CREATE FUNCTION ledger.earlier_payment(p_scope text, p_key text, p_hash text)
      RETURNS ledger.payment LANGUAGE plpgsql AS $$
      DECLARE
        v_payment ledger.payment;
      BEGIN
        SELECT * INTO v_payment FROM ledger.payment WHERE idempotency_scope = p_scope AND idempotency_key = p_key;
        IF FOUND AND v_payment.request_hash <> p_hash THEN
          PERFORM ledger.fail('IDEMPOTENCY_KEY_REUSED', jsonb_build_object('paymentId', v_payment.id));
        END IF;
        RETURN v_payment;
      END $$`);
    await db.query(`
      CREATE FUNCTION ledger.create_payment(
        p_mode text, p_scope text, p_key text, p_hash text, p_debit uuid, p_credit uuid,
        p_amount bigint, p_currency text, p_description text, p_metadata jsonb,
        p_actor text, p_request_id text)
      RETURNS SETOF ledger.payment LANGUAGE plpgsql AS $$
      DECLARE
        v_payment ledger.payment;
        v_accounts record;
      BEGIN
        SELECT * INTO v_payment FROM ledger.payment WHERE idempotency_scope = p_scope AND idempotency_key = p_key;
        IF FOUND THEN
          RETURN NEXT ledger.earlier_payment(p_scope, p_key, p_hash);
          RETURN;
        END IF;
        SELECT * INTO v_accounts FROM ledger.lock_accounts(p_debit, p_credit, p_currency);
        INSERT INTO ledger.payment (idempotency_scope, idempotency_key, request_hash, debit_account_id,
                                    credit_account_id, amount, currency, description, metadata, status, created_by)
        VALUES (p_scope, p_key, p_hash, p_debit, p_credit, p_amount, p_currency, p_description, p_metadata,
                CASE p_mode WHEN 'IMMEDIATE' THEN 'POSTED' ELSE 'DRAFT' END, p_actor)
        ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
        RETURNING * INTO v_payment;
        IF NOT FOUND THEN
          RETURN NEXT ledger.earlier_payment(p_scope, p_key, p_hash);
          RETURN;
        END IF;
        PERFORM ledger.require_active(v_accounts.o_debit, 'debitAccountId');
        PERFORM ledger.require_active(v_accounts.o_credit, 'creditAccountId');
        IF p_mode = 'IMMEDIATE' THEN
          PERFORM ledger.require_funds(v_accounts.o_debit, p_amount);
          PERFORM ledger.move(v_payment.id, 'IMMEDIATE', p_debit, p_credit, p_amount, p_currency, false);
        END IF;
        INSERT INTO ledger.payment_event (payment_id, from_status, to_status, changed_by, request_id)
        VALUES (v_payment.id, NULL, v_payment.status, p_actor, p_request_id);
        RETURN NEXT v_payment;
      END $$`);
    await db.query(`
      CREATE FUNCTION ledger.transition_payment(p_id uuid, p_from text[], p_to text, p_actor text, p_request_id text)
      RETURNS SETOF ledger.payment LANGUAGE plpgsql AS $$
      DECLARE
        v_payment ledger.payment;
        v_accounts record;
      BEGIN
        SELECT * INTO v_payment FROM ledger.payment WHERE id = p_id FOR NO KEY UPDATE;
        IF NOT FOUND THEN
          PERFORM ledger.fail('PAYMENT_NOT_FOUND', jsonb_build_object('paymentId', p_id));
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
