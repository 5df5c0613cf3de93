import { AppError } from "../../../common/errors";

export enum AccountStatus {
  ACTIVE = "ACTIVE",
  BLOCKED = "BLOCKED",
  CLOSED = "CLOSED",
}

/** CLIENT accounts belong to a client; every other kind is the bank's own, one per offered currency. */
export enum AccountKind {
  CLIENT = "CLIENT",
  SETTLEMENT = "SETTLEMENT",
  SUSPENSE = "SUSPENSE",
  FX_POSITION = "FX_POSITION",
}

/**
 * The bank's own account kinds. Each offered currency has exactly one account of each
 * (created at start); they have no client and no funds check, so they may go negative.
 */
export const BANK_ACCOUNT_KINDS = [
  AccountKind.SETTLEMENT,
  AccountKind.SUSPENSE,
  AccountKind.FX_POSITION,
] as const;
export type BankAccountKind = (typeof BANK_ACCOUNT_KINDS)[number];

export function isBankAccountKind(kind: AccountKind): kind is BankAccountKind {
  return kind !== AccountKind.CLIENT;
}

const BANK_ACCOUNT_LABELS: Readonly<Record<BankAccountKind, string>> = {
  [AccountKind.SETTLEMENT]: "settlement",
  [AccountKind.SUSPENSE]: "suspense",
  [AccountKind.FX_POSITION]: "FX position",
};

/** "EUR settlement", "EUR suspense", "EUR FX position". */
export function bankAccountName(kind: BankAccountKind, currency: string): string {
  return `${currency} ${BANK_ACCOUNT_LABELS[kind]}`;
}

/** from -> the statuses `updateAccount` may set. CLOSED is final and only `closeAccount` reaches it. */
export const ACCOUNT_STATUS_TRANSITIONS: Readonly<Record<AccountStatus, AccountStatus[]>> = {
  [AccountStatus.ACTIVE]: [AccountStatus.BLOCKED],
  [AccountStatus.BLOCKED]: [AccountStatus.ACTIVE],
  [AccountStatus.CLOSED]: [],
};

export function assertAccountStatusChange(from: AccountStatus, to: AccountStatus): void {
  if (from !== to && !ACCOUNT_STATUS_TRANSITIONS[from].includes(to)) {
    throw new AppError("ACCOUNT_INVALID_STATUS_TRANSITION", `An account cannot go from ${from} to ${to}`, {
      from,
      to,
    });
  }
}
