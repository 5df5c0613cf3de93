import { type DataSource, In } from "typeorm";
import { keysetPage } from "../../../common/db/data-source";
import type { KeysetPosition } from "../../../common/graphql/pagination";
import { RecipientRow, TransferEventRow, TransferRow } from "./entities";
import { isUuid } from "../../../common/ids";

export interface RecipientFilter {
  clientId?: string | null;
  currency?: string | null;
  includeHidden?: boolean | null;
}

export interface TransferFilter {
  kind?: string | null;
  status?: string | null;
  clientId?: string | null;
  accountId?: string | null;
  from?: Date | null;
  to?: Date | null;
  minAmount?: string | null;
  maxAmount?: string | null;
}

export interface StepFacts {
  reason: string | null;
  changedBy: string;
  requestId: string | null;
}

export type NewTransfer = Omit<
  TransferRow,
  "id" | "status" | "paymentId" | "failureCode" | "createdAt" | "updatedAt"
>;

export class TransferRepository {
  constructor(private readonly db: DataSource) {}

  /** Inserts a recipient; null when the client already has this IBAN in this currency (the unique key decides). */
  async insertRecipient(recipient: Omit<RecipientRow, "id" | "visible" | "createdAt" | "updatedAt">) {
    const inserted = await this.db
      .createQueryBuilder()
      .insert()
      .into(RecipientRow)
      .values(recipient)
      .orIgnore()
      .returning("id")
      .execute();
    const id = (inserted.raw as { id: string }[])[0]?.id;
    return id ? this.db.getRepository(RecipientRow).findOneByOrFail({ id }) : null;
  }

  async findRecipient(clientId: string, iban: string, currency: string) {
    return this.db.getRepository(RecipientRow).findOneBy({ clientId, iban, currency });
  }

  async recipientsByIds(ids: readonly string[]): Promise<RecipientRow[]> {
    const valid = ids.filter(isUuid);
    return valid.length ? this.db.getRepository(RecipientRow).findBy({ id: In(valid) }) : [];
  }

  async listRecipients(filter: RecipientFilter, size: number, after?: KeysetPosition) {
    const query = this.db.getRepository(RecipientRow).createQueryBuilder("r");
    if (filter.clientId) query.andWhere("r.client_id = :clientId", { clientId: filter.clientId });
    if (filter.currency) query.andWhere("r.currency = :currency", { currency: filter.currency });
    if (!filter.includeHidden) query.andWhere("r.visible");
    return keysetPage(query, size, after);
  }

  async setVisibility(id: string, visible: boolean): Promise<RecipientRow | null> {
    const result = await this.db
      .createQueryBuilder()
      .update(RecipientRow)
      .set({ visible, updatedAt: () => "now()" })
      .where("id = :id", { id })
      .execute();
    return result.affected ? this.db.getRepository(RecipientRow).findOneByOrFail({ id }) : null;
  }

  // Transfers

  /** Records a new transfer and its first history entry; null when the idempotency key is taken. */
  async insertTransfer(transfer: NewTransfer, status: string, facts: StepFacts): Promise<TransferRow | null> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(TransferRow)
        .values({ ...transfer, status })
        .orIgnore()
        .returning("id")
        .execute();
      const id = (inserted.raw as { id: string }[])[0]?.id;
      if (!id) return null;
      await tx.insert(TransferEventRow, { transferId: id, sequence: 1, from: null, to: status, ...facts });
      return tx.findOneByOrFail(TransferRow, { id });
    });
  }

  async transferByKey(scope: string, key: string): Promise<TransferRow | null> {
    return this.db.getRepository(TransferRow).findOneBy({ idempotencyScope: scope, idempotencyKey: key });
  }

  /**
   * Moves a transfer from `from` to `to` with a guarded UPDATE and records the step with the
   * next sequence number, in one transaction; null when the transfer was no longer in `from`.
   */
  async moveTransfer(
    id: string,
    from: string,
    to: string,
    changes: { paymentId?: string; failureCode?: string },
    facts: StepFacts,
  ): Promise<TransferRow | null> {
    return this.db.transaction(async (tx) => {
      const updated = await tx
        .createQueryBuilder()
        .update(TransferRow)
        .set({ status: to, ...changes, updatedAt: () => "now()" })
        .where("id = :id AND status = :from", { id, from })
        .execute();
      if (!updated.affected) return null;
      // The row is locked by the UPDATE, so the next sequence number cannot be taken twice.
      await tx.query(
        `INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, reason, changed_by, request_id)
         SELECT $1, COALESCE(max(sequence), 0) + 1, $2, $3, $4, $5, $6 FROM transfer.transfer_event WHERE transfer_id = $1`,
        [id, from, to, facts.reason, facts.changedBy, facts.requestId],
      );
      return tx.findOneByOrFail(TransferRow, { id });
    });
  }

  async transfersByIds(ids: readonly string[]): Promise<TransferRow[]> {
    const valid = ids.filter(isUuid);
    return valid.length ? this.db.getRepository(TransferRow).findBy({ id: In(valid) }) : [];
  }

  async transferEvents(transferIds: readonly string[]): Promise<TransferEventRow[]> {
    const valid = transferIds.filter(isUuid);
    if (!valid.length) return [];
    return this.db
      .getRepository(TransferEventRow)
      .find({ where: { transferId: In(valid) }, order: { transferId: "ASC", sequence: "ASC" } });
  }

  async listTransfers(filter: TransferFilter, size: number, after?: KeysetPosition) {
    const query = this.db.getRepository(TransferRow).createQueryBuilder("t");
    if (filter.kind) query.andWhere("t.kind = :kind", { kind: filter.kind });
    if (filter.status) query.andWhere("t.status = :status", { status: filter.status });
    if (filter.clientId) query.andWhere("t.client_id = :clientId", { clientId: filter.clientId });
    if (filter.accountId) {
      query.andWhere("(t.account_id = :accountId OR t.counter_account_id = :accountId)", {
        accountId: filter.accountId,
      });
    }
    if (filter.from) query.andWhere("t.created_at >= :from", { from: filter.from });
    if (filter.to) query.andWhere("t.created_at < :to", { to: filter.to });
    if (filter.minAmount) query.andWhere("t.amount >= :minAmount::numeric", { minAmount: filter.minAmount });
    if (filter.maxAmount) query.andWhere("t.amount <= :maxAmount::numeric", { maxAmount: filter.maxAmount });
    return keysetPage(query, size, after);
  }
}
