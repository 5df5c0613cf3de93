/** The period of a back-office report: [from, to), `to` after `from`, at most {@link MAX_REPORT_DAYS} days. */
import { validationError } from "./errors";

export const MAX_REPORT_DAYS = 31;

/**
 * How many transfers one ask for their settlement movements may name (the ledger's
 * `settlementMovementsOfTransfers`, which the reconciliation report calls in chunks of it).
 */
export const MAX_SETTLEMENT_TRANSFER_IDS = 500;

/** @throws AppError VALIDATION_FAILED on `to`: `isAfterFrom` or `maxPeriod`. */
export function requireReportPeriod(from: Date, to: Date): void {
  if (to.getTime() <= from.getTime()) {
    throw validationError([{ field: "to", rule: "isAfterFrom", message: "to must be after from" }]);
  }
  if (to.getTime() - from.getTime() > MAX_REPORT_DAYS * 86_400_000) {
    throw validationError([
      { field: "to", rule: "maxPeriod", message: `the period may cover at most ${MAX_REPORT_DAYS} days` },
    ]);
  }
}
