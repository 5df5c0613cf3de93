/**
 * The SQL of payments. Money moves only through the database functions of the migrations (one
 * round trip per operation); this class calls them and turns what they refuse (SQLSTATE LG001:
 * the code and its facts) into the ledger's errors (domain/errors.ts).
 */
import type { DataSource } from "typeorm";
import { findByIds, findByUuids, poolQuery } from "../../../common/db/data-source";
import type { AppError } from "../../../common/errors";
import { isLedgerErrorCode, ledgerError } from "../domain/errors";
import type { PaymentOperation } from "../domain/payment-status";
import { PaymentEventRow, PaymentRow } from "./entities";

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

/** pend, post or cancel of one payment; the database decides whether its status allows it. */
export interface PaymentTransition {
  id: string;
  operation: PaymentOperation;
  key: string;
  hash: string;
  actor: string;
  requestId: string;
}

/** One payment of a group: the payment (made now, or the one its key made before), or why not. */
export type PaymentOutcome = { payment: PaymentRow } | { error: AppError };

function driverError(error: unknown) {
  return (error as { driverError?: { code?: string; message?: string; detail?: string } }).driverError;
}

/** A code and its facts, as `ledger.fail` raises them, as the ledger's AppError. */
function refusalError(code: string, facts: unknown): AppError {
  if (!isLedgerErrorCode(code)) throw new Error(`the ledger refused with an unknown code ${code}`);
  return ledgerError(code, (facts ?? {}) as never);
}

/** A refusal of the posting functions (`ledger.fail`) as the ledger's AppError; anything else is rethrown. */
function refusal(error: unknown): never {
  const driver = driverError(error);
  if (driver?.code === "LG001" && isLedgerErrorCode(driver.message)) {
    throw refusalError(driver.message, JSON.parse(driver.detail ?? "{}"));
  }
  throw error;
}

/** `ledger.create_payments`' items (fields of `ledger.payment_item`), numbered from 1 in order. */
function paymentItems(payments: readonly NewPayment[]): string {
  return JSON.stringify(
    payments.map((payment, i) => ({
      n: i + 1,
      mode: payment.mode,
      key: payment.key,
      hash: payment.hash,
      debit: payment.debitAccountId,
      credit: payment.creditAccountId,
      amount: payment.amount.toString(),
      currency: payment.currency,
      description: payment.description,
      metadata: payment.metadata,
      actor: payment.actor,
      request_id: payment.requestId,
    })),
  );
}

/** All or nothing refused: each refused item with its own error, every other one BATCH_NOT_APPLIED. */
function notApplied(count: number, detail: string | undefined): PaymentOutcome[] {
  const { items } = JSON.parse(detail ?? "{}") as {
    items: Array<{ n: number; code: string; facts: unknown }>;
  };
  const refused = new Map(items.map((item) => [item.n, item]));
  return Array.from({ length: count }, (_, i) => {
    const item = refused.get(i + 1);
    return { error: item ? refusalError(item.code, item.facts) : ledgerError("BATCH_NOT_APPLIED", {}) };
  });
}

/**
 * A `ledger.payment` row as the functions return it (snake_case) -> PaymentRow; its timestamps
 * as given, or parsed from JSON's text ({@link paymentFromJson}).
 */
function paymentFromRaw(
  raw: Record<string, unknown>,
  createdAt = raw.created_at as Date,
  updatedAt = raw.updated_at as Date,
): PaymentRow {
  const row = new PaymentRow();
  row.id = raw.id as string;
  row.idempotencyScope = raw.idempotency_scope as string;
  row.idempotencyKey = raw.idempotency_key as string;
  row.requestHash = raw.request_hash as string;
  row.debitAccountId = raw.debit_account_id as string;
  row.creditAccountId = raw.credit_account_id as string;
  row.amount = String(raw.amount);
  row.currency = raw.currency as string;
  row.description = raw.description as string;
  row.metadata = (raw.metadata ?? null) as PaymentRow["metadata"];
  row.status = raw.status as PaymentRow["status"];
  row.createdBy = raw.created_by as string;
  row.createdAt = createdAt;
  row.updatedAt = updatedAt;
  return row;
}

/**
 * A `ledger.payment` row the functions return, as one `jsonb` value (`payment`), its amount as
 * text (a JSON number would not hold every bigint exactly): pg works out a parser per column of
 * every result it receives, so one column instead of fourteen costs 10-11 us less of node CPU per
 * call (decision 0060); `FROM <function> p`.
 */
const PAYMENT_AS_JSON = `to_jsonb(p) || jsonb_build_object('amount', p.amount::text) AS payment`;

/** {@link PAYMENT_AS_JSON}'s value -> PaymentRow (its timestamps are ISO 8601 text in JSON). */
function paymentFromJson({ payment }: { payment: Record<string, unknown> }): PaymentRow {
  return paymentFromRaw(
    payment,
    new Date(payment.created_at as string),
    new Date(payment.updated_at as string),
  );
}

export class PaymentRepository {
  constructor(private readonly db: DataSource) {}

  async createPayment(payment: NewPayment): Promise<PaymentRow> {
    try {
      const [raw] = (await poolQuery(
        this.db,
        `SELECT ${PAYMENT_AS_JSON} FROM ledger.create_payment($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) p`,
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
      )) as { payment: Record<string, unknown> }[];
      return paymentFromJson(raw);
    } catch (error) {
      refusal(error);
    }
  }

  /**
   * Many creations in one database transaction (decision 0033), each with its own key, checks and
   * outcome, in the order given. `allOrNothing`: if any is refused, none is applied.
   */
  async createPayments(payments: readonly NewPayment[], allOrNothing: boolean): Promise<PaymentOutcome[]> {
    try {
      const rows = (await poolQuery(
        this.db,
        `SELECT r.o_error AS error, r.o_detail AS detail, (r.o_payment).*
           FROM ledger.create_payments($1::jsonb, $2) r`,
        [paymentItems(payments), allOrNothing],
      )) as Array<Record<string, unknown> & { error: string | null; detail: unknown }>;
      return rows.map((row) =>
        row.error ? { error: refusalError(row.error, row.detail) } : { payment: paymentFromRaw(row) },
      );
    } catch (error) {
      const driver = driverError(error);
      if (driver?.code === "LG001" && driver.message === "BATCH_NOT_APPLIED") {
        return notApplied(payments.length, driver.detail);
      }
      throw error;
    }
  }

  /** Applies `operation` once per idempotency key (in the payment's scope); a replay answers the payment as it is now. */
  async transitionPayment(transition: PaymentTransition): Promise<PaymentRow> {
    try {
      const [raw] = (await poolQuery(
        this.db,
        `SELECT ${PAYMENT_AS_JSON} FROM ledger.transition_payment($1, $2, $3, $4, $5, $6) p`,
        [
          transition.id,
          transition.operation,
          transition.key,
          transition.hash,
          transition.actor,
          transition.requestId,
        ],
      )) as { payment: Record<string, unknown> }[];
      return paymentFromJson(raw);
    } catch (error) {
      refusal(error);
    }
  }

  paymentsByIds(ids: readonly string[]): Promise<PaymentRow[]> {
    return findByIds(this.db, PaymentRow, ids);
  }

  paymentEvents(paymentIds: readonly string[]): Promise<PaymentEventRow[]> {
    return findByUuids(this.db, PaymentEventRow, "paymentId", paymentIds, { id: "ASC" });
  }

  /** Payments per status (the `/metrics` gauge, counted at scrape time). */
  async countPaymentsByStatus(): Promise<Record<string, number>> {
    const rows = (await this.db.query(
      `SELECT status, count(*)::text AS count FROM ledger.payment GROUP BY status`,
    )) as Array<{ status: string; count: string }>;
    return Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));
  }
}
