/**
 * The SQL of the daily and balance checks: each check is one set-based statement that returns
 * only what is wrong; a run is written once, finished, with its results and findings.
 */
import type { DataSource } from "typeorm";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { lazyCount, type KeysetRows } from "../../../common/db/data-source";
import { type CheckResult, CheckName, type CheckRunKind, type Finding } from "../domain/daily-check";

export interface CheckRunRow extends KeysetPosition {
  kind: CheckRunKind;
  businessDay: string | null;
  jobId: string | null;
  startedAt: Date;
  results: CheckResult[];
  checksPassed: number;
  checksFailed: number;
  findingCount: number;
}

export interface FindingRow extends KeysetPosition, Finding {
  runId: string;
}

export interface CheckRunFilter {
  kind?: CheckRunKind | null;
  from?: string | null;
  to?: string | null;
}

export interface FindingFilter {
  runId?: string | null;
  check?: CheckName | null;
}

export class CheckRepository {
  constructor(private readonly db: DataSource) {}

  /** CURRENCY_SUMS_TO_ZERO: per currency, the accounts' posted balances (and the day's closings). */
  async currencySums(day: string | null): Promise<Finding[]> {
    const rows = (await this.db.query(
      `SELECT 'postedBalances' AS source, currency, sum(posted)::text AS total FROM ledger.account
        GROUP BY currency HAVING sum(posted) <> 0
       UNION ALL
       SELECT 'closingBalances', currency, sum(closing)::text FROM ledger.daily_balance
        WHERE business_day = $1::date GROUP BY currency HAVING sum(closing) <> 0`,
      [day],
    )) as { source: string; currency: string; total: string }[];
    return rows.map((r) =>
      finding(CheckName.CURRENCY_SUMS_TO_ZERO, "CURRENCY", r.currency, day, {
        source: r.source,
        sum: r.total,
      }),
    );
  }

  /** ACCOUNT_BALANCES_MATCH_ENTRIES: stored posted balance against the sum of the entries. */
  async accountBalances(): Promise<Finding[]> {
    const rows = (await this.db.query(
      `SELECT a.id, a.currency, a.posted::text AS stored, COALESCE(x.total, 0)::text AS actual
         FROM ledger.account a
         LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger.entry GROUP BY account_id) x
           ON x.account_id = a.id
        WHERE a.posted <> COALESCE(x.total, 0)`,
    )) as { id: string; currency: string; stored: string; actual: string }[];
    return rows.map((r) =>
      finding(CheckName.ACCOUNT_BALANCES_MATCH_ENTRIES, "ACCOUNT", r.id, null, {
        currency: r.currency,
        storedPosted: r.stored,
        entriesSum: r.actual,
      }),
    );
  }

  /** HOLDS_MATCH_PENDING_PAYMENTS: held balance against the PENDING payments debiting the account. */
  async holds(): Promise<Finding[]> {
    const rows = (await this.db.query(
      `SELECT a.id, a.currency, a.pending::text AS stored, COALESCE(p.total, 0)::text AS actual
         FROM ledger.account a
         LEFT JOIN (SELECT debit_account_id, sum(amount) AS total FROM ledger.payment
                     WHERE status = 'PENDING' GROUP BY debit_account_id) p ON p.debit_account_id = a.id
        WHERE a.pending <> COALESCE(p.total, 0)`,
    )) as { id: string; currency: string; stored: string; actual: string }[];
    return rows.map((r) =>
      finding(CheckName.HOLDS_MATCH_PENDING_PAYMENTS, "ACCOUNT", r.id, null, {
        currency: r.currency,
        storedPending: r.stored,
        pendingPayments: r.actual,
      }),
    );
  }

  /**
   * DAILY_BALANCES_MATCH_ENTRIES: the day recomputed as its close computes it (within the bounds
   * it was closed with) against the stored rows, a missing or extra row included.
   */
  async dailyBalances(day: string): Promise<Finding[]> {
    const rows = (await this.db.query(
      `WITH c AS (SELECT day_start, day_end FROM ledger.day_close WHERE business_day = $1::date),
       since AS (
         SELECT e.account_id, sum(e.amount) AS booked,
                COALESCE(sum(e.amount) FILTER (WHERE t.created_at < c.day_end), 0) AS net,
                COALESCE(sum(-e.amount) FILTER (WHERE t.created_at < c.day_end AND e.amount < 0), 0) AS debits,
                COALESCE(sum(e.amount) FILTER (WHERE t.created_at < c.day_end AND e.amount > 0), 0) AS credits,
                count(*) FILTER (WHERE t.created_at < c.day_end) AS n
           FROM c, ledger.ledger_transaction t JOIN ledger.entry e ON e.transaction_id = t.id
          WHERE t.created_at >= c.day_start GROUP BY e.account_id
       ), actual AS (
         SELECT a.id AS account_id, a.posted - COALESCE(s.booked, 0) AS opening,
                a.posted - COALESCE(s.booked, 0) + COALESCE(s.net, 0) AS closing,
                COALESCE(s.debits, 0) AS debits, COALESCE(s.credits, 0) AS credits, COALESCE(s.n, 0)::int AS n
           FROM c, ledger.account a LEFT JOIN since s ON s.account_id = a.id
          WHERE a.created_at < c.day_end OR COALESCE(s.n, 0) > 0
       ), stored AS (
         SELECT account_id, opening, closing, total_debits, total_credits, entry_count
           FROM ledger.daily_balance WHERE business_day = $1::date
       )
       SELECT COALESCE(x.account_id, s.account_id) AS "accountId",
              s.opening::text AS "storedOpening", s.closing::text AS "storedClosing",
              s.total_debits::text AS "storedDebits", s.total_credits::text AS "storedCredits",
              s.entry_count AS "storedCount", x.opening::text AS opening, x.closing::text AS closing,
              x.debits::text AS debits, x.credits::text AS credits, x.n AS "entryCount"
         FROM actual x FULL JOIN stored s ON s.account_id = x.account_id
        WHERE (s.opening, s.closing, s.total_debits, s.total_credits, s.entry_count)
              IS DISTINCT FROM (x.opening, x.closing, x.debits, x.credits, x.n)`,
      [day],
    )) as ({ accountId: string } & Record<string, unknown>)[];
    return rows.map(({ accountId, ...details }) =>
      finding(CheckName.DAILY_BALANCES_MATCH_ENTRIES, "ACCOUNT", accountId, day, details),
    );
  }

  /** DAY_CHAIN_UNBROKEN: each account opens `day` at the previous day's closing (when that day is closed). */
  async dayChain(day: string): Promise<Finding[]> {
    const rows = (await this.db.query(
      `SELECT COALESCE(cur.account_id, prev.account_id) AS "accountId",
              prev.closing::text AS "previousClosing", cur.opening::text AS opening
         FROM (SELECT * FROM ledger.daily_balance WHERE business_day = $1::date - 1) prev
         FULL JOIN (SELECT * FROM ledger.daily_balance WHERE business_day = $1::date) cur
           ON cur.account_id = prev.account_id
        WHERE EXISTS (SELECT 1 FROM ledger.day_close WHERE business_day = $1::date - 1)
          AND (prev.closing IS DISTINCT FROM cur.opening)
          AND NOT (prev.account_id IS NULL AND cur.opening = 0)`,
      [day],
    )) as { accountId: string; previousClosing: string | null; opening: string | null }[];
    return rows.map(({ accountId, ...details }) =>
      finding(CheckName.DAY_CHAIN_UNBROKEN, "ACCOUNT", accountId, day, details),
    );
  }

  /** Writes a finished run with its results and findings, in one transaction; returns its id. */
  async saveRun(
    run: { kind: CheckRunKind; businessDay: string | null; jobId: string | null; startedAt: Date },
    results: CheckResult[],
    findings: Finding[],
  ): Promise<string> {
    return this.db.transaction(async (tx) => {
      const passed = results.filter((r) => r.passed).length;
      const [{ id }] = (await tx.query(
        `INSERT INTO ledger.check_run (kind, business_day, job_id, started_at, results, checks_passed,
                                       checks_failed, finding_count)
         VALUES ($1, $2::date, $3::uuid, $4, $5::jsonb, $6, $7, $8) RETURNING id`,
        [
          run.kind,
          run.businessDay,
          run.jobId,
          run.startedAt,
          JSON.stringify(results),
          passed,
          results.length - passed,
          findings.length,
        ],
      )) as { id: string }[];
      if (findings.length) {
        await tx.query(
          `INSERT INTO ledger.check_finding (run_id, check_name, subject_kind, subject_id, business_day, details)
           SELECT $1::uuid, f.check, f."subjectKind", f."subjectId", f."businessDay"::date, f.details
             FROM jsonb_to_recordset($2::jsonb)
                  AS f("check" text, "subjectKind" text, "subjectId" text, "businessDay" text, details jsonb)`,
          [id, JSON.stringify(findings)],
        );
      }
      return id;
    });
  }

  async runsByIds(ids: readonly string[]): Promise<CheckRunRow[]> {
    return (await this.db.query(`${SELECT_RUN} WHERE r.id = ANY ($1::uuid[])`, [ids])) as CheckRunRow[];
  }

  async listRuns(filter: CheckRunFilter, size: number, after?: KeysetPosition) {
    const values: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    if (filter.kind) where.push(`r.kind = ${param(filter.kind)}`);
    if (filter.from) where.push(`r.business_day >= ${param(filter.from)}::date`);
    if (filter.to) where.push(`r.business_day <= ${param(filter.to)}::date`);
    return this.page(SELECT_RUN, "ledger.check_run r", "r", where, values, param, size, after) as Promise<
      KeysetRows<CheckRunRow>
    >;
  }

  async listFindings(filter: FindingFilter, size: number, after?: KeysetPosition) {
    const values: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    if (filter.runId) where.push(`f.run_id = ${param(filter.runId)}::uuid`);
    if (filter.check) where.push(`f.check_name = ${param(filter.check)}`);
    return this.page(
      SELECT_FINDING,
      "ledger.check_finding f",
      "f",
      where,
      values,
      param,
      size,
      after,
    ) as Promise<KeysetRows<FindingRow>>;
  }

  /** A keyset page on (created_at, id) of a raw select, and the count of all rows matching. */
  private async page(
    select: string,
    from: string,
    alias: string,
    where: string[],
    values: unknown[],
    param: (value: unknown) => string,
    size: number,
    after?: KeysetPosition,
  ): Promise<KeysetRows<unknown>> {
    const clause = () => (where.length ? `WHERE ${where.join(" AND ")}` : "");
    const count = lazyCount(this.db, `SELECT count(*)::int AS total FROM ${from} ${clause()}`, [...values]);
    if (after) {
      where.push(
        `(${alias}.created_at, ${alias}.id) > (${param(after.createdAt)}, ${param(after.id)}::uuid)`,
      );
    }
    const rows = (await this.db.query(
      `${select} ${clause()} ORDER BY ${alias}.created_at, ${alias}.id LIMIT ${size + 1}`,
      values,
    )) as unknown[];
    return { rows, count };
  }
}

const SELECT_RUN = `
  SELECT r.id, r.kind, to_char(r.business_day, 'YYYY-MM-DD') AS "businessDay", r.job_id AS "jobId",
         r.started_at AS "startedAt", r.created_at AS "createdAt", r.results,
         r.checks_passed AS "checksPassed", r.checks_failed AS "checksFailed", r.finding_count AS "findingCount"
    FROM ledger.check_run r`;

const SELECT_FINDING = `
  SELECT f.id, f.run_id AS "runId", f.check_name AS "check", f.subject_kind AS "subjectKind",
         f.subject_id AS "subjectId", to_char(f.business_day, 'YYYY-MM-DD') AS "businessDay", f.details,
         f.created_at AS "createdAt"
    FROM ledger.check_finding f`;

function finding(
  check: CheckName,
  subjectKind: Finding["subjectKind"],
  subjectId: string,
  businessDay: string | null,
  details: Record<string, unknown>,
): Finding {
  return { check, subjectKind, subjectId, businessDay, details };
}
