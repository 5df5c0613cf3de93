/**
 * The SQL of the bank's own view of its books: positions per currency (from the stored
 * balances, which the daily checks hold equal to the entries) and the settlement accounts'
 * movements that the transfer orchestrator reconciles against (decision 0038).
 */
import type { DataSource } from "typeorm";
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
   * The currency's settlement movements booked in [from, to), and those of the given transfers
   * whenever they were booked (a transfer finished on one side of midnight and booked on the other).
   */
  async settlementMovements(
    currency: string,
    period: { from: Date; to: Date },
    transferIds: string[],
  ): Promise<SettlementMovementRow[]> {
    return (await this.db.query(
      `WITH picked AS (
         SELECT id FROM ledger.ledger_transaction WHERE created_at >= $2 AND created_at < $3
         UNION
         SELECT t.id FROM ledger.payment p JOIN ledger.ledger_transaction t ON t.payment_id = p.id
          WHERE p.metadata ? 'transferId' AND p.metadata->>'transferId' = ANY ($4::text[]))
       SELECT e.id::text AS "entryId", t.id AS "transactionId", p.id AS "paymentId",
              p.metadata->>'transferId' AS "transferId", e.currency, e.amount::text AS amount,
              p.description, t.created_at AS "bookedAt"
         FROM picked
         JOIN ledger.ledger_transaction t ON t.id = picked.id
         JOIN ledger.entry e ON e.transaction_id = t.id
         JOIN ledger.account a ON a.id = e.account_id AND a.kind = 'SETTLEMENT' AND a.currency = $1
         LEFT JOIN ledger.payment p ON p.id = t.payment_id
        ORDER BY t.created_at, e.id`,
      [currency, period.from, period.to, transferIds.filter(isUuid)],
    )) as SettlementMovementRow[];
  }
}
