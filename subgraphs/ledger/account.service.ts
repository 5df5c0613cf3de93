/**
 * Client accounts: reading, opening, changing, closing, ordering, and checking their balances.
 * One instance per request (caller, loaders). A front-office caller sees and acts on its own
 * client's accounts only; status and overdraft changes are for system callers.
 */
import type { RowProperties } from "../../common/db/row-reader";
import { CURRENCY_EXPONENTS, formatAmount, parseAmount } from "../../common/amount";
import {
  type Caller,
  clientIdFor,
  listScope,
  requireClientAccess,
  requireSystem,
} from "../../common/auth/caller";
import { AppError, validationError } from "../../common/errors";
import { fetchPage, type Page } from "../../common/graphql/pagination";
import { isValidAccountNumber } from "../../common/account-number";
import { requireUuids } from "../../common/require-uuids";
import {
  AccountKind,
  AccountStatus,
  assertAccountStatusChange,
  isBankAccountKind,
} from "./domain/account-status";
import { ledgerError } from "./domain/errors";
import type { StepUpGuard } from "./account-otp.service";
import { AccountOtpAction } from "./domain/step-up";
import type { AccountFilter, AccountRepository } from "./persistence/account.repository";
import type { AccountRow } from "./persistence/entities";
import type { LedgerLoaders } from "./persistence/loaders";

export class AccountService {
  constructor(
    private readonly repository: AccountRepository,
    private readonly loaders: LedgerLoaders,
    private readonly caller: Caller,
    private readonly currencies: string[],
    /** Sensitive actions of a front-office caller need a step-up grant (decision 0039). */
    private readonly stepUp: StepUpGuard,
  ) {}

  availableCurrencies() {
    return this.currencies.map((code) => ({ code, exponent: CURRENCY_EXPONENTS[code] }));
  }

  // Reading

  /** An account the caller may see. A front-office caller gets FORBIDDEN for any account not its own, existing or not. */
  async account(id: string): Promise<AccountRow | null> {
    const account = await this.loaders.accountById.load(id);
    this.requireOwnAccount(account);
    return account;
  }

  /** As {@link account}, and ACCOUNT_NOT_FOUND when there is none. */
  async existingOwnAccount(id: string): Promise<AccountRow> {
    const account = await this.account(id);
    if (!account) throw ledgerError("ACCOUNT_NOT_FOUND", { accountId: id });
    return account;
  }

  /** FORBIDDEN unless a front-office caller owns the account (system callers reach every account). */
  requireOwnAccount(account: AccountRow | null): void {
    if (this.caller.kind === "client" && account?.clientId !== this.caller.clientId) {
      throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's accounts");
    }
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
    properties?: RowProperties,
  ): Promise<Page<AccountRow>> {
    const clientId = listScope(this.caller, filter.clientId);
    return fetchPage(first, after, (size, position) =>
      this.repository.listAccounts({ ...filter, clientId }, size, position, properties),
    );
  }

  async accountsOfClient(clientId: string): Promise<AccountRow[]> {
    requireClientAccess(this.caller, clientId);
    return this.loaders.accountsByClientId.load(clientId);
  }

  async aggregatedAmounts(clientId: string) {
    requireUuids({ clientId });
    requireClientAccess(this.caller, clientId);
    const rows = await this.repository.aggregatedAmounts(clientId);
    return rows.map((row) => ({
      currency: row.currency,
      posted: formatAmount(row.posted, row.currency),
      pending: formatAmount(row.pending, row.currency),
      available: formatAmount(row.available, row.currency),
    }));
  }

  // Changing

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
    const overdraft = input.overdraftLimit ? parseLimit(input.overdraftLimit, currency) : 0n;
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
      ? parseLimit(input.overdraftLimit, account.currency)
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

  /** Closes an empty account; a front-office caller needs a step-up grant for it (`otpGrant`), used up by it. */
  async closeAccount(id: string, otpGrant?: string | null): Promise<AccountRow> {
    const account = await this.existingOwnAccount(id);
    if (isBankAccountKind(account.kind)) requireSystem(this.caller);
    const closed = await this.stepUp.guard(account, AccountOtpAction.CLOSE_ACCOUNT, otpGrant, (tx) =>
      this.repository.closeAccount(account.id, tx),
    );
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
    requireUuids({ clientId, accountIds });
    requireClientAccess(this.caller, clientId);
    const owned = (await this.repository.accountsByClientIds([clientId])).filter(
      (a) => a.status !== AccountStatus.CLOSED,
    );
    const sameSet =
      accountIds.length === owned.length &&
      new Set(accountIds).size === accountIds.length &&
      owned.every((a) => accountIds.includes(a.id));
    if (!sameSet) {
      throw validationError([
        {
          field: "accountIds",
          rule: "allOpenAccountsOnce",
          message: "accountIds must list each of the client's open accounts exactly once",
        },
      ]);
    }
    await this.repository.reorder(clientId, accountIds);
    const reordered = await this.repository.accountsByClientIds([clientId]);
    return reordered.filter((a) => a.status !== AccountStatus.CLOSED);
  }

  /** Recomputes stored balances from the entries and holds, corrects any that were wrong. System only. */
  async recalculateBalances(accountIds: string[]) {
    requireSystem(this.caller);
    requireUuids({ accountIds });
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
}

/** An overdraft limit may be zero (an amount may not). */
function parseLimit(value: string, currency: string): bigint {
  return /^0+(\.0+)?$/.test(value) ? 0n : parseAmount(value, currency, "overdraftLimit");
}
