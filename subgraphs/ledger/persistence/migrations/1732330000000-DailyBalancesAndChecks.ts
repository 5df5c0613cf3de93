import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * The back office's days (decision 0036): business days closed into daily balances, their
 * recalculation with an audit trail, the daily and balance checks' runs and findings, and the
 * history of the background jobs that run them (decision 0037; pg-boss keeps its own queue in
 * the `pgboss` schema).
 *
 * - `ledger.day_close`: one row per closed business day, with the instants that bound it in the
 *   bank's time zone at the time it was closed. Append-only.
 * - `ledger.daily_balance`: per account and closed day, opening and closing posted balance, the
 *   day's debits and credits (both positive) and entry count. Only a recalculation changes a row,
 *   and the trigger records each change (before and after) in `ledger.daily_balance_correction`;
 *   an update outside a recalculation, or a delete, is refused.
 * - `ledger.close_business_day` closes one day in one statement over all accounts: the day's
 *   movements from its entries, the opening as the account's posted balance less everything
 *   booked since the day began (so only entries since then are read, never the whole history).
 * - `ledger.recalculate_daily_balances` recomputes closed days of a range from the entries alone
 *   (the opening of the first day from every entry before it), reports every difference and
 *   corrects it.
 */
export class DailyBalancesAndChecks1732330000000 implements MigrationInterface {
  name = "DailyBalancesAndChecks1732330000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ledger.day_close (
        business_day date PRIMARY KEY,
        time_zone text NOT NULL,
        day_start timestamptz NOT NULL,
        day_end timestamptz NOT NULL,
        accounts integer NOT NULL,
        entries bigint NOT NULL,
        closed_by text NOT NULL,
        closed_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (day_start < day_end)
      )`);
    await db.query(`
      CREATE TABLE ledger.daily_balance (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        account_id uuid NOT NULL REFERENCES ledger.account (id),
        -- Deferred: a close writes the day's balances first and its day_close row, with their totals, last.
        business_day date NOT NULL REFERENCES ledger.day_close (business_day) DEFERRABLE INITIALLY DEFERRED,
        currency char(3) NOT NULL,
        opening bigint NOT NULL,
        closing bigint NOT NULL,
        total_debits bigint NOT NULL CHECK (total_debits >= 0),
        total_credits bigint NOT NULL CHECK (total_credits >= 0),
        entry_count integer NOT NULL CHECK (entry_count >= 0),
        CONSTRAINT daily_balance_account_day UNIQUE (account_id, business_day)
      )`);
    await db.query(`CREATE INDEX daily_balance_day_idx ON ledger.daily_balance (business_day, id)`);

    await db.query(`
      CREATE TABLE ledger.daily_balance_recalculation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        from_day date NOT NULL,
        to_day date NOT NULL,
        account_id uuid,
        requested_by text NOT NULL,
        rows_checked integer NOT NULL DEFAULT 0,
        rows_corrected integer NOT NULL DEFAULT 0,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE ledger.daily_balance_correction (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        recalculation_id uuid NOT NULL REFERENCES ledger.daily_balance_recalculation (id),
        daily_balance_id uuid NOT NULL REFERENCES ledger.daily_balance (id),
        old_opening bigint, old_closing bigint, old_total_debits bigint, old_total_credits bigint, old_entry_count integer,
        new_opening bigint NOT NULL, new_closing bigint NOT NULL, new_total_debits bigint NOT NULL,
        new_total_credits bigint NOT NULL, new_entry_count integer NOT NULL,
        corrected_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await db.query(
      `CREATE INDEX daily_balance_correction_idx ON ledger.daily_balance_correction (daily_balance_id, id)`,
    );
    for (const table of ["day_close", "daily_balance_correction"]) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ledger.${table}
        FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite()`);
    }

    // A stored balance changes only inside a recalculation, which the correction row names.
    await db.query(`
      CREATE FUNCTION ledger.record_daily_balance_correction() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        v_recalculation text := current_setting('ledger.recalculation_id', true);
      BEGIN
        IF TG_OP = 'DELETE' OR COALESCE(v_recalculation, '') = '' THEN
          RAISE EXCEPTION 'daily_balance changes only through a recalculation';
        END IF;
        INSERT INTO ledger.daily_balance_correction (
          recalculation_id, daily_balance_id, old_opening, old_closing, old_total_debits, old_total_credits,
          old_entry_count, new_opening, new_closing, new_total_debits, new_total_credits, new_entry_count)
        VALUES (v_recalculation::uuid, NEW.id, OLD.opening, OLD.closing, OLD.total_debits, OLD.total_credits,
                OLD.entry_count, NEW.opening, NEW.closing, NEW.total_debits, NEW.total_credits, NEW.entry_count);
        RETURN NEW;
      END $$`);
    await db.query(`
      CREATE TRIGGER daily_balance_corrections BEFORE UPDATE OR DELETE ON ledger.daily_balance
      FOR EACH ROW EXECUTE FUNCTION ledger.record_daily_balance_correction()`);

    await this.createCloseFunction(db);
    await this.createRecalculateFunction(db);
    await this.createCheckTables(db);
  }

  private async createCloseFunction(db: QueryRunner): Promise<void> {
    /*
     * Closes p_day in the time zone p_tz; returns nothing when the day is already closed. One
     * advisory lock serialises closes, so two instances closing the same day close it once (the
     * primary key would refuse the second anyway). Every account that existed by the day's end
     * gets a row, an idle one too (opening = closing, zero totals).
     */
    await db.query(`
      CREATE FUNCTION ledger.close_business_day(p_day date, p_tz text, p_actor text)
      RETURNS TABLE (accounts integer, entries bigint) LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        v_start timestamptz := p_day::timestamp AT TIME ZONE p_tz;
        v_end timestamptz := (p_day + 1)::timestamp AT TIME ZONE p_tz;
        v_accounts integer;
        v_entries bigint;
      BEGIN
        PERFORM pg_advisory_xact_lock(hashtext('ledger.close_business_day'));
        IF EXISTS (SELECT 1 FROM ledger.day_close c WHERE c.business_day = p_day) THEN
          RETURN;
        END IF;

        WITH since AS (
          SELECT e.account_id,
                 sum(e.amount) AS booked_since_start,
                 sum(e.amount) FILTER (WHERE t.created_at < v_end) AS net,
                 COALESCE(sum(-e.amount) FILTER (WHERE t.created_at < v_end AND e.amount < 0), 0) AS debits,
                 COALESCE(sum(e.amount) FILTER (WHERE t.created_at < v_end AND e.amount > 0), 0) AS credits,
                 count(*) FILTER (WHERE t.created_at < v_end) AS n
            FROM ledger.ledger_transaction t JOIN ledger.entry e ON e.transaction_id = t.id
           WHERE t.created_at >= v_start
           GROUP BY e.account_id
        ), inserted AS (
          INSERT INTO ledger.daily_balance (account_id, business_day, currency, opening, closing,
                                            total_debits, total_credits, entry_count)
          SELECT a.id, p_day, a.currency,
                 a.posted - COALESCE(s.booked_since_start, 0),
                 a.posted - COALESCE(s.booked_since_start, 0) + COALESCE(s.net, 0),
                 COALESCE(s.debits, 0), COALESCE(s.credits, 0), COALESCE(s.n, 0)
            FROM ledger.account a LEFT JOIN since s ON s.account_id = a.id
           WHERE a.created_at < v_end OR COALESCE(s.n, 0) > 0
          RETURNING entry_count
        )
        SELECT count(*), COALESCE(sum(i.entry_count), 0) INTO v_accounts, v_entries FROM inserted i;

        INSERT INTO ledger.day_close (business_day, time_zone, day_start, day_end, accounts, entries, closed_by)
        VALUES (p_day, p_tz, v_start, v_end, v_accounts, v_entries, p_actor);
        RETURN QUERY SELECT v_accounts, v_entries;
      END $$`);
  }

  private async createRecalculateFunction(db: QueryRunner): Promise<void> {
    /*
     * Recomputes the closed days of [p_from, p_to] (of one account, or all) from the entries
     * alone, each day within the bounds it was closed with; corrects every stored row that
     * differs (the trigger keeps the old values) and inserts any missing row; returns each
     * difference with the stored values (null when the row was missing) and the actual ones.
     */
    await db.query(`
      CREATE FUNCTION ledger.recalculate_daily_balances(p_from date, p_to date, p_account uuid, p_actor text)
      RETURNS TABLE (recalculation_id uuid, rows_checked integer, account_id uuid, business_day date,
                     currency text, stored_opening bigint, stored_closing bigint, stored_debits bigint,
                     stored_credits bigint, stored_count integer, opening bigint, closing bigint,
                     debits bigint, credits bigint, entry_count integer)
      LANGUAGE plpgsql AS $$
      #variable_conflict use_column
      DECLARE
        v_id uuid;
        v_first timestamptz;
        v_checked integer;
        v_corrected integer;
      BEGIN
        -- No close runs meanwhile: the rows compared are the rows corrected.
        PERFORM pg_advisory_xact_lock(hashtext('ledger.close_business_day'));
        INSERT INTO ledger.daily_balance_recalculation (from_day, to_day, account_id, requested_by)
        VALUES (p_from, p_to, p_account, p_actor) RETURNING id INTO v_id;
        PERFORM set_config('ledger.recalculation_id', v_id::text, true);
        SELECT min(c.day_start) INTO v_first FROM ledger.day_close c WHERE c.business_day BETWEEN p_from AND p_to;

        CREATE TEMP TABLE recalculated ON COMMIT DROP AS
        WITH days AS (
          SELECT c.business_day AS day, c.day_start, c.day_end FROM ledger.day_close c
           WHERE c.business_day BETWEEN p_from AND p_to
        ), before AS (
          SELECT e.account_id, sum(e.amount) AS amount
            FROM ledger.ledger_transaction t JOIN ledger.entry e ON e.transaction_id = t.id
           WHERE t.created_at < v_first AND (p_account IS NULL OR e.account_id = p_account)
           GROUP BY e.account_id
        ), moves AS (
          SELECT e.account_id, d.day, sum(e.amount) AS net,
                 COALESCE(sum(-e.amount) FILTER (WHERE e.amount < 0), 0) AS debits,
                 COALESCE(sum(e.amount) FILTER (WHERE e.amount > 0), 0) AS credits, count(*) AS n
            FROM days d JOIN ledger.ledger_transaction t ON t.created_at >= d.day_start AND t.created_at < d.day_end
            JOIN ledger.entry e ON e.transaction_id = t.id
           WHERE p_account IS NULL OR e.account_id = p_account
           GROUP BY e.account_id, d.day
        ), grid AS (
          SELECT b.account_id, b.business_day AS day FROM ledger.daily_balance b
           WHERE b.business_day BETWEEN p_from AND p_to AND (p_account IS NULL OR b.account_id = p_account)
          UNION
          SELECT m.account_id, m.day FROM moves m
        ), actual AS (
          SELECT g.account_id, g.day, COALESCE(m.debits, 0) AS debits, COALESCE(m.credits, 0) AS credits,
                 COALESCE(m.n, 0) AS n,
                 COALESCE(bf.amount, 0) + COALESCE(sum(m.net) OVER (PARTITION BY g.account_id ORDER BY g.day
                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS opening,
                 COALESCE(bf.amount, 0) + COALESCE(sum(m.net) OVER (PARTITION BY g.account_id ORDER BY g.day), 0) AS closing
            FROM grid g LEFT JOIN moves m ON m.account_id = g.account_id AND m.day = g.day
            LEFT JOIN before bf ON bf.account_id = g.account_id
        )
        SELECT a.account_id, a.day, acc.currency::text AS currency, s.id AS stored_id,
               s.opening AS s_opening, s.closing AS s_closing, s.total_debits AS s_debits,
               s.total_credits AS s_credits, s.entry_count AS s_count,
               a.opening::bigint AS opening, a.closing::bigint AS closing, a.debits::bigint AS debits,
               a.credits::bigint AS credits, a.n::integer AS n
          FROM actual a JOIN ledger.account acc ON acc.id = a.account_id
          LEFT JOIN ledger.daily_balance s ON s.account_id = a.account_id AND s.business_day = a.day;

        UPDATE ledger.daily_balance b
           SET opening = r.opening, closing = r.closing, total_debits = r.debits, total_credits = r.credits,
               entry_count = r.n
          FROM recalculated r
         WHERE b.id = r.stored_id
           AND (r.s_opening, r.s_closing, r.s_debits, r.s_credits, r.s_count)
               IS DISTINCT FROM (r.opening, r.closing, r.debits, r.credits, r.n);
        GET DIAGNOSTICS v_corrected = ROW_COUNT;
        INSERT INTO ledger.daily_balance (account_id, business_day, currency, opening, closing, total_debits,
                                          total_credits, entry_count)
        SELECT r.account_id, r.day, r.currency, r.opening, r.closing, r.debits, r.credits, r.n
          FROM recalculated r WHERE r.stored_id IS NULL;
        GET DIAGNOSTICS v_checked = ROW_COUNT;
        v_corrected := v_corrected + v_checked;
        SELECT count(*) INTO v_checked FROM recalculated;
        UPDATE ledger.daily_balance_recalculation SET rows_checked = v_checked, rows_corrected = v_corrected
         WHERE id = v_id;

        RETURN QUERY
        SELECT v_id, v_checked, r.account_id, r.day, r.currency, r.s_opening, r.s_closing, r.s_debits,
               r.s_credits, r.s_count, r.opening, r.closing, r.debits, r.credits, r.n
          FROM recalculated r
         WHERE (r.s_opening, r.s_closing, r.s_debits, r.s_credits, r.s_count)
               IS DISTINCT FROM (r.opening, r.closing, r.debits, r.credits, r.n)
         ORDER BY r.day, r.account_id;
        IF NOT FOUND THEN
          RETURN QUERY SELECT v_id, v_checked, NULL::uuid, NULL::date, NULL::text, NULL::bigint, NULL::bigint,
                              NULL::bigint, NULL::bigint, NULL::integer, NULL::bigint, NULL::bigint,
                              NULL::bigint, NULL::bigint, NULL::integer;
        END IF;
      END $$`);
  }

  private async createCheckTables(db: QueryRunner): Promise<void> {
    // A check run is written once, when it has finished, with its results and findings.
    await db.query(`
      CREATE TABLE ledger.check_run (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('DAILY_CHECK', 'BALANCE_CHECK')),
        business_day date,
        job_id uuid,
        started_at timestamptz(3) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        results jsonb NOT NULL,
        checks_passed integer NOT NULL,
        checks_failed integer NOT NULL,
        finding_count integer NOT NULL
      )`);
    await db.query(`CREATE INDEX check_run_created_idx ON ledger.check_run (created_at, id)`);
    await db.query(`CREATE INDEX check_run_day_idx ON ledger.check_run (business_day)`);
    await db.query(`
      CREATE TABLE ledger.check_finding (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        run_id uuid NOT NULL REFERENCES ledger.check_run (id),
        check_name text NOT NULL,
        subject_kind text NOT NULL,
        subject_id text NOT NULL,
        business_day date,
        details jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX check_finding_run_idx ON ledger.check_finding (run_id, created_at, id)`);
    for (const table of ["check_run", "check_finding"]) {
      await db.query(`
        CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ledger.${table}
        FOR EACH ROW EXECUTE FUNCTION ledger.refuse_rewrite()`);
    }

    // One row per background job (its id is pg-boss's), kept after pg-boss forgets the job.
    await db.query(`
      CREATE TABLE ledger.background_job (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        requested_by text NOT NULL,
        state text NOT NULL CHECK (state IN ('QUEUED', 'RUNNING', 'RETRYING', 'SUCCEEDED', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3),
        finished_at timestamptz(3),
        result jsonb,
        last_error text
      )`);
    await db.query(`CREATE INDEX background_job_created_idx ON ledger.background_job (created_at, id)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE ledger.background_job, ledger.check_finding, ledger.check_run`);
    await db.query(`DROP FUNCTION ledger.recalculate_daily_balances(date, date, uuid, text)`);
    await db.query(`DROP FUNCTION ledger.close_business_day(date, text, text)`);
    await db.query(`DROP TABLE ledger.daily_balance_correction, ledger.daily_balance_recalculation`);
    await db.query(`DROP TABLE ledger.daily_balance, ledger.day_close`);
    await db.query(`DROP FUNCTION ledger.record_daily_balance_correction()`);
  }
}
