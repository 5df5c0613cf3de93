import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The `ledger` schema. Balances are stored on the account and kept in step with the
 * entries by the posting functions below, in the same transaction; entries, transactions
 * and payment events are append-only. PostgreSQL 14+.
 *
 * Money moves only inside `ledger.create_payment` and `ledger.transition_payment`: one
 * round trip each, accounts locked in id order (FOR NO KEY UPDATE), so concurrent payments
 * neither overdraw, lose an update nor deadlock. They raise SQLSTATE LG001 with the error
 * code as message and JSON details; `ledger.repository.ts` turns those into AppErrors.
 */
export class CreateLedgerSchema1732180000000 implements MigrationInterface {
  name = "CreateLedgerSchema1732180000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE ledger.account_number_serial`);
    await db.query(`
      CREATE TABLE ledger.account (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number varchar(34) NOT NULL,
        kind text NOT NULL CHECK (kind IN ('CLIENT', 'SETTLEMENT')),
        client_id uuid,
        currency char(3) NOT NULL,
        name varchar(100) NOT NULL,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'BLOCKED', 'CLOSED')),
        overdraft_limit bigint NOT NULL DEFAULT 0 CHECK (overdraft_limit >= 0),
        position integer NOT NULL DEFAULT 0,
        posted bigint NOT NULL DEFAULT 0,
        pending bigint NOT NULL DEFAULT 0 CHECK (pending >= 0),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT account_number_key UNIQUE (number),
        CONSTRAINT account_owner CHECK ((kind = 'CLIENT') = (client_id IS NOT NULL)),
        -- The last line of defence: a client account never goes below minus its overdraft limit.
        CONSTRAINT account_not_overdrawn CHECK (kind <> 'CLIENT' OR posted - pending + overdraft_limit >= 0)
      )`);
    await db.query(
      `CREATE UNIQUE INDEX account_settlement_per_currency ON ledger.account (currency) WHERE kind = 'SETTLEMENT'`,
    );
    await db.query(`CREATE INDEX account_client_idx ON ledger.account (client_id, position, created_at)`);
    await db.query(`CREATE INDEX account_created_idx ON ledger.account (created_at, id)`);

    await db.query(`
      CREATE TABLE ledger.payment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_scope text NOT NULL,
        idempotency_key varchar(200) NOT NULL,
        request_hash text NOT NULL,
        debit_account_id uuid NOT NULL REFERENCES ledger.account (id),
        credit_account_id uuid NOT NULL REFERENCES ledger.account (id),
        amount bigint NOT NULL CHECK (amount > 0),
        currency char(3) NOT NULL,
        description varchar(500) NOT NULL,
        metadata jsonb,
        status text NOT NULL CHECK (status IN ('DRAFT', 'PENDING', 'POSTED', 'CANCELLED')),
        created_by text NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CONSTRAINT payment_idempotency_key UNIQUE (idempotency_scope, idempotency_key),
        CONSTRAINT payment_distinct_accounts CHECK (debit_account_id <> credit_account_id)
      )`);
    await db.query(
      `CREATE INDEX payment_debit_pending_idx ON ledger.payment (debit_account_id) WHERE status = 'PENDING'`,
    );
    await db.query(`CREATE INDEX payment_created_idx ON ledger.payment (created_at, id)`);

    await db.query(`
      CREATE TABLE ledger.payment_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        payment_id uuid NOT NULL REFERENCES ledger.payment (id),
        from_status text,
        to_status text NOT NULL,
        changed_by text NOT NULL,
        request_id text,
        changed_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX payment_event_payment_idx ON ledger.payment_event (payment_id, id)`);

    await db.query(`
      CREATE TABLE ledger.ledger_transaction (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        payment_id uuid REFERENCES ledger.payment (id),
        kind text NOT NULL CHECK (kind IN ('IMMEDIATE', 'POST')),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX ledger_transaction_payment_idx ON ledger.ledger_transaction (payment_id)`);
    await db.query(
      `CREATE INDEX ledger_transaction_created_idx ON ledger.ledger_transaction (created_at, id)`,
    );

    await db.query(`
      CREATE TABLE ledger.entry (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        transaction_id uuid NOT NULL REFERENCES ledger.ledger_transaction (id),
        account_id uuid NOT NULL REFERENCES ledger.account (id),
        currency char(3) NOT NULL,
        amount bigint NOT NULL CHECK (amount <> 0),
        balance_after bigint NOT NULL
      )`);
    await db.query(`CREATE INDEX entry_transaction_idx ON ledger.entry (transaction_id)`);
    await db.query(`CREATE INDEX entry_account_idx ON ledger.entry (account_id, id)`);

    // History is never rewritten.
    await db.query(`
      CREATE FUNCTION ledger.refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$`);
    for (const table of ["entry", "ledger_transaction", "payment_event"]) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ledger.${table}
        FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite()`);
    }

    // Every transaction's entries sum to zero per currency, checked at commit.
    await db.query(`
      CREATE FUNCTION ledger.check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF (SELECT COALESCE(sum(n), 0) < 2 OR COALESCE(bool_or(total <> 0), false)
              FROM (SELECT count(*) AS n, sum(amount) AS total FROM ledger.entry
                     WHERE transaction_id = NEW.id GROUP BY currency) per_currency) THEN
          RAISE EXCEPTION 'ledger transaction % is not balanced', NEW.id;
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger.ledger_transaction
      DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger.check_balanced()`);

    await db.query(`
      CREATE FUNCTION ledger.fail(code text, details jsonb DEFAULT '{}') RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION USING ERRCODE = 'LG001', MESSAGE = code, DETAIL = details::text;
      END $$`);

    // Moves p_amount from one account to the other: two entries, both balances, one transaction.
    await db.query(`
      CREATE FUNCTION ledger.move(p_payment uuid, p_kind text, p_debit uuid, p_credit uuid,
                                  p_amount bigint, p_currency text, p_release_hold boolean)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        v_tx uuid;
        v_debit_after bigint;
        v_credit_after bigint;
      BEGIN
        INSERT INTO ledger.ledger_transaction (payment_id, kind) VALUES (p_payment, p_kind) RETURNING id INTO v_tx;
        UPDATE ledger.account
           SET posted = posted - p_amount,
               pending = pending - CASE WHEN p_release_hold THEN p_amount ELSE 0 END,
               updated_at = now()
         WHERE id = p_debit RETURNING posted INTO v_debit_after;
        UPDATE ledger.account SET posted = posted + p_amount, updated_at = now()
         WHERE id = p_credit RETURNING posted INTO v_credit_after;
        INSERT INTO ledger.entry (transaction_id, account_id, currency, amount, balance_after)
        VALUES (v_tx, p_debit, p_currency, -p_amount, v_debit_after),
               (v_tx, p_credit, p_currency, p_amount, v_credit_after);
      END $$`);

    // Locks both accounts in id order and checks what every new or pended payment needs.
    await db.query(`
      CREATE FUNCTION ledger.lock_accounts(p_debit uuid, p_credit uuid, p_currency text,
                                           OUT o_debit ledger.account, OUT o_credit ledger.account)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_row ledger.account;
      BEGIN
        FOR v_row IN SELECT * FROM ledger.account WHERE id IN (p_debit, p_credit) ORDER BY id FOR NO KEY UPDATE LOOP
          IF v_row.id = p_debit THEN o_debit := v_row; ELSE o_credit := v_row; END IF;
        END LOOP;
        IF o_debit.id IS NULL THEN
          PERFORM ledger.fail('ACCOUNT_NOT_FOUND', jsonb_build_object('field', 'debitAccountId', 'accountId', p_debit));
        END IF;
        IF o_credit.id IS NULL THEN
          PERFORM ledger.fail('ACCOUNT_NOT_FOUND', jsonb_build_object('field', 'creditAccountId', 'accountId', p_credit));
        END IF;
        IF o_debit.currency <> p_currency OR o_credit.currency <> p_currency THEN
          PERFORM ledger.fail('CURRENCY_MISMATCH', jsonb_build_object('field', 'creditAccountId', 'currency', p_currency));
        END IF;
      END $$`);

    await db.query(`
      CREATE FUNCTION ledger.require_active(p_account ledger.account, p_field text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF p_account.status <> 'ACTIVE' THEN
          PERFORM ledger.fail('ACCOUNT_NOT_ACTIVE',
            jsonb_build_object('field', p_field, 'accountId', p_account.id, 'status', p_account.status));
        END IF;
      END $$`);

    await db.query(`
      CREATE FUNCTION ledger.require_funds(p_account ledger.account, p_amount bigint) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        IF p_account.kind = 'CLIENT' AND p_account.posted - p_account.pending + p_account.overdraft_limit < p_amount THEN
          PERFORM ledger.fail('INSUFFICIENT_FUNDS', jsonb_build_object('accountId', p_account.id));
        END IF;
      END $$`);

    // The payment an idempotency key already made (fields all null when none); another request's key fails.
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

    /*
     * Creates a payment: IMMEDIATE (money moves now, POSTED) or DRAFT (nothing moves).
     * The idempotency key and the posting commit together: the same key with the same
     * request hash returns the first payment and moves nothing; with another hash it fails.
     */
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
        -- The common case, inline (this runs for every payment): is the key already used?
        SELECT * INTO v_payment FROM ledger.payment WHERE idempotency_scope = p_scope AND idempotency_key = p_key;
        IF FOUND THEN
          RETURN NEXT ledger.earlier_payment(p_scope, p_key, p_hash);
          RETURN;
        END IF;

        -- Accounts first: the payment's foreign keys then need no extra share lock on rows this
        -- transaction already holds (on a hot account those would pile up as multixacts).
        SELECT * INTO v_accounts FROM ledger.lock_accounts(p_debit, p_credit, p_currency);

        INSERT INTO ledger.payment (idempotency_scope, idempotency_key, request_hash, debit_account_id,
                                    credit_account_id, amount, currency, description, metadata, status, created_by)
        VALUES (p_scope, p_key, p_hash, p_debit, p_credit, p_amount, p_currency, p_description, p_metadata,
                CASE p_mode WHEN 'IMMEDIATE' THEN 'POSTED' ELSE 'DRAFT' END, p_actor)
        ON CONFLICT (idempotency_scope, idempotency_key) DO NOTHING
        RETURNING * INTO v_payment;
        IF NOT FOUND THEN
          -- A request with the same key committed while this one waited for the locks: its result,
          -- not a funds check against the balance it left, is the answer.
          RETURN NEXT ledger.earlier_payment(p_scope, p_key, p_hash);
          RETURN;
        END IF;

        -- A failed check raises, and the payment inserted above goes with the rolled-back call.
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

    /*
     * Moves a payment from one of p_from to p_to (the transition table lives in
     * domain/payment-status.ts). The payment row is locked first, then its accounts in id
     * order, so a payment resolves at most once and concurrent operations cannot deadlock.
     */
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

    /*
     * Recomputes stored balances from the entries (posted) and the PENDING payments (held),
     * corrects any that drifted, and reports every account it looked at.
     */
    await db.query(`
      CREATE FUNCTION ledger.recalculate_balances(p_ids uuid[])
      RETURNS TABLE (account_id uuid, stored_posted bigint, actual_posted bigint, stored_pending bigint, actual_pending bigint)
      LANGUAGE plpgsql AS $$
      BEGIN
        -- Lock first, compute after: the next statement's snapshot then includes every payment
        -- that committed while we waited, so a correct balance is never "corrected" to a stale sum.
        PERFORM 1 FROM ledger.account WHERE id = ANY (p_ids) ORDER BY id FOR NO KEY UPDATE;
        RETURN QUERY
        WITH locked AS (
          SELECT a.id, a.posted, a.pending FROM ledger.account a WHERE a.id = ANY (p_ids)
        ), actual AS (
          SELECT l.id, l.posted AS stored_posted, l.pending AS stored_pending,
                 COALESCE((SELECT sum(e.amount) FROM ledger.entry e WHERE e.account_id = l.id), 0)::bigint AS actual_posted,
                 COALESCE((SELECT sum(p.amount) FROM ledger.payment p
                            WHERE p.debit_account_id = l.id AND p.status = 'PENDING'), 0)::bigint AS actual_pending
            FROM locked l
        ), fixed AS (
          UPDATE ledger.account a SET posted = actual.actual_posted, pending = actual.actual_pending, updated_at = now()
            FROM actual
           WHERE a.id = actual.id AND (a.posted <> actual.actual_posted OR a.pending <> actual.actual_pending)
        )
        SELECT actual.id, actual.stored_posted, actual.actual_posted, actual.stored_pending, actual.actual_pending
          FROM actual ORDER BY actual.id;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP SCHEMA ledger CASCADE`);
  }
}
