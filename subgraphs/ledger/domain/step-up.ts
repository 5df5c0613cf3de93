/**
 * Step-up for sensitive account actions (decision 0039): a front-office caller verifies a
 * one-time code (common/otp.ts) for one action on one account and gets a grant that allows that
 * action once, until it expires. Pure rules; the service reads and writes what they decide.
 */
import { ledgerError } from "./errors";

/** The account actions a front-office caller needs a grant for. */
export enum AccountOtpAction {
  CLOSE_ACCOUNT = "CLOSE_ACCOUNT",
}

/** Codes one user may be sent for one action on one account are counted over this window. */
export const CODE_WINDOW_HOURS = 24;

/**
 * A closed account takes no step-up code (nor the grant one would give): its actions are over.
 * ACCOUNT_NOT_ACTIVE, the code of every other change refused on a closed account, naming it.
 */
export function requireStepUpPossible(account: { id: string; status: string }): void {
  if (account.status === "CLOSED") {
    throw ledgerError("ACCOUNT_NOT_ACTIVE", {
      accountId: account.id,
      status: account.status,
      field: "accountId",
    });
  }
}

/** Why a grant does not allow an action. */
export type GrantProblem = "missing" | "unknown" | "expired" | "used";

/** A stored grant, as the rule sees it. */
export interface GrantFacts {
  requestedBy: string;
  accountId: string;
  action: string;
  expiresAt: Date;
  usedAt: Date | null;
}

/**
 * Whether `grant` allows `use` (by `subject`, on `accountId`, `action`, at the database's `now`):
 * null when it does, else the problem. Someone else's grant, or one for another account or
 * action, is `unknown`: it tells nothing about grants that are not the caller's.
 */
export function grantProblem(
  grant: GrantFacts | null,
  use: { subject: string; accountId: string; action: AccountOtpAction; now: Date },
): GrantProblem | null {
  if (
    !grant ||
    grant.requestedBy !== use.subject ||
    grant.accountId !== use.accountId ||
    grant.action !== use.action
  ) {
    return "unknown";
  }
  if (grant.usedAt) return "used";
  if (grant.expiresAt.getTime() <= use.now.getTime()) return "expired";
  return null;
}
