import type { DataSource, EntityManager, ObjectLiteral, SelectQueryBuilder } from "typeorm";
import { findByIds, keysetPage } from "../../../common/db/data-source";
import { counterCount, countsBy } from "../../../common/db/row-counter";
import type { RowProperties } from "../../../common/db/row-reader";
import type { KeysetPosition } from "../../../common/db/keyset-position";
import { isUuid } from "../../../common/ids";
import { assertMove, type Mover, START_STATUS, type TransferKind } from "../domain/transfer-status";
import { TRANSFER_COUNTER } from "./counters";
import { TransferRow } from "./entities";
import { FewAmounts } from "./few-amounts";

/** A database transaction the caller holds: the rows it locked stay locked until it ends. */
export type Tx = EntityManager;

export interface TransferFilter {
  kind?: string | null;
  status?: string | null;
  clientId?: string | null;
  accountId?: string | null;
  from?: Date | null;
  to?: Date | null;
  /** Its newest status change (the last of its history) was before this time. */
  statusChangedBefore?: Date | null;
  minAmount?: string | null;
  maxAmount?: string | null;
}

/** What the history records of a status change besides the statuses. */
export interface StepFacts {
  reason: string | null;
  changedBy: string;
  requestId: string | null;
}

/** What a new transfer states; its status, the engine's columns and the outcome start empty. */
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
      | "counterClientId"
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

/** A status change: from which status to which, and who makes it (the state machine decides if it may). */
export interface Move {
  from: string;
  to: string;
  by: Mover;
}

export interface MoveOptions {
  /** The mover takes the transfer's lease with the move (a person's action that runs the next step itself). */
  takeLease?: Lease;
  /** The move happens only while this lease owner still holds the transfer (fencing). */
  heldBy?: string;
}

function leaseColumns(lease: Lease) {
  return {
    leaseOwner: lease.owner,
    leaseUntil: () => `now() + make_interval(secs => ${Number(lease.seconds)})`,
  };
}

/**
 * Transfers: their rows, their status changes and the leases of whoever runs their steps. A
 * status is written in two places only, {@link insertTransfer} and {@link recordMove}, and both
 * assert it against the state machine first.
 */
export class TransferRepository {
  constructor(
    private readonly db: DataSource,
    /** The path of amount-range pages (decision 0055): one per instance, it keeps a copy of the counter. */
    private readonly fewAmounts = new FewAmounts(db),
  ) {}

  /**
   * Records a new transfer in its kind's start status, with its first history entry; null when
   * the idempotency key is taken. The creating request may take the transfer's lease at once, so
   * no worker starts it meanwhile. `alsoInTransaction` writes what must commit with it (a
   * confirmation).
   */
  async insertTransfer(
    transfer: NewTransfer,
    facts: StepFacts,
    lease: Lease | null,
    alsoInTransaction?: (tx: Tx, transferId: string) => Promise<void>,
  ): Promise<TransferRow | null> {
    const status = START_STATUS[transfer.kind as TransferKind];
    assertMove(transfer.kind, null, status, "create");
    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .createQueryBuilder()
        .insert()
        .into(TransferRow)
        .values({ ...transfer, status, ...(lease && leaseColumns(lease)) })
        .orIgnore()
        .returning("id")
        .execute();
      const id = (inserted.raw as { id: string }[])[0]?.id;
      if (!id) return null;
      await alsoInTransaction?.(tx, id);
      return this.recordEvent(tx, id, null, status, facts);
    });
  }

  /**
   * Moves a transfer with a guarded UPDATE and records the change with the next sequence number,
   * in one transaction; null when the transfer was no longer in `move.from` (or, with `heldBy`,
   * no longer held by that lease owner). The next step is due at once.
   */
  async moveTransfer(
    transfer: Pick<TransferRow, "id" | "kind">,
    move: Move,
    changes: TransferChanges,
    facts: StepFacts,
    options: MoveOptions = {},
  ): Promise<TransferRow | null> {
    return this.db.transaction((tx) => this.recordMove(tx, transfer, move, changes, facts, options));
  }

  /**
   * {@link moveTransfer} inside a transaction the caller holds. The move is asserted against the
   * kind's transition table first: an illegal one throws IllegalTransferMove and writes nothing.
   */
  async recordMove(
    tx: Tx,
    transfer: Pick<TransferRow, "id" | "kind">,
    move: Move,
    changes: TransferChanges,
    facts: StepFacts,
    { takeLease, heldBy }: MoveOptions = {},
  ): Promise<TransferRow | null> {
    const { id, kind } = transfer;
    assertMove(kind, move.from, move.to, move.by, id);
    const updated = await tx
      .createQueryBuilder()
      .update(TransferRow)
      .set({
        status: move.to,
        ...changes,
        attempts: 0,
        lastError: null,
        nextRunAt: () => "now()",
        updatedAt: () => "now()",
        ...(takeLease && leaseColumns(takeLease)),
      })
      .where(`id = :id AND kind = :kind AND status = :from${heldBy ? " AND lease_owner = :heldBy" : ""}`, {
        id,
        kind,
        from: move.from,
        heldBy,
      })
      .execute();
    if (!updated.affected) return null;
    return this.recordEvent(tx, id, move.from, move.to, facts);
  }

  /**
   * Appends a transfer's next history entry and reads the transfer back, in one statement: a
   * status change's transaction makes one round trip less between its start (the event's
   * `changedAt`) and its commit, when subscribers hear of it (decision 0049). The transfer row is
   * locked by the caller (its UPDATE, or its INSERT), so the next sequence number cannot be taken
   * twice; the entry is a statement of its own after that write, so its parties trigger and its
   * sequence read see it. The read sees the transfer as this transaction left it (the entry
   * changes nothing of it).
   */
  private recordEvent(
    tx: Tx,
    id: string,
    from: string | null,
    to: string,
    facts: StepFacts,
  ): Promise<TransferRow> {
    return tx
      .createQueryBuilder(TransferRow, "t")
      .addCommonTableExpression(
        `INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, reason, changed_by, request_id)
         SELECT :id, COALESCE(max(sequence), 0) + 1, :from, :to, :reason, :changedBy, :requestId
           FROM transfer.transfer_event WHERE transfer_id = :id
         RETURNING id`,
        "recorded",
      )
      .where("t.id = :id", { ...facts, id, from, to })
      .getOneOrFail();
  }

  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.db.transaction(work);
  }

  /** Locks a transfer row for the rest of `tx` (serialises confirmations, resends and cancels). */
  async lockTransfer(tx: Tx, id: string): Promise<TransferRow | null> {
    if (!isUuid(id)) return null;
    return tx
      .getRepository(TransferRow)
      .createQueryBuilder("t")
      .setLock("pessimistic_write")
      .where("t.id = :id", { id })
      .getOne();
  }

  async transferByKey(scope: string, key: string): Promise<TransferRow | null> {
    return this.db.getRepository(TransferRow).findOneBy({ idempotencyScope: scope, idempotencyKey: key });
  }

  async transferByQuote(quoteId: string): Promise<TransferRow | null> {
    return this.db.getRepository(TransferRow).findOneBy({ quoteId });
  }

  transfersByIds(ids: readonly string[]): Promise<TransferRow[]> {
    return findByIds(this.db, TransferRow, ids);
  }

  async listTransfers(
    filter: TransferFilter,
    size: number,
    after?: KeysetPosition,
    properties?: RowProperties,
  ) {
    const query = this.db.getRepository(TransferRow).createQueryBuilder("t");
    if (filter.kind) query.andWhere("t.kind = :kind", { kind: filter.kind });
    if (filter.status) query.andWhere("t.status = :status", { status: filter.status });
    whereOwnedBy(query, filter);
    if (filter.from) query.andWhere("t.created_at >= :from", { from: filter.from });
    if (filter.to) query.andWhere("t.created_at < :to", { to: filter.to });
    if (filter.statusChangedBefore) {
      // The history's last entry, by the (transfer_id, sequence) key: a few index reads per candidate.
      // Created no later than its first change (same transaction), so the created_at index bounds
      // the candidates: a time before every transfer reads nothing.
      query.andWhere(
        `t.created_at < :statusChangedBefore AND (SELECT e.changed_at FROM transfer.transfer_event e
           WHERE e.transfer_id = t.id ORDER BY e.sequence DESC LIMIT 1) < :statusChangedBefore`,
        { statusChangedBefore: filter.statusChangedBefore },
      );
    }
    if (filter.minAmount) query.andWhere("t.amount >= :minAmount::numeric", { minAmount: filter.minAmount });
    if (filter.maxAmount) query.andWhere("t.amount <= :maxAmount::numeric", { maxAmount: filter.maxAmount });
    // Status, kind and the amount range alone (no caller scope, dates or history): the counter
    // counts them exactly (decisions 0043, 0046).
    const count = counterCount(this.db, TRANSFER_COUNTER, filter);
    // Only with the counter's count: without it keysetPage counts this query, which the few
    // path's condition would cap at the page (decision 0055).
    if (count && this.fewAmounts.takesFewPath(filter)) this.fewAmounts.narrow(query, filter, size, after);
    return keysetPage(query, size, after, properties, count);
  }

  /** Transfers per status (the `/metrics` gauge, read from the counter at scrape time: no scan). */
  countTransfersByStatus(): Promise<Record<string, number>> {
    return countsBy(this.db, TRANSFER_COUNTER, "status");
  }

  // Leases

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
}

/**
 * Narrows a query on transfers (alias `t`) to those of a client, and to those debiting or
 * crediting an account: what "a client's / an account's transfers" means for lists and events.
 */
export function whereOwnedBy<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  owner: { clientId?: string | null; accountId?: string | null },
): void {
  if (owner.clientId) query.andWhere("t.client_id = :clientId", { clientId: owner.clientId });
  if (owner.accountId) {
    query.andWhere("(t.account_id = :accountId OR t.counter_account_id = :accountId)", {
      accountId: owner.accountId,
    });
  }
}
