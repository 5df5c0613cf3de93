/**
 * Payments (system callers): create (at once or as a draft), then pend, post or cancel. Each is
 * one call of a PL/pgSQL function, once per idempotency key, kept per client the payment acts for
 * (the debit account's, else the credit account's, else the bank's; decision 0020): the same
 * request again answers the payment as it is now and moves nothing again; another request with
 * the key is IDEMPOTENCY_KEY_REUSED. A refused request keeps no key.
 */
import { parseAmount } from "../../common/amount";
import { type Caller, requireSystem } from "../../common/auth/caller";
import { AppError, validationError } from "../../common/errors";
import { madeLoader } from "../../common/db/batch-loaders";
import { isUuid } from "../../common/ids";
import { requestHash } from "../../common/request-hash";
import { ledgerError } from "./domain/errors";
import type { PaymentOperation } from "./domain/payment-status";
import type { AccountRepository } from "./persistence/account.repository";
import type { PaymentRow } from "./persistence/entities";
import type { LedgerLoaders } from "./persistence/loaders";
import type { AccountTurns } from "./persistence/account-turns";
import type { PaymentGroupCommit } from "./persistence/group-commit";
import type { NewPayment, PaymentOutcome, PaymentRepository } from "./persistence/payment.repository";

export interface PaymentRequest {
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  description: string;
  metadata?: Record<string, unknown> | null;
}

/** One payment of a batch: a payment request with its own idempotency key. */
export interface PaymentBatchRequest extends PaymentRequest {
  idempotencyKey: string;
}

export class PaymentService {
  constructor(
    private readonly repository: PaymentRepository,
    /** The process's group commit, through which single creations go. */
    private readonly groups: PaymentGroupCommit,
    /** The process's turns of batches on shared accounts. */
    private readonly turns: AccountTurns,
    private readonly accounts: AccountRepository,
    private readonly loaders: LedgerLoaders,
    private readonly caller: Caller,
    private readonly requestId: string,
  ) {}

  /** createPayment (IMMEDIATE: moves the money now) or createDraftPayment (DRAFT: moves nothing). */
  async createPayment(mode: "IMMEDIATE" | "DRAFT", request: PaymentRequest, idempotencyKey: string) {
    requireSystem(this.caller);
    refuseSameAccounts(request);
    const ids = [request.debitAccountId, request.creditAccountId];
    // Most payments are between accounts seen before: their currencies are read without waiting.
    const currencies = this.accounts.knownCurrencies(ids) ?? (await this.accounts.currenciesOf(ids));
    const payment = await this.groups.create(this.newPayment(mode, request, idempotencyKey, currencies));
    this.forgetAccounts(payment);
    return payment;
  }

  /**
   * createPayments: immediate payments in one database transaction, each with its own key and
   * outcome, in the order given (decision 0033). What one item breaks (its accounts, currency,
   * amount, funds, key) is that item's error; `allOrNothing` makes any such error leave every
   * item unmade (BATCH_NOT_APPLIED for the others).
   */
  async createPayments(requests: PaymentBatchRequest[], allOrNothing: boolean): Promise<PaymentOutcome[]> {
    requireSystem(this.caller);
    // One look-up for the whole batch's currencies.
    const currencies = await this.accounts.currenciesOf([
      ...new Set(requests.flatMap((r) => [r.debitAccountId, r.creditAccountId])),
    ]);
    const prepared = requests.map((request): { payment: NewPayment } | { error: AppError } => {
      try {
        refuseSameAccounts(request);
        return { payment: this.newPayment("IMMEDIATE", request, request.idempotencyKey, currencies) };
      } catch (error) {
        if (error instanceof AppError) return { error };
        throw error;
      }
    });
    const ready = prepared.flatMap((item) => ("payment" in item ? [item.payment] : []));
    if (allOrNothing && ready.length < prepared.length) {
      return prepared.map((item) =>
        "error" in item ? item : { error: ledgerError("BATCH_NOT_APPLIED", {}) },
      );
    }
    const made = ready.length
      ? await this.turns.run(
          ready.flatMap((p) => [p.debitAccountId, p.creditAccountId]),
          () => this.repository.createPayments(ready, allOrNothing),
        )
      : [];
    let next = 0;
    const outcomes = prepared.map((item) => ("error" in item ? item : made[next++]));
    for (const outcome of outcomes) if ("payment" in outcome) this.forgetAccounts(outcome.payment);
    return outcomes;
  }

  /**
   * A creation as the database takes it, given the accounts' `currencies` (currenciesOf); refuses
   * what Node can tell of accounts already known to differ (refuseSameAccounts, which callers ask
   * before the currencies are looked up): unknown account, currency, amount.
   */
  private newPayment(
    mode: "IMMEDIATE" | "DRAFT",
    request: PaymentRequest,
    idempotencyKey: string,
    currencies: Map<string, string>,
  ): NewPayment {
    const { debitAccountId: debit, creditAccountId: credit } = request;
    const currency = currencyOf(debit, credit, currencies);
    const amount = parseAmount(request.amount, currency);
    const metadata = request.metadata ?? null;
    return {
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
    };
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

  /** Balances changed in the database: drop cached rows so this request reads them fresh. */
  private forgetAccounts(payment: PaymentRow): void {
    // A request that read neither account has no cache of them to drop: none is made for it.
    madeLoader(this.loaders, "accountById")?.clear(payment.debitAccountId).clear(payment.creditAccountId);
  }
}

function refuseSameAccounts({ debitAccountId, creditAccountId }: PaymentRequest): void {
  if (debitAccountId !== creditAccountId) return;
  throw validationError([
    {
      field: "creditAccountId",
      rule: "differentFromDebit",
      message: "creditAccountId must differ from debitAccountId",
    },
  ]);
}

/**
 * The payment's currency, from the accounts' `currencies`: both accounts must exist and hold the
 * same one (the amount is parsed in it).
 */
function currencyOf(debit: string, credit: string, currencies: Map<string, string>): string {
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
