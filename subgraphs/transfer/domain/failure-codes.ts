/**
 * Why a transfer failed, or waits in suspense: the closed list `Transfer.failureCode` takes. The
 * ledger's refusals that settle a step (decision 0012) keep their error code, and so their
 * description, from the registry (common/errors.ts); the rail's refusal is the transfer
 * orchestrator's own.
 */
import { ERROR_CODES } from "../../../common/errors";

/** The ledger's answers that settle a step: the transfer fails or compensates with that code. */
export const LEDGER_REFUSALS = [
  "INSUFFICIENT_FUNDS",
  "CURRENCY_MISMATCH",
  "ACCOUNT_NOT_ACTIVE",
  "ACCOUNT_NOT_FOUND",
  "VALIDATION_FAILED",
] as const;

export type LedgerRefusal = (typeof LEDGER_REFUSALS)[number];

/** Every failure code, with what it means. */
export const TRANSFER_FAILURE_CODES: Record<LedgerRefusal | "RAIL_REJECTED", string> = {
  ...(Object.fromEntries(LEDGER_REFUSALS.map((code) => [code, ERROR_CODES[code].description])) as Record<
    LedgerRefusal,
    string
  >),
  RAIL_REJECTED:
    "The payment rail refused the outgoing transfer (the beneficiary's bank or account); the hold was released.",
};

export type TransferFailureCode = keyof typeof TRANSFER_FAILURE_CODES;
