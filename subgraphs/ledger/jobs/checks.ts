/**
 * Runs a check run (the daily check of one closed day, or the balance check of the ledger as it
 * is now): each check of its kind, the transfer checks through the orchestrator's API, then the
 * run written once with its results and findings. A check that could not run fails the run's
 * job, so pg-boss retries it; the run that recorded the failure stays in the history.
 */
import type { LedgerDaysConfig } from "../../../common/config";
import { CHECKS_OF, checkResults, CheckName, CheckRunKind, type Finding } from "../domain/daily-check";
import type { CheckRepository } from "../persistence/check.repository";
import {
  IN_FLIGHT_STATUSES,
  SUSPENSE_STATUS,
  type TransferFact,
  type TransferFactsPort,
} from "./transfer-facts";

export interface CheckRunOutcome {
  checkRunId: string;
  checksPassed: number;
  checksFailed: number;
  findingCount: number;
  /** Checks that could not run, with why. */
  errors: Record<string, string>;
}

export async function runChecks(
  deps: { checks: CheckRepository; transfers: TransferFactsPort; config: LedgerDaysConfig },
  kind: CheckRunKind,
  businessDay: string | null,
  jobId: string | null,
  now: Date = new Date(),
): Promise<CheckRunOutcome> {
  const { checks, transfers, config } = deps;
  const day = kind === CheckRunKind.DAILY_CHECK ? businessDay : null;
  const steps: Partial<Record<CheckName, () => Promise<Finding[]>>> = {
    [CheckName.CURRENCY_SUMS_TO_ZERO]: () => checks.currencySums(day),
    [CheckName.ACCOUNT_BALANCES_MATCH_ENTRIES]: () => checks.accountBalances(),
    [CheckName.HOLDS_MATCH_PENDING_PAYMENTS]: () => checks.holds(),
    [CheckName.DAILY_BALANCES_MATCH_ENTRIES]: () => checks.dailyBalances(day!),
    [CheckName.DAY_CHAIN_UNBROKEN]: () => checks.dayChain(day!),
    // Stale: in its current status too long, however old the transfer itself is.
    [CheckName.NO_STALE_TRANSFERS]: async () =>
      (
        await transfers.olderThan(
          IN_FLIGHT_STATUSES,
          new Date(now.getTime() - config.transferMaxMinutes * 60_000),
          "statusChanged",
        )
      ).map((t) => transferFinding(CheckName.NO_STALE_TRANSFERS, t, day, now, t.statusChangedAt)),
    [CheckName.NO_OLD_SUSPENSE_ITEMS]: async () =>
      (
        await transfers.olderThan(
          [SUSPENSE_STATUS],
          new Date(now.getTime() - config.suspenseMaxDays * 86_400_000),
          "created",
        )
      ).map((t) => transferFinding(CheckName.NO_OLD_SUSPENSE_ITEMS, t, day, now, t.createdAt)),
  };
  const names = CHECKS_OF[kind];
  const findings: Finding[] = [];
  const errors = new Map<CheckName, string>();
  for (const name of names) {
    try {
      findings.push(...(await steps[name]!()));
    } catch (error) {
      errors.set(name, error instanceof Error ? error.message : String(error));
    }
  }
  const results = checkResults(names, findings, errors);
  const checkRunId = await checks.saveRun(
    { kind, businessDay: day, jobId, startedAt: now },
    results,
    findings,
  );
  const passed = results.filter((r) => r.passed).length;
  return {
    checkRunId,
    checksPassed: passed,
    checksFailed: results.length - passed,
    findingCount: findings.length,
    errors: Object.fromEntries(errors),
  };
}

/** A finding on `transfer`, aged from `since` (its creation, or its newest status change). */
function transferFinding(
  check: CheckName,
  transfer: TransferFact,
  day: string | null,
  now: Date,
  since: string,
): Finding {
  const ageMinutes = Math.floor((now.getTime() - Date.parse(since)) / 60_000);
  return {
    check,
    subjectKind: "TRANSFER",
    subjectId: transfer.id,
    businessDay: day,
    details: { ...transfer, ageMinutes },
  };
}
