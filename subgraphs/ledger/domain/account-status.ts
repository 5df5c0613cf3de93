import { AppError } from "../../../common/errors";

export enum AccountStatus {
  ACTIVE = "ACTIVE",
  BLOCKED = "BLOCKED",
  CLOSED = "CLOSED",
}

/** System accounts (per-currency settlement) are owned by the bank, never by a client. */
export enum AccountKind {
  CLIENT = "CLIENT",
  SETTLEMENT = "SETTLEMENT",
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
