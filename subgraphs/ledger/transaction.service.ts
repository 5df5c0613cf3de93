/**
 * Ledger transactions: lists, one transaction, its entries and an account's report. A
 * front-office caller reads only through its own accounts, and in a transaction sees only the
 * entries on them (the counterparty is not its data).
 */
import type { RowProperties } from "../../common/db/row-reader";
import { formatAmount } from "../../common/amount";
import { type Caller, requireSystem } from "../../common/auth/caller";
import { AppError, validationError } from "../../common/errors";
import { fetchPage, type Page } from "../../common/graphql/pagination";
import { requireUuids } from "../../common/require-uuids";
import type { AccountService } from "./account.service";
import type { AccountRow, EntryRow, TransactionRow } from "./persistence/entities";
import type { LedgerLoaders } from "./persistence/loaders";
import type { TransactionFilter, TransactionRepository } from "./persistence/transaction.repository";

export class TransactionService {
  constructor(
    private readonly repository: TransactionRepository,
    private readonly loaders: LedgerLoaders,
    private readonly caller: Caller,
    private readonly accounts: AccountService,
  ) {}

  async transactions(
    filter: TransactionFilter,
    first?: number | null,
    after?: string | null,
    properties?: RowProperties,
  ): Promise<Page<TransactionRow>> {
    if (this.caller.kind === "client") {
      if (!filter.accountId) {
        throw validationError([
          { field: "accountId", rule: "required", message: "accountId is required for front-office callers" },
        ]);
      }
      if (filter.paymentId) requireSystem(this.caller);
      await this.accounts.existingOwnAccount(filter.accountId);
    }
    return fetchPage(first, after, (size, position) =>
      this.repository.listTransactions(filter, size, position, properties),
    );
  }

  /** The account's statement, oldest first. */
  async accountTransactions(
    account: AccountRow,
    first?: number | null,
    after?: string | null,
    properties?: RowProperties,
  ) {
    this.accounts.requireOwnAccount(account);
    return fetchPage(first, after, (size, position) =>
      this.repository.listTransactions({ accountId: account.id }, size, position, properties),
    );
  }

  /** Opening balance, debits, credits and closing balance of an account over [from, to). */
  async transactionReport(accountId: string, from?: Date | null, to?: Date | null) {
    requireUuids({ accountId });
    const account = await this.accounts.existingOwnAccount(accountId);
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

  /** A front-office caller reaches only a transaction with an entry on one of its accounts (FORBIDDEN otherwise, existing or not). */
  async transaction(id: string): Promise<TransactionRow | null> {
    const transaction = await this.loaders.transactionById.load(id);
    if (this.caller.kind === "client" && !(transaction && (await this.entries(transaction.id)).length)) {
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
}
