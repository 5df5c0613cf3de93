import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * `ledger.create_payments`: many payment creations in one database transaction (decision 0033),
 * for the group commit of concurrent `createPayment` requests and for the batch API
 * (`createPayments`). Each item keeps its own idempotency key, checks and answer: one refused
 * item does not fail the others (unless the caller asks for all or nothing).
 *
 * - Order of waits, as for one payment (decision 0020): every key is claimed first (sorted by
 *   scope and key, so two groups cannot wait on each other's keys), then every account of the
 *   group is locked in id order, then the items run in the order given. A group waiting for a key
 *   holds no account, so it cannot deadlock with a single payment or another group.
 * - An item's checks are those of `ledger.create_payment` (`lock_accounts`, `require_active`,
 *   `require_funds`, in that order), each item's inside a block that catches its refusal; the
 *   checks run against the balances the earlier items of the group left. The effects (payment,
 *   `move`, event) run only for an item that passed, so a refused item writes nothing.
 * - A refused item keeps no key: its claim, made before the locks, is withdrawn. Keys stay
 *   append-only once committed; the trigger now lets a transaction delete only a claim it made
 *   itself (the row's xmin is the transaction's own id), which nobody else has ever seen.
 * - A key used twice in one group: the first item (in the order given) claims it; the later one
 *   answers as a replay of it (its payment or its refusal), or IDEMPOTENCY_KEY_REUSED when its
 *   request differs. A key used before the group answers as for one payment (`earlier_answer`).
 * - `p_all_or_nothing`: when any item is refused, nothing is applied; the function raises
 *   BATCH_NOT_APPLIED with each refused item's number, code and facts.
 *
 * Items are a JSON array of objects whose fields are those of `ledger.payment_item`; `n` numbers
 * them 1..N in the order given. One row per item comes back, in that order: its error (code and
 * facts) or its payment.
 */
export class PaymentGroups1732310000000 implements MigrationInterface {
  name = "PaymentGroups1732310000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TYPE ledger.payment_item AS (
        n int, mode text, key text, hash text, debit uuid, credit uuid, amount bigint, currency text,
        description text, metadata jsonb, actor text, request_id text)`);

    await db.query(`
      CREATE FUNCTION ledger.refuse_key_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        -- A claim this transaction made and has not committed may be withdrawn (a refused item of a
        -- payment group); a committed key is never changed or removed.
        IF TG_OP = 'DELETE' AND (SELECT k.xmin FROM ledger.idempotency_key k
                                  WHERE k.scope = OLD.scope AND k.key = OLD.key) = xid(pg_current_xact_id()) THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
      END $$`);
    await db.query(`DROP TRIGGER idempotency_key_append_only ON ledger.idempotency_key`);
    await db.query(`
      CREATE TRIGGER idempotency_key_append_only BEFORE UPDATE OR DELETE ON ledger.idempotency_key
      FOR EACH ROW EXECUTE FUNCTION ledger.refuse_key_rewrite()`);

    await db.query(`
      CREATE FUNCTION ledger.create_payments(p_items jsonb, p_all_or_nothing boolean)
      RETURNS TABLE (o_n int, o_error text, o_detail jsonb, o_payment ledger.payment)
      LANGUAGE plpgsql AS $$
      DECLARE
        v_items ledger.payment_item[];
        v_item ledger.payment_item;
        v_count int;
        v_ids uuid[];
        v_scopes text[];
        v_claimed uuid[];
        v_errors text[];
        v_details jsonb[];
        v_payments ledger.payment[];
        v_payment ledger.payment;
        v_first int[];
        v_accounts record;
        v_used ledger.idempotency_key;
        v_refused jsonb := '[]';
        v_code text;
        v_facts text;
        j int;
      BEGIN
        SELECT array_agg(i ORDER BY i.n) INTO v_items FROM jsonb_populate_recordset(NULL::ledger.payment_item, p_items) i;
        v_count := coalesce(array_length(v_items, 1), 0);
        SELECT array_agg(gen_random_uuid()), array_agg(ledger.payment_scope(i.debit, i.credit) ORDER BY i.n)
          INTO v_ids, v_scopes FROM unnest(v_items) i;
        v_errors := array_fill(NULL::text, ARRAY[v_count]);
        v_details := array_fill(NULL::jsonb, ARRAY[v_count]);
        v_first := array_fill(NULL::int, ARRAY[v_count]);
        v_payments := array_fill(NULL::ledger.payment, ARRAY[v_count]);

        -- Keys first, sorted; the first item with a key claims it, a later one with the same key replays it.
        WITH claims AS (
          INSERT INTO ledger.idempotency_key (scope, key, request_hash, operation, payment_id)
          SELECT v_scopes[i.n], i.key, i.hash, 'create', v_ids[i.n] FROM unnest(v_items) i
           ORDER BY v_scopes[i.n], i.key, i.n
          ON CONFLICT (scope, key) DO NOTHING
          RETURNING payment_id)
        SELECT coalesce(array_agg(payment_id), '{}') INTO v_claimed FROM claims;
        FOR i IN 1..v_count LOOP
          FOR j IN 1..i - 1 LOOP
            IF v_scopes[j] = v_scopes[i] AND (v_items[j]).key = (v_items[i]).key THEN
              v_first[i] := j;
              EXIT;
            END IF;
          END LOOP;
        END LOOP;

        -- Then every account of the group, in id order (as lock_accounts does for two).
        PERFORM 1 FROM ledger.account
         WHERE id IN (SELECT i.debit FROM unnest(v_items) i UNION SELECT i.credit FROM unnest(v_items) i)
         ORDER BY id FOR NO KEY UPDATE;

        FOR i IN 1..v_count LOOP
          v_item := v_items[i];
          CONTINUE WHEN NOT v_ids[i] = ANY (v_claimed);
          BEGIN
            SELECT * INTO v_accounts FROM ledger.lock_accounts(v_item.debit, v_item.credit, v_item.currency);
            PERFORM ledger.require_active(v_accounts.o_debit, 'debitAccountId');
            PERFORM ledger.require_active(v_accounts.o_credit, 'creditAccountId');
            IF v_item.mode = 'IMMEDIATE' THEN
              PERFORM ledger.require_funds(v_accounts.o_debit, v_item.amount);
            END IF;
          EXCEPTION WHEN SQLSTATE 'LG001' THEN
            GET STACKED DIAGNOSTICS v_code = MESSAGE_TEXT, v_facts = PG_EXCEPTION_DETAIL;
            v_errors[i] := v_code;
            v_details[i] := v_facts::jsonb;
            DELETE FROM ledger.idempotency_key WHERE scope = v_scopes[i] AND key = v_item.key;
            CONTINUE;
          END;
          INSERT INTO ledger.payment (id, idempotency_scope, idempotency_key, request_hash, debit_account_id,
                                      credit_account_id, amount, currency, description, metadata, status, created_by)
          VALUES (v_ids[i], v_scopes[i], v_item.key, v_item.hash, v_item.debit, v_item.credit, v_item.amount,
                  v_item.currency, v_item.description, v_item.metadata,
                  CASE v_item.mode WHEN 'IMMEDIATE' THEN 'POSTED' ELSE 'DRAFT' END, v_item.actor)
          RETURNING * INTO v_payment;
          v_payments[i] := v_payment;
          IF v_item.mode = 'IMMEDIATE' THEN
            PERFORM ledger.move(v_ids[i], 'IMMEDIATE', v_item.debit, v_item.credit, v_item.amount, v_item.currency, false);
          END IF;
          INSERT INTO ledger.payment_event (payment_id, from_status, to_status, changed_by, request_id)
          VALUES (v_ids[i], NULL, v_payment.status, v_item.actor, v_item.request_id);
        END LOOP;

        -- Items that did not claim their key: a replay of an earlier item of the group, or of the key's first use.
        FOR i IN 1..v_count LOOP
          CONTINUE WHEN v_ids[i] = ANY (v_claimed);
          j := v_first[i];
          IF j IS NOT NULL THEN
            IF (v_items[j]).hash IS DISTINCT FROM (v_items[i]).hash THEN
              v_errors[i] := 'IDEMPOTENCY_KEY_REUSED';
              v_details[i] := '{}';
            ELSE
              v_errors[i] := v_errors[j];
              v_details[i] := v_details[j];
              v_payments[i] := v_payments[j];
            END IF;
          ELSE
            SELECT * INTO v_used FROM ledger.idempotency_key WHERE scope = v_scopes[i] AND key = (v_items[i]).key;
            IF v_used.request_hash IS DISTINCT FROM (v_items[i]).hash THEN
              v_errors[i] := 'IDEMPOTENCY_KEY_REUSED';
              v_details[i] := '{}';
            ELSE
              SELECT * INTO v_payment FROM ledger.payment WHERE id = v_used.payment_id;
              v_payments[i] := v_payment;
            END IF;
          END IF;
        END LOOP;

        FOR i IN 1..v_count LOOP
          IF v_errors[i] IS NOT NULL THEN
            v_refused := v_refused || jsonb_build_object('n', (v_items[i]).n, 'code', v_errors[i], 'facts', v_details[i]);
          END IF;
        END LOOP;
        IF p_all_or_nothing AND jsonb_array_length(v_refused) > 0 THEN
          PERFORM ledger.fail('BATCH_NOT_APPLIED', jsonb_build_object('items', v_refused));
        END IF;

        FOR i IN 1..v_count LOOP
          o_n := (v_items[i]).n;
          o_error := v_errors[i];
          o_detail := v_details[i];
          o_payment := v_payments[i];
          RETURN NEXT;
        END LOOP;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION ledger.create_payments(jsonb, boolean)`);
    await db.query(`DROP TRIGGER idempotency_key_append_only ON ledger.idempotency_key`);
    await db.query(`
      CREATE TRIGGER idempotency_key_append_only BEFORE UPDATE OR DELETE ON ledger.idempotency_key
      FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite()`);
    await db.query(`DROP FUNCTION ledger.refuse_key_rewrite()`);
    await db.query(`DROP TYPE ledger.payment_item`);
  }
}
