/**
 * Account step-up (decision 0039): a front-office caller asks for a one-time code for one action
 * on one of its accounts, verifies it, and gets a grant that allows that action once before it
 * expires. Codes follow the one implementation of one-time codes (common/otp.ts: hashing, expiry,
 * attempts, resends); one instance per request.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type { Caller } from "../../common/auth/caller";
import type { OtpConfig } from "../../common/config";
import { AppError } from "../../common/errors";
import { log } from "../../common/log";
import { type CodeVerdict, hashCode, newCode, requireAnotherCodeAllowed, verifyCode } from "../../common/otp";
import type { AccountService } from "./account.service";
import { ledgerError } from "./domain/errors";
import {
  type AccountOtpAction,
  CODE_WINDOW_HOURS,
  grantProblem,
  requireStepUpPossible,
} from "./domain/step-up";
import type { AccountOtpRepository, AccountOtpRow, Tx } from "./persistence/account-otp.repository";
import type { AccountRow } from "./persistence/entities";

/** What verifying a code gives: the grant (shown once, never stored) for one action on one account. */
export interface StepUpGrant {
  grant: string;
  otpId: string;
  accountId: string;
  action: AccountOtpAction;
  expiresAt: Date;
}

export type AccountOtpSettings = OtpConfig & { grantTtlSeconds: number };

function grantHash(grant: string): string {
  return createHash("sha256").update(grant).digest("hex");
}

function requireFrontOffice(caller: Caller): asserts caller is Extract<Caller, { kind: "client" }> {
  if (caller.kind !== "client") {
    throw new AppError("FORBIDDEN", "Step-up codes are for front-office callers; system callers need none");
  }
}

export class AccountOtpService {
  constructor(
    private readonly repository: AccountOtpRepository,
    private readonly accounts: AccountService,
    private readonly caller: Caller,
    private readonly settings: AccountOtpSettings,
    private readonly requestId: string,
  ) {}

  /**
   * Sends a code for `action` on one of the caller's accounts through the outbox (never in the
   * answer); an open code for the same action and account is replaced.
   * A closed account is refused before anything is counted or written.
   * @throws FORBIDDEN (a system caller, or another client's account), ACCOUNT_NOT_FOUND,
   *   ACCOUNT_NOT_ACTIVE (the account is CLOSED), CONFIRMATION_LIMIT_REACHED (OTP_MAX_CODES in 24 hours).
   */
  async send(accountId: string, action: AccountOtpAction): Promise<AccountOtpRow> {
    requireFrontOffice(this.caller);
    const account = await this.accounts.existingOwnAccount(accountId);
    requireStepUpPossible(account);
    const scope = { accountId: account.id, requestedBy: this.caller.subject, action };
    const { ttlSeconds, maxAttempts, maxCodes, secret } = this.settings;
    const otp = await this.repository.transaction(async (tx) => {
      // Again under a share lock: a close that committed since the read above is seen, one after waits.
      const status = await this.repository.accountStatus(tx, account.id);
      requireStepUpPossible({ id: account.id, status: status ?? account.status });
      const sent = await this.repository.lockScopeAndCount(tx, scope, CODE_WINDOW_HOURS);
      requireAnotherCodeAllowed(
        { accountId: account.id },
        { sent, max: maxCodes },
        `ask again within ${CODE_WINDOW_HOURS} hours of the first`,
      );
      await this.repository.voidOpen(tx, scope);
      const id = randomUUID();
      const code = newCode();
      const row = await this.repository.insert(tx, {
        ...scope,
        id,
        clientId: account.clientId!,
        codeHash: hashCode(secret, id, code),
        maxAttempts,
        ttlSeconds,
      });
      await this.repository.queueNotification(tx, account.clientId!, "ACCOUNT_OTP_CODE", {
        otpId: id,
        accountId: account.id,
        action,
        code,
        expiresAt: row.expiresAt,
      });
      return row;
    });
    // The code goes to the outbox only, never to the log.
    log.info(
      { service: "ledger", requestId: this.requestId, otpId: otp.id, accountId, action },
      "account code queued",
    );
    return otp;
  }

  /**
   * Checks the code; a right one gives the grant, a wrong one is counted (and committed) before
   * the error is returned. A code of an account closed since it was sent gives no grant: it is
   * voided (the account's actions are over) and the caller told why.
   * @throws FORBIDDEN (a system caller), CONFIRMATION_NOT_FOUND (unknown, someone else's, used or
   *   replaced), ACCOUNT_NOT_ACTIVE (the account is CLOSED), CONFIRMATION_EXPIRED,
   *   CONFIRMATION_CODE_INVALID, CONFIRMATION_LOCKED.
   */
  async verify(otpId: string, code: string): Promise<StepUpGrant> {
    requireFrontOffice(this.caller);
    const subject = this.caller.subject;
    const { secret, grantTtlSeconds } = this.settings;
    const outcome = await this.repository.transaction(async (tx) => {
      const found = await this.repository.lockById(tx, otpId);
      const mine = found && found.otp.requestedBy === subject ? found : null;
      const closed = mine && (await this.repository.accountStatus(tx, mine.otp.accountId)) === "CLOSED";
      if (closed) {
        await this.repository.voidOpen(tx, mine.otp);
        return {
          error: ledgerError("ACCOUNT_NOT_ACTIVE", {
            accountId: mine.otp.accountId,
            status: "CLOSED",
            field: "otpId",
          }),
        };
      }
      const verdict: CodeVerdict = verifyCode(
        {
          secret,
          subjectId: otpId,
          subject: mine ? { accountId: mine.otp.accountId } : {},
          code,
          confirmationId: null,
        },
        mine && { confirmation: mine.otp, now: mine.now },
      );
      if (mine && verdict.change) await this.repository.update(tx, otpId, verdict.change);
      if (!verdict.accepted) return { error: verdict.error };
      const grant = randomBytes(32).toString("base64url");
      const expiresAt = await this.repository.setGrant(tx, otpId, grantHash(grant), grantTtlSeconds);
      const { accountId, action } = mine!.otp;
      return { grant: { grant, otpId, accountId, action: action as AccountOtpAction, expiresAt } };
    });
    if ("error" in outcome) throw outcome.error;
    return outcome.grant;
  }
}

/** Sensitive account actions: run for a system caller, or for a front-office caller with a grant. */
export class StepUpGuard {
  constructor(
    private readonly repository: AccountOtpRepository,
    private readonly caller: Caller,
  ) {}

  /**
   * Runs `action` on `account` (`run`, in a transaction) for a system caller as is, and for a
   * front-office caller only with a grant for it, which the same transaction uses up: an action
   * that does nothing (`run` answers null) leaves the grant as it was.
   * @throws STEP_UP_REQUIRED with `reason` missing, unknown, expired or used.
   */
  async guard<T>(
    account: AccountRow,
    action: AccountOtpAction,
    grant: string | null | undefined,
    run: (tx: Tx | undefined) => Promise<T | null>,
  ): Promise<T | null> {
    if (this.caller.kind !== "client") return run(undefined);
    const subject = this.caller.subject;
    const refuse = (reason: string) =>
      new AppError("STEP_UP_REQUIRED", `This action needs a step-up grant for ${action} (${reason})`, {
        accountId: account.id,
        action,
        reason,
      });
    if (!grant) throw refuse("missing");
    const nothingDone = Symbol("nothing done");
    try {
      return await this.repository.transaction(async (tx) => {
        const found = await this.repository.lockGrant(tx, grantHash(grant));
        const problem = grantProblem(
          found && { ...found.otp, expiresAt: found.otp.grantExpiresAt!, usedAt: found.otp.grantUsedAt },
          { subject, accountId: account.id, action, now: found?.now ?? new Date() },
        );
        if (problem) throw refuse(problem);
        await this.repository.markGrantUsed(tx, found!.otp.id);
        const result = await run(tx);
        if (result === null) throw nothingDone; // rolls the grant's use back
        return result;
      });
    } catch (error) {
      if (error === nothingDone) return null;
      throw error;
    }
  }
}
