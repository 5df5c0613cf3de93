/**
 * The ledger's use cases, one instance per request (caller, loaders). Who may do what:
 * payments and the bank's own accounts are for system callers; a front-office caller sees
 * and acts on its own client's accounts only.
 */
import { createHash } from "node:crypto";
import {
  type Caller,
  clientIdFor,
  listScope,
  requireClientAccess,
  requireSystem,
} from "../../common/auth/caller";
import { AppError, validationError } from "../../common/errors";
import { isUuid } from "../../common/ids";
import { fetchPage, type Page } from "../../common/graphql/pagination";
import { isValidAccountNumber } from "../../common/account-number";
import {
  AccountKind,
  AccountStatus,
  assertAccountStatusChange,
  isBankAccountKind,
} from "./domain/account-status";
import { CURRENCY_EXPONENTS, formatAmount, parseAmount } from "./domain/money";
import { type PaymentOperation, PAYMENT_TRANSITIONS } from "./domain/payment-status";
import type { AccountRow, EntryRow, PaymentRow, TransactionRow } from "./persistence/entities";
import type { LedgerLoaders } from "./persistence/ledger.loaders";
import type { AccountFilter, LedgerRepository, TransactionFilter } from "./persistence/ledger.repository";

/** Ids given as plain arguments must be UUIDs (PostgreSQL would refuse them as a fault). */
function requireUuids(ids: Record<string, string>): void {
  const bad = Object.entries(ids).filter(([, id]) => !isUuid(id));
  if (bad.length) {
    throw validationError(
      bad.map(([field]) => ({ field, rule: "isUuid", message: `${field} must be a UUID` })),
    );
  }
}

export interface PaymentRequest {
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  description: string;
  metadata?: Record<string, unknown> | null;
}

/**
 * What an idempotency key is checked against: the same key with another hash is another request
 * (IDEMPOTENCY_KEY_REUSED). JSON with sorted keys, so equal requests hash equally whatever their
 * key order.
 */
function requestHash(request: unknown[]): string {
  return createHash("sha256").update(canonical(request)).digest("hex");
}

/** JSON with sorted keys, so equal requests hash equally whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}

export class LedgerService {
  constructor(
    private readonly repository: LedgerRepository,
    private readonly loaders: LedgerLoaders,
    private readonly caller: Caller,
    private readonly requestId: string,
    private readonly currencies: string[],
  ) {}

  availableCurrencies() {
    return this.currencies.map((code) => ({ code, exponent: CURRENCY_EXPONENTS[code] }));
  }

  // Reading accounts

  /** An account the caller may see. A front-office caller gets FORBIDDEN for any account not its own, existing or not. */
  async account(id: string): Promise<AccountRow | null> {
    const account = await this.loaders.accountById.load(id);
    this.requireOwnAccount(account);
    return account;
  }

  /**
   * The bank's own account of `kind` in `currency`: null for CLIENT (not the bank's) and for a
   * currency without one. System only.
   */
  async bankAccount(kind: AccountKind, currency: string): Promise<AccountRow | null> {
    requireSystem(this.caller);
    if (!isBankAccountKind(kind)) return null;
    return this.repository.bankAccount(kind, currency.toUpperCase());
  }

  /** The bank's account through which money in `currency` enters and leaves. System only. */
  settlementAccount(currency: string): Promise<AccountRow | null> {
    return this.bankAccount(AccountKind.SETTLEMENT, currency);
  }

  async accountByNumber(number: string): Promise<AccountRow | null> {
    const account = isValidAccountNumber(number) ? await this.loaders.accountByNumber.load(number) : null;
    this.requireOwnAccount(account);
    return account;
  }

  async accounts(
    filter: AccountFilter,
    first?: number | null,
    after?: string | null,
  ): Promise<Page<AccountRow>> {
    const clientId = listScope(this.caller, filter.clientId);
    return fetchPage(first, after, (size, position) =>
      this.repository.listAccounts({ ...filter, clientId }, size, position),
    );
  }

  async accountsOfClient(clientId: string): Promise<AccountRow[]> {
    requireClientAccess(this.caller, clientId.toLowerCase());
    return this.loaders.accountsByClientId.load(clientId);
  }

  async aggregatedAmounts(clientId: string) {
    requireUuids({ clientId });
    requireClientAccess(this.caller, clientId.toLowerCase());
    const rows = await this.repository.aggregatedAmounts(clientId);
    return rows.map((row) => ({
      currency: row.currency,
      posted: formatAmount(row.posted, row.currency),
      pending: formatAmount(row.pending, row.currency),
      available: formatAmount(row.available, row.currency),
    }));
  }

  // Changing accounts

  async openAccount(input: {
    clientId?: string | null;
    currency: string;
    name: string;
    overdraftLimit?: string | null;
  }) {
    const clientId = clientIdFor(this.caller, input.clientId);
    const currency = input.currency.toUpperCase();
    if (!this.currencies.includes(currency)) {
      throw validationError([
        {
          field: "currency",
          rule: "offered",
          message: `currency must be one of: ${this.currencies.join(", ")}`,
        },
      ]);
    }
    const overdraft = input.overdraftLimit ? this.parseLimit(input.overdraftLimit, currency) : 0n;
    if (overdraft > 0n) requireSystem(this.caller);
    const account = await this.repository.insertAccount({
      kind: AccountKind.CLIENT,
      clientId,
      currency,
      name: input.name,
      overdraftLimit: overdraft,
    });
    this.loaders.accountById.prime(account.id, account);
    return account;
  }

  async updateAccount(
    id: string,
    input: { name?: string | null; status?: AccountStatus | null; overdraftLimit?: string | null },
  ): Promise<AccountRow> {
    const account = await this.existingOwnAccount(id);
    if (input.status || input.overdraftLimit) requireSystem(this.caller);
    if (input.status) {
      if (input.status === AccountStatus.CLOSED) {
        throw new AppError("ACCOUNT_INVALID_STATUS_TRANSITION", "Use closeAccount to close an account", {
          from: account.status,
          to: input.status,
        });
      }
      assertAccountStatusChange(account.status, input.status);
    }
    const overdraftLimit = input.overdraftLimit
      ? this.parseLimit(input.overdraftLimit, account.currency)
      : undefined;
    const updated = await this.repository.updateAccount(account.id, {
      name: input.name ?? undefined,
      status: input.status ?? undefined,
      overdraftLimit,
    });
    if (!updated) {
      const current = await this.repository.accountsByIds([account.id]);
      if (current[0]?.status === AccountStatus.CLOSED) {
        throw new AppError("ACCOUNT_NOT_ACTIVE", "A closed account cannot change", {
          accountId: id,
          status: "CLOSED",
        });
      }
      throw new AppError("OVERDRAFT_LIMIT_IN_USE", "The account already uses more than that overdraft", {
        accountId: id,
      });
    }
    this.loaders.accountById.clear(id).prime(id, updated);
    return updated;
  }

  async closeAccount(id: string): Promise<AccountRow> {
    const account = await this.existingOwnAccount(id);
    if (isBankAccountKind(account.kind)) requireSystem(this.caller);
    const closed = await this.repository.closeAccount(account.id);
    if (!closed) {
      if (account.status === AccountStatus.CLOSED) {
        throw new AppError("ACCOUNT_INVALID_STATUS_TRANSITION", "The account is already closed", {
          from: "CLOSED",
          to: "CLOSED",
        });
      }
      throw new AppError(
        "ACCOUNT_NOT_EMPTY",
        "Only an account with a zero balance and nothing held can be closed",
        {
          accountId: id,
        },
      );
    }
    this.loaders.accountById.clear(id).prime(id, closed);
    return closed;
  }

  /** Puts the client's accounts in the given order; the list must be exactly the client's open accounts. */
  async reorderAccounts(clientId: string, accountIds: string[]): Promise<AccountRow[]> {
    requireUuids({ clientId, ...Object.fromEntries(accountIds.map((id, i) => [`accountIds.${i}`, id])) });
    requireClientAccess(this.caller, clientId.toLowerCase());
    const owned = (await this.repository.accountsByClientIds([clientId])).filter(
      (a) => a.status !== AccountStatus.CLOSED,
    );
    const given = accountIds.map((id) => id.toLowerCase());
    const sameSet =
      given.length === owned.length &&
      new Set(given).size === given.length &&
      owned.every((a) => given.includes(a.id));
    if (!sameSet) {
      throw validationError([
        {
          field: "accountIds",
          rule: "allOpenAccountsOnce",
          message: "accountIds must list each of the client's open accounts exactly once",
        },
      ]);
    }
    await this.repository.reorder(clientId, given);
    const reordered = await this.repository.accountsByClientIds([clientId]);
    return reordered.filter((a) => a.status !== AccountStatus.CLOSED);
  }

  async recalculateBalances(accountIds: string[]) {
    requireSystem(this.caller);
    requireUuids(Object.fromEntries(accountIds.map((id, i) => [`accountIds.${i}`, id])));
    const checks = await this.repository.recalculateBalances(accountIds);
    const currencies = await this.repository.currenciesOf(checks.map((c) => c.accountId));
    return checks.map((check) => {
      const currency = currencies.get(check.accountId)!;
      return {
        accountId: check.accountId,
        currency,
        storedPosted: formatAmount(check.storedPosted, currency),
        actualPosted: formatAmount(check.actualPosted, currency),
        storedPending: formatAmount(check.storedPending, currency),
        actualPending: formatAmount(check.actualPending, currency),
        wasWrong: check.storedPosted !== check.actualPosted || check.storedPending !== check.actualPending,
      };
    });
  }

  // Payments (system callers)

  /**
   * createPayment (IMMEDIATE: moves the money now) or createDraftPayment (DRAFT: moves nothing),
   * once per idempotency key. The key is kept per client the payment acts for (the debit
   * account's, else the credit account's, else the bank's; decision 0020): the same request
   * again answers the payment as it is now, another request is IDEMPOTENCY_KEY_REUSED.
   */
  async createPayment(mode: "IMMEDIATE" | "DRAFT", request: PaymentRequest, idempotencyKey: string) {
    requireSystem(this.caller);
    const debit = request.debitAccountId.toLowerCase();
    const credit = request.creditAccountId.toLowerCase();
    if (debit === credit) {
      throw validationError([
        {
          field: "creditAccountId",
          rule: "differentFromDebit",
          message: "creditAccountId must differ from debitAccountId",
        },
      ]);
    }
    const currencies = await this.repository.currenciesOf([debit, credit]);
    const currency = currencies.get(debit);
    if (!currency)
      throw new AppError("ACCOUNT_NOT_FOUND", `No account ${debit}`, {
        field: "debitAccountId",
        accountId: debit,
      });
    if (!currencies.get(credit)) {
      throw new AppError("ACCOUNT_NOT_FOUND", `No account ${credit}`, {
        field: "creditAccountId",
        accountId: credit,
      });
    }
    if (currencies.get(credit) !== currency) {
      throw new AppError("CURRENCY_MISMATCH", "Both accounts of a payment must hold the same currency", {
        field: "creditAccountId",
        currency,
      });
    }
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
   * pend (hold), post (move the held money) or cancel (release): the documented transitions,
   * each once per idempotency key. The key lives in the payment's scope (its client, decision
   * 0020), shared with the other payment operations: the same key for the same operation on the
   * same payment answers the payment as it is now and moves nothing again; for another payment
   * or operation it is IDEMPOTENCY_KEY_REUSED. A refused request (PAYMENT_INVALID_STATE,
   * INSUFFICIENT_FUNDS, ...) keeps no key, so it may be asked again with it.
   */
  async transitionPayment(
    operation: PaymentOperation,
    id: string,
    idempotencyKey: string,
  ): Promise<PaymentRow> {
    requireSystem(this.caller);
    if (!isUuid(id)) throw new AppError("PAYMENT_NOT_FOUND", `No payment ${id}`, { paymentId: id });
    const paymentId = id.toLowerCase();
    // One round trip: the database decides, under the payment's lock, whether the key was used and
    // whether the status allows it.
    const { from, to } = PAYMENT_TRANSITIONS[operation];
    const payment = await this.repository.transitionPayment({
      id: paymentId,
      operation,
      key: idempotencyKey,
      hash: requestHash([operation, paymentId]),
      from,
      to,
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

  // Transactions

  async transactions(
    filter: TransactionFilter,
    first?: number | null,
    after?: string | null,
  ): Promise<Page<TransactionRow>> {
    if (this.caller.kind === "client") {
      if (!filter.accountId) {
        throw validationError([
          { field: "accountId", rule: "required", message: "accountId is required for front-office callers" },
        ]);
      }
      if (filter.paymentId) requireSystem(this.caller);
      await this.existingOwnAccount(filter.accountId);
    }
    return fetchPage(first, after, (size, position) =>
      this.repository.listTransactions(filter, size, position),
    );
  }

  /** Opening balance, debits, credits and closing balance of an account over [from, to). */
  async transactionReport(accountId: string, from?: Date | null, to?: Date | null) {
    requireUuids({ accountId });
    const account = await this.existingOwnAccount(accountId);
    const start = from ?? new Date(0);
    const end = to ?? new Date();
    if (end < start) {
      throw validationError([{ field: "to", rule: "notBeforeFrom", message: "to must not be before from" }]);
    }
    const row = await this.repository.transactionReport(account.id, start, end);
    const closing = BigInt(row.opening) + BigInt(row.credits) - BigInt(row.debits);
    const money = (value: bigint | string) => formatAmount(value, account.currency);
    return {
      accountId: account.id,
      currency: account.currency,
      from: start,
      to: end,
      openingBalance: money(row.opening),
      debits: money(row.debits),
      credits: money(row.credits),
      closingBalance: money(closing),
      transactionCount: row.count,
    };
  }

  async transaction(id: string): Promise<TransactionRow | null> {
    const transaction = await this.loaders.transactionById.load(id);
    if (transaction && this.caller.kind === "client") {
      const entries = await this.entries(transaction.id);
      if (!entries.length)
        throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's data");
    }
    if (!transaction && this.caller.kind === "client") {
      throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's data");
    }
    return transaction;
  }

  /** A transaction's entries; a front-office caller sees only those on its own accounts. */
  async entries(transactionId: string): Promise<EntryRow[]> {
    const entries = await this.loaders.entriesByTransactionId.load(transactionId);
    if (this.caller.kind === "system") return entries;
    const accounts = await this.loaders.accountById.loadMany(entries.map((e) => e.accountId));
    const clientId = this.caller.clientId;
    return entries.filter((_, i) => {
      const account = accounts[i];
      return account && !(account instanceof Error) && account.clientId === clientId;
    });
  }

  async accountTransactions(account: AccountRow, first?: number | null, after?: string | null) {
    this.requireOwnAccount(account);
    return fetchPage(first, after, (size, position) =>
      this.repository.listTransactions({ accountId: account.id }, size, position),
    );
  }

  // Helpers

  private requireOwnAccount(account: AccountRow | null): void {
    if (this.caller.kind === "client" && account?.clientId !== this.caller.clientId) {
      throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's accounts");
    }
  }

  private async existingOwnAccount(id: string): Promise<AccountRow> {
    const account = await this.account(id);
    if (!account) throw new AppError("ACCOUNT_NOT_FOUND", `No account ${id}`, { accountId: id });
    return account;
  }

  /** An overdraft limit may be zero (an amount may not). */
  private parseLimit(value: string, currency: string): bigint {
    return /^0+(\.0+)?$/.test(value) ? 0n : parseAmount(value, currency, "overdraftLimit");
  }

  /** Balances changed in the database: drop cached rows so this request reads them fresh. */
  private forgetAccounts(payment: PaymentRow): void {
    this.loaders.accountById.clear(payment.debitAccountId).clear(payment.creditAccountId);
  }
}
