/**
 * The SQL of business days: closing one (`ledger.close_business_day`, one statement over every
 * account), the stored daily balances, and their recalculation with its audit trail
 * (`ledger.recalculate_daily_balances`). Amounts are bigint minor units, read as strings.
 */
import type { DataSource } from "typeorm";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { lazyCount } from "../../../common/db/data-source";

export interface DailyBalanceRow extends KeysetPosition {
  /** The business day as midnight UTC of its date (also the page position with `id`). */
  createdAt: Date;
  id: string;
  accountId: string;
  businessDay: string;
  currency: string;
  opening: string;
  closing: string;
  totalDebits: string;
  totalCredits: string;
  entryCount: number;
}

export interface DailyBalanceFilter {
  accountId?: string | null;
  from?: string | null;
  to?: string | null;
}

export interface DailyFigures {
  opening: string;
  closing: string;
  totalDebits: string;
  totalCredits: string;
  entryCount: number;
}

export interface DailyBalanceDifference {
  accountId: string;
  businessDay: string;
  currency: string;
  /** Null when the closed day had no row for the account. */
  stored: DailyFigures | null;
  actual: DailyFigures;
}

export interface Recalculation {
  id: string;
  rowsChecked: number;
  differences: DailyBalanceDifference[];
}

const SELECT_BALANCE = `
  SELECT b.id, b.account_id AS "accountId", to_char(b.business_day, 'YYYY-MM-DD') AS "businessDay",
         b.currency, b.opening::text AS opening, b.closing::text AS closing,
         b.total_debits::text AS "totalDebits", b.total_credits::text AS "totalCredits",
         b.entry_count AS "entryCount"
    FROM ledger.daily_balance b`;

export class DailyBalanceRepository {
  constructor(private readonly db: DataSource) {}

  /** Closes `day` in `zone`; null when it was already closed. */
  async closeDay(
    day: string,
    zone: string,
    actor: string,
  ): Promise<{ accounts: number; entries: number } | null> {
    const rows = (await this.db.query(`SELECT * FROM ledger.close_business_day($1::date, $2, $3)`, [
      day,
      zone,
      actor,
    ])) as { accounts: number; entries: string }[];
    return rows.length ? { accounts: rows[0].accounts, entries: Number(rows[0].entries) } : null;
  }

  /** The last closed day, and the business day of the ledger's first account (where closing starts). */
  async closeProgress(zone: string): Promise<{ lastClosed: string | null; firstActivity: string | null }> {
    const [row] = (await this.db.query(
      `SELECT (SELECT to_char(max(business_day), 'YYYY-MM-DD') FROM ledger.day_close) AS "lastClosed",
              (SELECT to_char((min(created_at) AT TIME ZONE $1)::date, 'YYYY-MM-DD') FROM ledger.account) AS "firstActivity"`,
      [zone],
    )) as { lastClosed: string | null; firstActivity: string | null }[];
    return row;
  }

  async listDailyBalances(filter: DailyBalanceFilter, size: number, after?: KeysetPosition) {
    const values: unknown[] = [];
    const where: string[] = [];
    const param = (value: unknown) => `$${values.push(value)}`;
    if (filter.accountId) where.push(`b.account_id = ${param(filter.accountId)}::uuid`);
    if (filter.from) where.push(`b.business_day >= ${param(filter.from)}::date`);
    if (filter.to) where.push(`b.business_day <= ${param(filter.to)}::date`);
    const count = lazyCount(
      this.db,
      `SELECT count(*)::int AS total FROM ledger.daily_balance b ${whereClause(where)}`,
      [...values],
    );
    if (after) {
      const day = after.createdAt.toISOString().slice(0, 10);
      where.push(`(b.business_day, b.id) > (${param(day)}::date, ${param(after.id)}::uuid)`);
    }
    const rows = (await this.db.query(
      `${SELECT_BALANCE} ${whereClause(where)} ORDER BY b.business_day, b.id LIMIT ${size + 1}`,
      values,
    )) as Omit<DailyBalanceRow, "createdAt">[];
    return { rows: rows.map(withPosition), count };
  }

  /** Recomputes the closed days of [from, to] from the entries; corrects and reports each difference. */
  async recalculate(
    from: string,
    to: string,
    accountId: string | null,
    actor: string,
  ): Promise<Recalculation> {
    const rows = (await this.db.query(
      `SELECT recalculation_id AS "id", rows_checked AS "rowsChecked", account_id AS "accountId",
              to_char(business_day, 'YYYY-MM-DD') AS "businessDay", currency,
              stored_opening::text AS "storedOpening", stored_closing::text AS "storedClosing",
              stored_debits::text AS "storedDebits", stored_credits::text AS "storedCredits",
              stored_count AS "storedCount", opening::text, closing::text, debits::text, credits::text,
              entry_count AS "entryCount"
         FROM ledger.recalculate_daily_balances($1::date, $2::date, $3::uuid, $4)`,
      [from, to, accountId, actor],
    )) as Record<string, string | number | null>[];
    return {
      id: rows[0].id as string,
      rowsChecked: rows[0].rowsChecked as number,
      differences: rows
        .filter((r) => r.accountId)
        .map((r) => ({
          accountId: r.accountId as string,
          businessDay: r.businessDay as string,
          currency: r.currency as string,
          stored:
            r.storedOpening === null
              ? null
              : {
                  opening: r.storedOpening as string,
                  closing: r.storedClosing as string,
                  totalDebits: r.storedDebits as string,
                  totalCredits: r.storedCredits as string,
                  entryCount: r.storedCount as number,
                },
          actual: {
            opening: r.opening as string,
            closing: r.closing as string,
            totalDebits: r.debits as string,
            totalCredits: r.credits as string,
            entryCount: r.entryCount as number,
          },
        })),
    };
  }
}

function withPosition(row: Omit<DailyBalanceRow, "createdAt">): DailyBalanceRow {
  return { ...row, createdAt: new Date(`${row.businessDay}T00:00:00Z`) };
}

function whereClause(conditions: string[]): string {
  return conditions.length ? `WHERE ${conditions.join(" AND ")}` : "";
}
