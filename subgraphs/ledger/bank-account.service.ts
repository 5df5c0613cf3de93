/**
 * The bank's own accounts: one of each bank kind (SETTLEMENT, SUSPENSE, FX_POSITION) per offered
 * currency, created at start (`AccountRepository.ensureBankAccounts`). System callers only.
 */
import { type Caller, requireSystem } from "../../common/auth/caller";
import { AccountKind, isBankAccountKind } from "./domain/account-status";
import type { AccountRepository } from "./persistence/account.repository";
import type { AccountRow } from "./persistence/entities";

export class BankAccountService {
  constructor(
    private readonly repository: AccountRepository,
    private readonly caller: Caller,
  ) {}

  /** The bank's account of `kind` in `currency`: null for CLIENT (not the bank's) and for a currency without one. */
  async bankAccount(kind: AccountKind, currency: string): Promise<AccountRow | null> {
    requireSystem(this.caller);
    if (!isBankAccountKind(kind)) return null;
    return this.repository.bankAccount(kind, currency.toUpperCase());
  }

  /** The bank's account through which money in `currency` enters and leaves. */
  settlementAccount(currency: string): Promise<AccountRow | null> {
    return this.bankAccount(AccountKind.SETTLEMENT, currency);
  }
}
