/**
 * The checks of a check run (decision 0036). A daily check runs once per closed business day;
 * the balance check (AccountBalanceCheckJob) runs the checks of the ledger as it is now. Each
 * check passes when it has no finding; a check that could not run (the transfer orchestrator
 * unreachable) fails with its error, and the job is retried.
 */

export enum CheckRunKind {
  DAILY_CHECK = "DAILY_CHECK",
  BALANCE_CHECK = "BALANCE_CHECK",
}

export enum CheckName {
  /** Every currency sums to zero: the accounts' posted balances, and the day's closing balances. */
  CURRENCY_SUMS_TO_ZERO = "CURRENCY_SUMS_TO_ZERO",
  /** Each account's stored posted balance equals the sum of its entries. */
  ACCOUNT_BALANCES_MATCH_ENTRIES = "ACCOUNT_BALANCES_MATCH_ENTRIES",
  /** Each account's held (pending) balance equals its PENDING payments. */
  HOLDS_MATCH_PENDING_PAYMENTS = "HOLDS_MATCH_PENDING_PAYMENTS",
  /** The day's stored daily balances equal what its entries give. */
  DAILY_BALANCES_MATCH_ENTRIES = "DAILY_BALANCES_MATCH_ENTRIES",
  /** Every account opens the day where it closed the day before. */
  DAY_CHAIN_UNBROKEN = "DAY_CHAIN_UNBROKEN",
  /**
   * No transfer sits in an unfinished status longer than 60 minutes (DAY_LIMITS.transferMaxMinutes),
   * measured from its newest status change: a transfer that just moved on is not stale, however old.
   */
  NO_STALE_TRANSFERS = "NO_STALE_TRANSFERS",
  /** No money waits in suspense longer than DAILY_CHECK_SUSPENSE_MAX_DAYS. */
  NO_OLD_SUSPENSE_ITEMS = "NO_OLD_SUSPENSE_ITEMS",
}

/** The checks each kind of run makes, in order. */
export const CHECKS_OF: Readonly<Record<CheckRunKind, readonly CheckName[]>> = {
  [CheckRunKind.DAILY_CHECK]: Object.values(CheckName),
  [CheckRunKind.BALANCE_CHECK]: [
    CheckName.CURRENCY_SUMS_TO_ZERO,
    CheckName.ACCOUNT_BALANCES_MATCH_ENTRIES,
    CheckName.HOLDS_MATCH_PENDING_PAYMENTS,
  ],
};

export type SubjectKind = "ACCOUNT" | "CURRENCY" | "TRANSFER";

/** One thing a check found wrong, naming what it concerns. */
export interface Finding {
  check: CheckName;
  subjectKind: SubjectKind;
  subjectId: string;
  businessDay: string | null;
  details: Record<string, unknown>;
}

export interface CheckResult {
  check: CheckName;
  passed: boolean;
  findingCount: number;
  /** Why the check could not run, when it could not. */
  error: string | null;
}

/** Each check's result from its findings (and the errors of those that could not run). */
export function checkResults(
  checks: readonly CheckName[],
  findings: readonly Finding[],
  errors: ReadonlyMap<CheckName, string>,
): CheckResult[] {
  return checks.map((check) => {
    const findingCount = findings.filter((f) => f.check === check).length;
    const error = errors.get(check) ?? null;
    return { check, passed: !error && findingCount === 0, findingCount, error };
  });
}
