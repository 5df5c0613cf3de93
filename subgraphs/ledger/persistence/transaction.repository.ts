/** The SQL of ledger transactions and their entries (written only by the posting functions). */
import { type DataSource, In } from "typeorm";
import { findByIds, findByUuids, keysetPage } from "../../../common/db/data-source";
import type { RowProperties } from "../../../common/db/row-reader";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { EntryRow, TransactionRow } from "./entities";

export interface TransactionFilter {
  accountId?: string | null;
  paymentId?: string | null;
  kind?: "IMMEDIATE" | "POST" | null;
  from?: Date | null;
  to?: Date | null;
}

export class TransactionRepository {
  constructor(private readonly db: DataSource) {}

  transactionsByIds(ids: readonly string[]): Promise<TransactionRow[]> {
    return findByIds(this.db, TransactionRow, ids);
  }

  transactionsByPaymentIds(paymentIds: readonly string[]): Promise<TransactionRow[]> {
    return findByUuids(this.db, TransactionRow, "paymentId", paymentIds, { createdAt: "ASC", id: "ASC" });
  }

  async entriesByTransactionIds(ids: readonly string[]): Promise<EntryRow[]> {
    if (!ids.length) return [];
    return this.db
      .getRepository(EntryRow)
      .find({ where: { transactionId: In([...ids]) }, order: { id: "ASC" } });
  }

  /** An account's movements over [from, to): balance before, debits, credits, count. One statement. */
  async transactionReport(accountId: string, from: Date, to: Date) {
    const [row] = (await this.db.query(
      `SELECT COALESCE(sum(e.amount) FILTER (WHERE t.created_at < $2), 0)::text AS opening,
              COALESCE(sum(-e.amount) FILTER (WHERE e.amount < 0 AND t.created_at >= $2), 0)::text AS debits,
              COALESCE(sum(e.amount) FILTER (WHERE e.amount > 0 AND t.created_at >= $2), 0)::text AS credits,
              count(*) FILTER (WHERE t.created_at >= $2)::int AS count
         FROM ledger.entry e JOIN ledger.ledger_transaction t ON t.id = e.transaction_id
        WHERE e.account_id = $1 AND t.created_at < $3`,
      [accountId, from, to],
    )) as [{ opening: string; debits: string; credits: string; count: number }];
    return row;
  }

  async listTransactions(
    filter: TransactionFilter,
    size: number,
    after?: KeysetPosition,
    properties?: RowProperties,
  ) {
    const query = this.db.getRepository(TransactionRow).createQueryBuilder("t");
    if (filter.accountId) {
      query.andWhere(
        "EXISTS (SELECT 1 FROM ledger.entry e WHERE e.transaction_id = t.id AND e.account_id = :accountId)",
        {
          accountId: filter.accountId,
        },
      );
    }
    if (filter.paymentId) query.andWhere("t.payment_id = :paymentId", { paymentId: filter.paymentId });
    if (filter.kind) query.andWhere("t.kind = :kind", { kind: filter.kind });
    if (filter.from) query.andWhere("t.created_at >= :from", { from: filter.from });
    if (filter.to) query.andWhere("t.created_at < :to", { to: filter.to });
    return keysetPage(query, size, after, properties);
  }
}
