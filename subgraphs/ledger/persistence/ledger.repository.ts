/**
 * All SQL of the ledger. Money moves only through the database functions of the migration
 * (one round trip per operation); this class calls them and turns their LG001 errors into
 * AppErrors with the same code.
 */
import { type DataSource, In } from "typeorm";
import { findByIds, keysetPage } from "../../../common/db/data-source";
import { AppError, type ErrorCode } from "../../../common/errors";
import type { KeysetPosition } from "../../../common/graphql/pagination";
import { accountNumberFromSerial } from "../../../common/account-number";
import {
  type AccountKind,
  type AccountStatus,
  BANK_ACCOUNT_KINDS,
  type BankAccountKind,
  bankAccountName,
} from "../domain/account-status";
import type { PaymentOperation, PaymentStatus } from "../domain/payment-status";
import { AccountRow, EntryRow, PaymentEventRow, PaymentRow, TransactionRow } from "./entities";
import { isUuid } from "../../../common/ids";

export interface AccountFilter {
  clientId?: string | null;
  currency?: string | null;
  status?: AccountStatus | null;
  number?: string | null;
}

export interface TransactionFilter {
  accountId?: string | null;
  paymentId?: string | null;
  kind?: "IMMEDIATE" | "POST" | null;
  from?: Date | null;
  to?: Date | null;
}

/** A payment to create. Its idempotency scope is not given: the database derives it from the accounts. */
export interface NewPayment {
  mode: "IMMEDIATE" | "DRAFT";
  key: string;
  hash: string;
  debitAccountId: string;
  creditAccountId: string;
  amount: bigint;
  currency: string;
  description: string;
  metadata: Record<string, unknown> | null;
  actor: string;
  requestId: string;
}

export interface PaymentTransition {
  id: string;
  operation: PaymentOperation;
  key: string;
  hash: string;
  from: PaymentStatus[];
  to: PaymentStatus;
  actor: string;
  requestId: string;
}

export interface BalanceCheckRow {
  accountId: string;
  storedPosted: string;
  actualPosted: string;
  storedPending: string;
  actualPending: string;
}

/** Turns the posting functions' `LG001` errors into AppErrors; anything else is rethrown. */
function ledgerError(error: unknown): never {
  const driver = (error as { driverError?: { code?: string; message?: string; detail?: string } })
    .driverError;
  if (driver?.code === "LG001") {
    const details = driver.detail ? (JSON.parse(driver.detail) as Record<string, unknown>) : {};
    throw new AppError(driver.message as ErrorCode, describe(driver.message ?? "", details), details);
  }
  throw error;
}

function describe(code: string, details: Record<string, unknown>): string {
  switch (code) {
    case "INSUFFICIENT_FUNDS":
      return `Account ${String(details.accountId)} does not have enough available funds`;
    case "ACCOUNT_NOT_FOUND":
      return `No account ${String(details.accountId)}`;
    case "ACCOUNT_NOT_ACTIVE":
      return `Account ${String(details.accountId)} is ${String(details.status)}`;
    case "CURRENCY_MISMATCH":
      return `Both accounts of a payment must hold ${String(details.currency)}`;
    case "PAYMENT_NOT_FOUND":
      return `No payment ${String(details.paymentId)}`;
    case "PAYMENT_INVALID_STATE":
      return `A ${String(details.from)} payment cannot become ${String(details.to)}`;
    case "IDEMPOTENCY_KEY_REUSED":
      return "This idempotency key was used for a different request";
    default:
      return code;
  }
}

/** A `ledger.payment` row as the functions return it (snake_case) -> PaymentRow. */
function paymentFromRaw(raw: Record<string, unknown>): PaymentRow {
  return Object.assign(new PaymentRow(), {
    id: raw.id,
    idempotencyScope: raw.idempotency_scope,
    idempotencyKey: raw.idempotency_key,
    requestHash: raw.request_hash,
    debitAccountId: raw.debit_account_id,
    creditAccountId: raw.credit_account_id,
    amount: String(raw.amount),
    currency: raw.currency,
    description: raw.description,
    metadata: raw.metadata ?? null,
    status: raw.status,
    createdBy: raw.created_by,
    createdAt: raw.created_at,
    updatedAt: raw.updated_at,
  } as PaymentRow);
}

export class LedgerRepository {
  /** Account currencies never change, so they are cached for the process (bounded). */
  private readonly currencies = new Map<string, string>();

  constructor(private readonly db: DataSource) {}

  // Accounts

  async insertAccount(account: {
    kind: AccountKind;
    clientId: string | null;
    currency: string;
    name: string;
    overdraftLimit: bigint;
  }): Promise<AccountRow> {
    const [{ serial }] = (await this.db.query(
      `SELECT nextval('ledger.account_number_serial') AS serial`,
    )) as [{ serial: string }];
    const position = account.clientId ? `(SELECT count(*) FROM ledger.account WHERE client_id = $2)` : "0";
    const [row] = (await this.db.query(
      `INSERT INTO ledger.account (number, client_id, kind, currency, name, overdraft_limit, position)
       VALUES ($1, $2, $3, $4, $5, $6, ${position}) RETURNING id`,
      [
        accountNumberFromSerial(serial),
        account.clientId,
        account.kind,
        account.currency,
        account.name,
        account.overdraftLimit.toString(),
      ],
    )) as [{ id: string }];
    return this.db.getRepository(AccountRow).findOneByOrFail({ id: row.id });
  }

  /**
   * One account of each bank kind per currency (`BANK_ACCOUNT_KINDS`); returns how many it
   * created. Safe to run at every start and concurrently: the unique index on (kind, currency)
   * lets a racing insert do nothing.
   */
  async ensureBankAccounts(currencies: string[]): Promise<number> {
    const existing = (await this.db.query(
      `SELECT kind, currency FROM ledger.account WHERE kind <> 'CLIENT' AND currency = ANY ($1)`,
      [currencies],
    )) as { kind: BankAccountKind; currency: string }[];
    const missing = currencies.flatMap((currency) =>
      BANK_ACCOUNT_KINDS.filter(
        (kind) => !existing.some((a) => a.kind === kind && a.currency === currency),
      ).map((kind) => ({ kind, currency })),
    );
    if (!missing.length) return 0;
    const serials = (await this.db.query(
      `SELECT nextval('ledger.account_number_serial') AS serial FROM generate_series(1, $1)`,
      [missing.length],
    )) as { serial: string }[];
    const created = (await this.db.query(
      `INSERT INTO ledger.account (number, kind, currency, name)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
       ON CONFLICT (kind, currency) WHERE kind <> 'CLIENT' DO NOTHING
       RETURNING id`,
      [
        serials.map((row) => accountNumberFromSerial(row.serial)),
        missing.map((a) => a.kind),
        missing.map((a) => a.currency),
        missing.map((a) => bankAccountName(a.kind, a.currency)),
      ],
    )) as { id: string }[];
    return created.length;
  }

  accountsByIds(ids: readonly string[]): Promise<AccountRow[]> {
    return findByIds(this.db, AccountRow, ids);
  }

  async accountsByNumbers(numbers: readonly string[]): Promise<AccountRow[]> {
    return numbers.length ? this.db.getRepository(AccountRow).findBy({ number: In([...numbers]) }) : [];
  }

  /** Accounts of many clients in one statement, in each client's order. */
  async accountsByClientIds(clientIds: readonly string[]): Promise<AccountRow[]> {
    const valid = clientIds.filter(isUuid);
    if (!valid.length) return [];
    return this.db
      .getRepository(AccountRow)
      .find({ where: { clientId: In(valid) }, order: { position: "ASC", createdAt: "ASC" } });
  }

  async bankAccount(kind: BankAccountKind, currency: string): Promise<AccountRow | null> {
    return this.db.getRepository(AccountRow).findOneBy({ kind, currency });
  }

  /** The currency of each account (cached: it never changes); unknown ids are absent. */
  async currenciesOf(ids: string[]): Promise<Map<string, string>> {
    const missing = ids.filter((id) => isUuid(id) && !this.currencies.has(id));
    if (missing.length) {
      if (this.currencies.size > 100_000) this.currencies.clear();
      const rows = (await this.db.query(`SELECT id, currency FROM ledger.account WHERE id = ANY ($1)`, [
        missing,
      ])) as {
        id: string;
        currency: string;
      }[];
      for (const row of rows) this.currencies.set(row.id, row.currency);
    }
    return new Map(ids.filter((id) => this.currencies.has(id)).map((id) => [id, this.currencies.get(id)!]));
  }

  async listAccounts(filter: AccountFilter, size: number, after?: KeysetPosition) {
    const query = this.db.getRepository(AccountRow).createQueryBuilder("a").where("a.kind = 'CLIENT'");
    if (filter.clientId) query.andWhere("a.client_id = :clientId", { clientId: filter.clientId });
    if (filter.currency) query.andWhere("a.currency = :currency", { currency: filter.currency });
    if (filter.status) query.andWhere("a.status = :status", { status: filter.status });
    if (filter.number) query.andWhere("a.number = :number", { number: filter.number });
    return keysetPage(query, size, after);
  }

  /** Renames and/or sets status and overdraft; the overdraft may not drop below what is in use. */
  async updateAccount(
    id: string,
    changes: { name?: string; status?: AccountStatus; overdraftLimit?: bigint },
  ): Promise<AccountRow | null> {
    const result = (await this.db.query(
      `UPDATE ledger.account
          SET name = COALESCE($2, name), status = COALESCE($3, status),
              overdraft_limit = COALESCE($4::bigint, overdraft_limit), updated_at = now()
        WHERE id = $1 AND status <> 'CLOSED'
          AND ($4::bigint IS NULL OR posted - pending + $4::bigint >= 0)
        RETURNING id`,
      [id, changes.name ?? null, changes.status ?? null, changes.overdraftLimit?.toString() ?? null],
    )) as [unknown[], number];
    const [rows] = result;
    if (!rows.length) return null;
    return this.db.getRepository(AccountRow).findOneByOrFail({ id });
  }

  /** Closes an account that holds nothing; null when it is not empty or already closed. */
  async closeAccount(id: string): Promise<AccountRow | null> {
    const [rows] = (await this.db.query(
      `UPDATE ledger.account SET status = 'CLOSED', updated_at = now()
        WHERE id = $1 AND status <> 'CLOSED' AND posted = 0 AND pending = 0 RETURNING id`,
      [id],
    )) as [unknown[], number];
    if (!rows.length) return null;
    return this.db.getRepository(AccountRow).findOneByOrFail({ id });
  }

  /** Sets positions 0..n-1 in the given order; returns how many of the client's accounts were placed. */
  async reorder(clientId: string, accountIds: string[]): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Locks in id order, as payments take them, so a reorder and a payment cannot deadlock.
      await tx.query(`SELECT 1 FROM ledger.account WHERE client_id = $1 ORDER BY id FOR NO KEY UPDATE`, [
        clientId,
      ]);
      const [, count] = (await tx.query(
        `UPDATE ledger.account a SET position = o.position - 1, updated_at = now()
           FROM unnest($2::uuid[]) WITH ORDINALITY AS o(id, position)
          WHERE a.id = o.id AND a.client_id = $1`,
        [clientId, accountIds],
      )) as [unknown[], number];
      return count;
    });
  }

  async aggregatedAmounts(clientId: string) {
    return (await this.db.query(
      `SELECT currency, sum(posted)::text AS posted, sum(pending)::text AS pending,
              sum(posted - pending + overdraft_limit)::text AS available
         FROM ledger.account WHERE client_id = $1 AND status <> 'CLOSED'
        GROUP BY currency ORDER BY currency`,
      [clientId],
    )) as { currency: string; posted: string; pending: string; available: string }[];
  }

  async recalculateBalances(accountIds: string[]): Promise<BalanceCheckRow[]> {
    const rows = (await this.db.query(`SELECT * FROM ledger.recalculate_balances($1::uuid[])`, [
      accountIds.filter(isUuid),
    ])) as Record<string, string>[];
    return rows.map((r) => ({
      accountId: r.account_id,
      storedPosted: r.stored_posted,
      actualPosted: r.actual_posted,
      storedPending: r.stored_pending,
      actualPending: r.actual_pending,
    }));
  }

  // Payments

  async createPayment(payment: NewPayment): Promise<PaymentRow> {
    try {
      const [raw] = (await this.db.query(
        `SELECT * FROM ledger.create_payment($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [
          payment.mode,
          payment.key,
          payment.hash,
          payment.debitAccountId,
          payment.creditAccountId,
          payment.amount.toString(),
          payment.currency,
          payment.description,
          payment.metadata,
          payment.actor,
          payment.requestId,
        ],
      )) as Record<string, unknown>[];
      return paymentFromRaw(raw);
    } catch (error) {
      ledgerError(error);
    }
  }

  /** Applies `operation` once per idempotency key (in the payment's scope); a replay answers the payment as it is now. */
  async transitionPayment(transition: PaymentTransition): Promise<PaymentRow> {
    try {
      const [raw] = (await this.db.query(
        `SELECT * FROM ledger.transition_payment($1, $2, $3, $4, $5, $6, $7, $8)`,
        [
          transition.id,
          transition.operation,
          transition.key,
          transition.hash,
          transition.from,
          transition.to,
          transition.actor,
          transition.requestId,
        ],
      )) as Record<string, unknown>[];
      return paymentFromRaw(raw);
    } catch (error) {
      ledgerError(error);
    }
  }

  paymentsByIds(ids: readonly string[]): Promise<PaymentRow[]> {
    return findByIds(this.db, PaymentRow, ids);
  }

  async paymentEvents(paymentIds: readonly string[]): Promise<PaymentEventRow[]> {
    const valid = paymentIds.filter(isUuid);
    if (!valid.length) return [];
    return this.db
      .getRepository(PaymentEventRow)
      .find({ where: { paymentId: In(valid) }, order: { id: "ASC" } });
  }

  // Transactions

  transactionsByIds(ids: readonly string[]): Promise<TransactionRow[]> {
    return findByIds(this.db, TransactionRow, ids);
  }

  async transactionsByPaymentIds(paymentIds: readonly string[]): Promise<TransactionRow[]> {
    const valid = paymentIds.filter(isUuid);
    if (!valid.length) return [];
    return this.db
      .getRepository(TransactionRow)
      .find({ where: { paymentId: In(valid) }, order: { createdAt: "ASC", id: "ASC" } });
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

  async listTransactions(filter: TransactionFilter, size: number, after?: KeysetPosition) {
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
    return keysetPage(query, size, after);
  }

  /** Payments per status (the `/metrics` gauge, counted at scrape time). */
  async countPaymentsByStatus(): Promise<Record<string, number>> {
    const rows = (await this.db.query(
      `SELECT status, count(*)::text AS count FROM ledger.payment GROUP BY status`,
    )) as Array<{ status: string; count: string }>;
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }
}
