/**
 * The SQL of the bank's own view of its books: positions per currency (from the stored
 * balances, which the daily checks hold equal to the entries) and the settlement accounts'
 * movements that the transfer orchestrator reconciles against (decision 0038).
 */
import type { DataSource } from "typeorm";
import { type KeysetRows, lazyCount } from "../../../common/db/data-source";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { isUuid } from "../../../common/ids";

/** Sums of one currency's accounts, in minor units (bigint as text). */
export interface CurrencyPositionRow {
  currency: string;
  settlement: string;
  suspense: string;
  fxPosition: string;
  clientPosted: string;
  clientHeld: string;
  clientAccounts: number;
  /** Every account of the currency: zero in a balanced ledger. */
  total: string;
}

/** One entry on a settlement account, with the transfer its payment names (metadata `transferId`). */
export interface SettlementMovementRow {
  entryId: string;
  transactionId: string;
  paymentId: string | null;
  transferId: string | null;
  currency: string;
  /** From the settlement account's side (minor units): + money leaving the bank, - money entering. */
  amount: string;
  description: string | null;
  bookedAt: Date;
  /** The keyset position (common/graphql/pagination.ts): `bookedAt` and `entryId`. */
  createdAt: Date;
  id: string;
}

export class TreasuryRepository {
  constructor(private readonly db: DataSource) {}

  /** One row per currency that has accounts, in code order. */
  async positions(): Promise<CurrencyPositionRow[]> {
    return (await this.db.query(
      `SELECT currency,
              COALESCE(sum(posted) FILTER (WHERE kind = 'SETTLEMENT'), 0)::text AS settlement,
              COALESCE(sum(posted) FILTER (WHERE kind = 'SUSPENSE'), 0)::text AS suspense,
              COALESCE(sum(posted) FILTER (WHERE kind = 'FX_POSITION'), 0)::text AS "fxPosition",
              COALESCE(sum(posted) FILTER (WHERE kind = 'CLIENT'), 0)::text AS "clientPosted",
              COALESCE(sum(pending) FILTER (WHERE kind = 'CLIENT'), 0)::text AS "clientHeld",
              (count(*) FILTER (WHERE kind = 'CLIENT' AND status <> 'CLOSED'))::int AS "clientAccounts",
              sum(posted)::text AS total
         FROM ledger.account GROUP BY currency ORDER BY currency`,
    )) as CurrencyPositionRow[];
  }

  /**
   * One page of the currency's settlement movements booked in [from, to), in booking order:
   * keyset on (booking time, entry id) after `after`, `size + 1` rows (the transactions' index on
   * `(created_at, id)` serves the range), and the period's count on demand.
   */
  async settlementMovements(
    currency: string,
    period: { from: Date; to: Date },
    size: number,
    after?: KeysetPosition,
  ): Promise<KeysetRows<SettlementMovementRow>> {
    const values = [currency, period.from, period.to];
    // `t.created_at >= $4` lets the index range start at the cursor, not at `from`.
    const keyset = after ? `AND t.created_at >= $4 AND (t.created_at, e.id) > ($4, $5::bigint)` : "";
    const rows = (await this.db.query(
      `SELECT ${MOVEMENT_COLUMNS}
         FROM ledger.ledger_transaction t
         JOIN ledger.entry e ON e.transaction_id = t.id
         JOIN ledger.account a ON a.id = e.account_id AND a.kind = 'SETTLEMENT' AND a.currency = $1
         LEFT JOIN ledger.payment p ON p.id = t.payment_id
        WHERE t.created_at >= $2 AND t.created_at < $3
          ${keyset}
        ORDER BY t.created_at, e.id
        LIMIT ${after ? "$6" : "$4"}`,
      after ? [...values, after.createdAt, after.id, size + 1] : [...values, size + 1],
    )) as SettlementMovementRow[];
    const count = lazyCount(
      this.db,
      `SELECT count(*)::int AS total
         FROM ledger.ledger_transaction t
         JOIN ledger.entry e ON e.transaction_id = t.id
         JOIN ledger.account a ON a.id = e.account_id AND a.kind = 'SETTLEMENT' AND a.currency = $1
        WHERE t.created_at >= $2 AND t.created_at < $3`,
      values,
    );
    return { rows: rows.map(withPosition), count };
  }

  /**
   * The currency's settlement movements of the given transfers (their payments' metadata
   * `transferId`), whenever booked: a transfer finished on one side of a period's end and booked on
   * the other. The caller bounds how many transfers one call names.
   */
  async settlementMovementsOfTransfers(
    currency: string,
    transferIds: string[],
  ): Promise<SettlementMovementRow[]> {
    const rows = (await this.db.query(
      `SELECT ${MOVEMENT_COLUMNS}
         FROM ledger.payment p
         JOIN ledger.ledger_transaction t ON t.payment_id = p.id
         JOIN ledger.entry e ON e.transaction_id = t.id
         JOIN ledger.account a ON a.id = e.account_id AND a.kind = 'SETTLEMENT' AND a.currency = $1
        WHERE p.metadata ? 'transferId' AND p.metadata->>'transferId' = ANY ($2::text[])
        ORDER BY t.created_at, e.id`,
      [currency, transferIds.filter(isUuid)],
    )) as SettlementMovementRow[];
    return rows.map(withPosition);
  }
}

const MOVEMENT_COLUMNS = `e.id::text AS "entryId", t.id AS "transactionId", p.id AS "paymentId",
  p.metadata->>'transferId' AS "transferId", e.currency, e.amount::text AS amount,
  p.description, t.created_at AS "bookedAt"`;

/** A movement's keyset position: its booking time and entry id. */
function withPosition(row: Omit<SettlementMovementRow, "createdAt" | "id">): SettlementMovementRow {
  return { ...row, createdAt: row.bookedAt, id: row.entryId };
}
