/**
 * Payments (system callers): create (at once or as a draft), then pend, post or cancel. Each is
 * one call of a PL/pgSQL function, once per idempotency key, kept per client the payment acts for
 * (the debit account's, else the credit account's, else the bank's; decision 0020): the same
 * request again answers the payment as it is now and moves nothing again; another request with
 * the key is IDEMPOTENCY_KEY_REUSED. A refused request keeps no key.
 */
import { parseAmount } from "../../common/amount";
import { type Caller, requireSystem } from "../../common/auth/caller";
import { validationError } from "../../common/errors";
import { isUuid } from "../../common/ids";
import { requestHash } from "../../common/request-hash";
import { ledgerError } from "./domain/errors";
import type { PaymentOperation } from "./domain/payment-status";
import type { AccountRepository } from "./persistence/account.repository";
import type { PaymentRow } from "./persistence/entities";
import type { LedgerLoaders } from "./persistence/loaders";
import type { PaymentRepository } from "./persistence/payment.repository";

export interface PaymentRequest {
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  description: string;
  metadata?: Record<string, unknown> | null;
}

export class PaymentService {
  constructor(
    private readonly repository: PaymentRepository,
    private readonly accounts: AccountRepository,
    private readonly loaders: LedgerLoaders,
    private readonly caller: Caller,
    private readonly requestId: string,
  ) {}

  /** createPayment (IMMEDIATE: moves the money now) or createDraftPayment (DRAFT: moves nothing). */
  async createPayment(mode: "IMMEDIATE" | "DRAFT", request: PaymentRequest, idempotencyKey: string) {
    requireSystem(this.caller);
    const { debitAccountId: debit, creditAccountId: credit } = request;
    if (debit === credit) {
      throw validationError([
        {
          field: "creditAccountId",
          rule: "differentFromDebit",
          message: "creditAccountId must differ from debitAccountId",
        },
      ]);
    }
    const currency = await this.currencyOf(debit, credit);
    const amount = parseAmount(request.amount, currency);
    const metadata = request.metadata ?? null;
    const payment = await this.repository.createPayment({
      mode,
      key: idempotencyKey,
      hash: requestHash([mode, debit, credit, amount.toString(), currency, request.description, metadata]),
      debitAccountId: debit,
      creditAccountId: credit,
      amount,
      currency,
      description: request.description,
      metadata,
      actor: this.caller.subject,
      requestId: this.requestId,
    });
    this.forgetAccounts(payment);
    return payment;
  }

  /**
   * pend (hold), post (move the held money) or cancel (release): the moves of
   * domain/payment-status.ts. One round trip: the database decides, under the payment's lock,
   * whether the key was used and whether the status allows the operation.
   */
  async transitionPayment(operation: PaymentOperation, id: string, idempotencyKey: string) {
    requireSystem(this.caller);
    if (!isUuid(id)) throw ledgerError("PAYMENT_NOT_FOUND", { paymentId: id });
    const payment = await this.repository.transitionPayment({
      id,
      operation,
      key: idempotencyKey,
      hash: requestHash([operation, id]),
      actor: this.caller.subject,
      requestId: this.requestId,
    });
    this.loaders.paymentById.clear(id).prime(id, payment);
    this.loaders.paymentEventsByPaymentId.clear(payment.id);
    this.forgetAccounts(payment);
    return payment;
  }

  async payment(id: string): Promise<PaymentRow | null> {
    requireSystem(this.caller);
    return this.loaders.paymentById.load(id);
  }

  paymentEvents(paymentId: string) {
    return this.loaders.paymentEventsByPaymentId.load(paymentId);
  }

  transactionsOfPayment(paymentId: string) {
    return this.loaders.transactionsByPaymentId.load(paymentId);
  }

  /** The payment's currency: both accounts must exist and hold the same one (the amount is parsed in it). */
  private async currencyOf(debit: string, credit: string): Promise<string> {
    const currencies = await this.accounts.currenciesOf([debit, credit]);
    const currency = currencies.get(debit);
    if (!currency) throw ledgerError("ACCOUNT_NOT_FOUND", { field: "debitAccountId", accountId: debit });
    if (!currencies.get(credit)) {
      throw ledgerError("ACCOUNT_NOT_FOUND", { field: "creditAccountId", accountId: credit });
    }
    if (currencies.get(credit) !== currency) {
      throw ledgerError("CURRENCY_MISMATCH", { field: "creditAccountId", currency });
    }
    return currency;
  }

  /** Balances changed in the database: drop cached rows so this request reads them fresh. */
  private forgetAccounts(payment: PaymentRow): void {
    this.loaders.accountById.clear(payment.debitAccountId).clear(payment.creditAccountId);
  }
}
