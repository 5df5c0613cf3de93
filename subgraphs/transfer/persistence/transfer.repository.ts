import { type DataSource, type EntityManager, In } from "typeorm";
import { findByIds, keysetPage } from "../../../common/db/data-source";
import type { KeysetPosition } from "../../../common/graphql/pagination";
import { ConfirmationRow, FxQuoteRow, RecipientRow, TransferEventRow, TransferRow } from "./entities";
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

/** What a new transfer states; the engine's columns and the outcome start empty. */
export type NewTransfer = Pick<
  TransferRow,
  | "kind"
  | "type"
  | "clientId"
  | "accountId"
  | "amount"
  | "currency"
  | "idempotencyScope"
  | "idempotencyKey"
  | "requestHash"
> &
  Partial<
    Pick<
      TransferRow,
      | "counterAccountId"
      | "reference"
      | "recipientId"
      | "counterpartyName"
      | "counterpartyIban"
      | "accountNumber"
      | "quoteId"
      | "targetAmount"
      | "targetCurrency"
      | "rate"
    >
  >;

/** What a step may set besides the status. */
export type TransferChanges = Partial<
  Pick<TransferRow, "paymentId" | "failureCode" | "railReference" | "accountId" | "clientId">
>;

/** Who runs a transfer's steps, and for how long before someone else may take over. */
export interface Lease {
  owner: string;
  seconds: number;
}

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

  recipientsByIds(ids: readonly string[]): Promise<RecipientRow[]> {
    return findByIds(this.db, RecipientRow, ids);
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

  /**
   * Records a new transfer and its first history entry; null when the idempotency key is
   * taken. The creating request may take the transfer's lease at once, so no worker starts
   * it meanwhile. `alsoInTransaction` writes what must commit with it (a confirmation).
   */
  async insertTransfer(
    transfer: NewTransfer,
    status: string,
    facts: StepFacts,
    lease: Lease | null,
    alsoInTransaction?: (tx: EntityManager, transferId: string) => Promise<void>,
  ): Promise<TransferRow | null> {
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(TransferRow)
        .values({
          ...transfer,
          status,
          ...(lease && {
            leaseOwner: lease.owner,
            leaseUntil: () => `now() + make_interval(secs => ${Number(lease.seconds)})`,
          }),
        })
        .orIgnore()
        .returning("id")
        .execute();
      const id = (inserted.raw as { id: string }[])[0]?.id;
      if (!id) return null;
      await tx.insert(TransferEventRow, { transferId: id, sequence: 1, from: null, to: status, ...facts });
      await alsoInTransaction?.(tx, id);
      return tx.findOneByOrFail(TransferRow, { id });
    });
  }

  async transferByKey(scope: string, key: string): Promise<TransferRow | null> {
    return this.db.getRepository(TransferRow).findOneBy({ idempotencyScope: scope, idempotencyKey: key });
  }

  transaction<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Locks a transfer row for the rest of `tx` (serialises confirmations, resends and cancels). */
  async lockTransfer(tx: EntityManager, id: string): Promise<TransferRow | null> {
    if (!isUuid(id)) return null;
    return tx
      .getRepository(TransferRow)
      .createQueryBuilder("t")
      .setLock("pessimistic_write")
      .where("t.id = :id", { id })
      .getOne();
  }

  /**
   * Moves a transfer from `from` to `to` with a guarded UPDATE and records the step with the
   * next sequence number, in one transaction; null when the transfer was no longer in `from`.
   * The next step is due at once. With `lease`, the mover also takes the transfer's lease (a
   * person's action that then runs the next step itself, before any worker can); with `heldBy`,
   * the move happens only while that lease owner still holds the transfer.
   */
  async moveTransfer(
    id: string,
    from: string,
    to: string,
    changes: TransferChanges,
    facts: StepFacts,
    lease?: Lease,
    heldBy?: string,
  ): Promise<TransferRow | null> {
    return this.db.transaction((tx) => this.recordMove(tx, id, from, to, changes, facts, lease, heldBy));
  }

  /** {@link moveTransfer} inside a transaction the caller holds. */
  async recordMove(
    tx: EntityManager,
    id: string,
    from: string,
    to: string,
    changes: TransferChanges,
    facts: StepFacts,
    lease?: Lease,
    heldBy?: string,
  ): Promise<TransferRow | null> {
    const updated = await tx
      .createQueryBuilder()
      .update(TransferRow)
      .set({
        status: to,
        ...changes,
        attempts: 0,
        lastError: null,
        nextRunAt: () => "now()",
        updatedAt: () => "now()",
        ...(lease && {
          leaseOwner: lease.owner,
          leaseUntil: () => `now() + make_interval(secs => ${Number(lease.seconds)})`,
        }),
      })
      .where(
        heldBy ? "id = :id AND status = :from AND lease_owner = :heldBy" : "id = :id AND status = :from",
        {
          id,
          from,
          heldBy,
        },
      )
      .execute();
    if (!updated.affected) return null;
    // The row is locked by the UPDATE, so the next sequence number cannot be taken twice.
    await tx.query(
      `INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, reason, changed_by, request_id)
       SELECT $1, COALESCE(max(sequence), 0) + 1, $2, $3, $4, $5, $6 FROM transfer.transfer_event WHERE transfer_id = $1`,
      [id, from, to, facts.reason, facts.changedBy, facts.requestId],
    );
    return tx.findOneByOrFail(TransferRow, { id });
  }

  /**
   * Takes a transfer's lease for `owner` unless someone else holds an unexpired one; null
   * then. Whoever holds the lease is the only one running the transfer's steps.
   */
  async claim(id: string, lease: Lease): Promise<TransferRow | null> {
    if (!isUuid(id)) return null;
    const rows = (await this.db.query(
      `UPDATE transfer.transfer
          SET lease_owner = $2, lease_until = now() + make_interval(secs => $3)
        WHERE id = $1 AND (lease_until IS NULL OR lease_until < now() OR lease_owner = $2)
        RETURNING id`,
      [id, lease.owner, lease.seconds],
    )) as [{ id: string }[], number];
    return rows[0].length ? this.db.getRepository(TransferRow).findOneBy({ id }) : null;
  }

  /** Extends `lease` if its owner still holds the transfer; null when someone else took it over. */
  async renew(id: string, lease: Lease): Promise<TransferRow | null> {
    const rows = (await this.db.query(
      `UPDATE transfer.transfer SET lease_until = now() + make_interval(secs => $3)
        WHERE id = $1 AND lease_owner = $2 RETURNING id`,
      [id, lease.owner, lease.seconds],
    )) as [{ id: string }[], number];
    return rows[0].length ? this.db.getRepository(TransferRow).findOneBy({ id }) : null;
  }

  /**
   * The worker's claim: up to `limit` transfers whose next step is due and that nobody holds,
   * leased to `owner`. `FOR UPDATE SKIP LOCKED` lets several workers claim side by side
   * without waiting for or taking each other's rows.
   */
  async claimDue(statuses: readonly string[], lease: Lease, limit: number): Promise<TransferRow[]> {
    const rows = (await this.db.query(
      `UPDATE transfer.transfer t
          SET lease_owner = $2, lease_until = now() + make_interval(secs => $3)
        WHERE t.id IN (
          SELECT id FROM transfer.transfer
           WHERE status = ANY ($1) AND next_run_at <= now() AND (lease_until IS NULL OR lease_until < now())
           ORDER BY next_run_at
           LIMIT $4
           FOR UPDATE SKIP LOCKED)
        RETURNING t.id`,
      [statuses, lease.owner, lease.seconds, limit],
    )) as [{ id: string }[], number];
    return this.transfersByIds(rows[0].map((row) => row.id));
  }

  /**
   * Gives the lease back. With `error` the step failed without an answer: it counts as one more
   * attempt, and the next waits 1, 2, 4 ... seconds (at most 256).
   */
  async release(id: string, owner: string, error?: string): Promise<void> {
    await this.db.query(
      `UPDATE transfer.transfer
          SET lease_owner = NULL, lease_until = NULL,
              attempts = attempts + CASE WHEN $3::text IS NULL THEN 0 ELSE 1 END,
              next_run_at = CASE WHEN $3::text IS NULL THEN next_run_at
                                 ELSE now() + make_interval(secs => power(2, least(attempts, 8))) END,
              last_error = COALESCE($3, last_error)
        WHERE id = $1 AND lease_owner = $2`,
      [id, owner, error ?? null],
    );
  }

  // Confirmations

  async insertConfirmation(
    tx: EntityManager,
    confirmation: Pick<ConfirmationRow, "transferId" | "codeHash" | "maxAttempts"> & { ttlSeconds: number },
  ): Promise<ConfirmationRow> {
    const [row] = (await tx.query(
      `INSERT INTO transfer.confirmation (transfer_id, code_hash, status, max_attempts, expires_at)
       VALUES ($1, $2, 'OPEN', $3, now() + make_interval(secs => $4)) RETURNING id`,
      [confirmation.transferId, confirmation.codeHash, confirmation.maxAttempts, confirmation.ttlSeconds],
    )) as [{ id: string }];
    return tx.findOneByOrFail(ConfirmationRow, { id: row.id });
  }

  async countConfirmations(tx: EntityManager, transferId: string): Promise<number> {
    return tx.getRepository(ConfirmationRow).countBy({ transferId });
  }

  /** The transfer's open confirmation, else its newest one, locked for the rest of `tx`. */
  async lockLatestConfirmation(tx: EntityManager, transferId: string): Promise<ConfirmationRow | null> {
    return tx
      .getRepository(ConfirmationRow)
      .createQueryBuilder("c")
      .setLock("pessimistic_write")
      .where("c.transfer_id = :transferId", { transferId })
      .orderBy("c.status = 'OPEN'", "DESC")
      .addOrderBy("c.created_at", "DESC")
      .addOrderBy("c.id", "DESC")
      .limit(1)
      .getOne();
  }

  confirmationsByIds(ids: readonly string[]): Promise<ConfirmationRow[]> {
    return findByIds(this.db, ConfirmationRow, ids);
  }

  async latestConfirmations(transferIds: readonly string[]): Promise<ConfirmationRow[]> {
    const valid = transferIds.filter(isUuid);
    if (!valid.length) return [];
    return this.db
      .getRepository(ConfirmationRow)
      .createQueryBuilder("c")
      .distinctOn(["c.transfer_id"])
      .where("c.transfer_id IN (:...valid)", { valid })
      .orderBy("c.transfer_id")
      .addOrderBy("c.status = 'OPEN'", "DESC")
      .addOrderBy("c.created_at", "DESC")
      .addOrderBy("c.id", "DESC")
      .getMany();
  }

  /** Counts a wrong code (locking the confirmation at its limit) or closes it as USED/VOIDED. */
  async updateConfirmation(
    tx: EntityManager,
    id: string,
    change: { attempts: number; status: string },
  ): Promise<void> {
    await tx.query(
      `UPDATE transfer.confirmation
          SET attempts = $2, status = $3, closed_at = CASE WHEN $3 = 'OPEN' THEN NULL ELSE now() END
        WHERE id = $1`,
      [id, change.attempts, change.status],
    );
  }

  /** The notification port's default: a row for the delivery process, in the caller's transaction. */
  async queueNotification(tx: EntityManager, clientId: string, kind: string, payload: object): Promise<void> {
    await tx.query(
      `INSERT INTO transfer.notification_outbox (client_id, kind, payload) VALUES ($1, $2, $3)`,
      [clientId, kind, JSON.stringify(payload)],
    );
  }

  // FX quotes

  async insertQuote(quote: Omit<FxQuoteRow, "id" | "expiresAt" | "createdAt">, ttlSeconds: number) {
    const inserted = await this.db
      .createQueryBuilder()
      .insert()
      .into(FxQuoteRow)
      .values({ ...quote, expiresAt: () => `now() + make_interval(secs => ${Number(ttlSeconds)})` })
      .returning("id")
      .execute();
    const id = (inserted.raw as { id: string }[])[0].id;
    return this.db.getRepository(FxQuoteRow).findOneByOrFail({ id });
  }

  /** The quote and whether it is still good by the database's clock. */
  async quote(id: string): Promise<{ quote: FxQuoteRow; expired: boolean } | null> {
    if (!isUuid(id)) return null;
    const quote = await this.db.getRepository(FxQuoteRow).findOneBy({ id });
    if (!quote) return null;
    const [{ expired }] = (await this.db.query(`SELECT $1::timestamptz <= now() AS expired`, [
      quote.expiresAt,
    ])) as [{ expired: boolean }];
    return { quote, expired };
  }

  async transferByQuote(quoteId: string): Promise<TransferRow | null> {
    return this.db.getRepository(TransferRow).findOneBy({ quoteId });
  }

  transfersByIds(ids: readonly string[]): Promise<TransferRow[]> {
    return findByIds(this.db, TransferRow, ids);
  }

  async transferEvents(transferIds: readonly string[]): Promise<TransferEventRow[]> {
    const valid = transferIds.filter(isUuid);
    if (!valid.length) return [];
    return this.db
      .getRepository(TransferEventRow)
      .find({ where: { transferId: In(valid) }, order: { transferId: "ASC", sequence: "ASC" } });
  }

  /** A transfer's events after `sequence`, with the transfer's current owner, if it passes `filter`. */
  async eventsAfter(
    transferId: string,
    sequence: number,
    filter: { clientId?: string | null; accountId?: string | null },
  ) {
    return this.eventsWithOwner({ ...filter, transferId }, "e.sequence > :sequence", { sequence });
  }

  /** Events since `since` of the transfers `filter` names (a catch-up after a lost connection). */
  async eventsSince(
    filter: { transferId?: string | null; clientId?: string | null; accountId?: string | null },
    since: Date,
  ) {
    return this.eventsWithOwner(filter, "e.changed_at >= :since", { since });
  }

  async event(transferId: string, sequence: number): Promise<TransferEventRow | null> {
    if (!isUuid(transferId)) return null;
    return this.db.getRepository(TransferEventRow).findOneBy({ transferId, sequence });
  }

  private async eventsWithOwner(
    filter: { transferId?: string | null; clientId?: string | null; accountId?: string | null },
    condition: string,
    parameters: Record<string, unknown>,
  ) {
    if (filter.transferId && !isUuid(filter.transferId)) return [];
    const query = this.db
      .getRepository(TransferEventRow)
      .createQueryBuilder("e")
      .innerJoin(TransferRow, "t", "t.id = e.transfer_id")
      .addSelect(["t.client_id", "t.account_id", "t.counter_account_id"])
      .where(condition, parameters)
      .orderBy("e.id");
    if (filter.transferId) query.andWhere("e.transfer_id = :transferId", { transferId: filter.transferId });
    if (filter.clientId) query.andWhere("t.client_id = :clientId", { clientId: filter.clientId });
    if (filter.accountId) {
      query.andWhere("(t.account_id = :accountId OR t.counter_account_id = :accountId)", {
        accountId: filter.accountId,
      });
    }
    const { entities, raw } = await query.getRawAndEntities<{
      t_client_id: string | null;
      t_account_id: string | null;
      t_counter_account_id: string | null;
    }>();
    return entities.map((event, i) => ({
      ...event,
      clientId: raw[i].t_client_id,
      accountId: raw[i].t_account_id,
      counterAccountId: raw[i].t_counter_account_id,
    }));
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

  /** Transfers per status (the `/metrics` gauge, counted at scrape time). */
  async countTransfersByStatus(): Promise<Record<string, number>> {
    const rows = (await this.db.query(
      `SELECT status, count(*)::text AS count FROM transfer.transfer GROUP BY status`,
    )) as Array<{ status: string; count: string }>;
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }
}
