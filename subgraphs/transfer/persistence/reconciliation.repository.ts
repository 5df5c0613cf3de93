/**
 * The SQL of the back office's reading of transfers: the settlement movements the orchestrator
 * expects (from the status changes that book them, `SETTLING_MOVES`) and the outgoing transfers
 * queued for the rail (decision 0038).
 */
import type { DataSource } from "typeorm";
import { isUuid } from "../../../common/ids";
import { SETTLING_MOVES } from "../domain/reconciliation";

/** A transfer and, when it has made it, the status change that booked it on settlement. */
export interface SettlingRow {
  transferId: string;
  kind: string;
  status: string;
  currency: string;
  /** A decimal in the currency's exponent. */
  amount: string;
  /** Null when the transfer has not booked (or never books) a settlement movement. */
  settledAt: Date | null;
}

const SETTLING_KINDS = Object.entries(SETTLING_MOVES);

/** `e` is a status change of transfer `t` that booked it on settlement; parameters from `$first`. */
function settlingChange(first: number): { sql: string; values: string[][] } {
  const sql = SETTLING_KINDS.map(
    ([kind], i) =>
      `(t.kind = '${kind}' AND e.from_status = ANY ($${first + 2 * i}::text[]) AND e.to_status = ANY ($${first + 2 * i + 1}::text[]))`,
  ).join(" OR ");
  return { sql: `(${sql})`, values: SETTLING_KINDS.flatMap(([, move]) => [move.from, move.to]) };
}

const COLUMNS = `t.id AS "transferId", t.kind, t.status, t.currency, t.amount::text AS amount,
  e.changed_at AS "settledAt"`;

export class ReconciliationRepository {
  constructor(private readonly db: DataSource) {}

  /** Transfers of `currency` whose settling change was recorded in [from, to). */
  async settledInPeriod(currency: string, from: Date, to: Date): Promise<SettlingRow[]> {
    const change = settlingChange(4);
    return (await this.db.query(
      `SELECT ${COLUMNS}
         FROM transfer.transfer_event e JOIN transfer.transfer t ON t.id = e.transfer_id
        WHERE e.to_status IN ('COMPLETED', 'UNRECOGNIZED') AND e.changed_at >= $2 AND e.changed_at < $3
          AND t.currency = $1 AND ${change.sql}
        ORDER BY e.changed_at, t.id`,
      [currency, from, to, ...change.values],
    )) as SettlingRow[];
  }

  /** The given transfers, each with its settling change if it has one (whenever recorded). */
  async settlingOf(transferIds: string[]): Promise<SettlingRow[]> {
    const ids = transferIds.filter(isUuid);
    if (!ids.length) return [];
    const change = settlingChange(2);
    return (await this.db.query(
      `SELECT ${COLUMNS}
         FROM transfer.transfer t
         LEFT JOIN transfer.transfer_event e ON e.transfer_id = t.id AND ${change.sql}
        WHERE t.id = ANY ($1::uuid[])`,
      [ids, ...change.values],
    )) as SettlingRow[];
  }

  /** Outgoing transfers confirmed but not yet accepted by the rail, per currency. */
  async queuedOutgoing(currencies: readonly string[]) {
    return (await this.db.query(
      `SELECT currency, count(*)::int AS count, sum(amount)::text AS amount FROM transfer.transfer
        WHERE kind = 'OUTGOING' AND status IN ('CONFIRMED', 'PROCESSING', 'SENDING') AND currency = ANY ($1)
        GROUP BY currency`,
      [[...currencies]],
    )) as { currency: string; count: number; amount: string }[];
  }
}
