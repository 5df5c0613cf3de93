/**
 * One-time codes, the one implementation for every subgraph (transfer confirmations, account
 * step-up: decisions 0015 and 0039): six random digits, kept only as an HMAC under the server's
 * secret bound to the code's subject (a transfer, an account), compared in constant time. A
 * confirmation is OPEN until it is USED, VOIDED (a new code was sent, or its subject moved on) or
 * LOCKED (too many wrong codes). The decisions (found? locked? expired? right code? attempts
 * left? another code allowed?) are pure functions here; the use cases only read and write what
 * they decide, each in its own subgraph's table.
 */
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { AppError } from "./errors";

export enum ConfirmationStatus {
  OPEN = "OPEN",
  USED = "USED",
  VOIDED = "VOIDED",
  LOCKED = "LOCKED",
}

export function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, "0");
}

/** HMAC-SHA256(secret, `subjectId:code`): a code is good only for the subject it was sent for. */
export function hashCode(secret: string, subjectId: string, code: string): string {
  return createHmac("sha256", secret).update(`${subjectId}:${code}`).digest("hex");
}

export function codeMatches(secret: string, subjectId: string, code: string, storedHash: string): boolean {
  const given = Buffer.from(hashCode(secret, subjectId, code), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}

/** What a wrong code does: one attempt more, and LOCKED at the limit. */
export function afterWrongCode(attempts: number, maxAttempts: number) {
  const used = attempts + 1;
  return {
    attempts: used,
    status: used >= maxAttempts ? ConfirmationStatus.LOCKED : ConfirmationStatus.OPEN,
    attemptsLeft: Math.max(maxAttempts - used, 0),
  };
}

/** A confirmation as the decisions see it. */
export interface ConfirmationFacts {
  id: string;
  status: string;
  attempts: number;
  maxAttempts: number;
  expiresAt: Date;
  codeHash: string;
}

/** How a confirmation changes: its attempts and status. */
export interface ConfirmationChange {
  attempts: number;
  status: ConfirmationStatus;
}

/**
 * The verdict on a code: accepted (the confirmation becomes USED), or refused with the error for
 * the caller and, for a wrong code, the attempt to count (committed before the error is returned).
 */
export type CodeVerdict =
  | { accepted: true; change: ConfirmationChange }
  | { accepted: false; error: AppError; change?: ConfirmationChange };

/** A code expires at `expiresAt`, by the database's clock `now`. */
export function isExpired(expiresAt: Date, now: Date): boolean {
  return expiresAt.getTime() <= now.getTime();
}

/** A code given for a subject (`subjectId`, named to the caller by `subject`, e.g. `{ transferId }`). */
export interface CodeAttempt {
  secret: string;
  subjectId: string;
  /** The facts that name the subject in an error (`{ transferId }`, `{ accountId }`). */
  subject: Record<string, string>;
  code: string;
  /** Set when the client addressed the confirmation rather than its subject: only that one may be confirmed. */
  confirmationId: string | null;
}

/**
 * The verdict on `attempt.code` for the subject's latest confirmation (`latest`, with the
 * database's time).
 */
export function verifyCode(
  attempt: CodeAttempt,
  latest: { confirmation: ConfirmationFacts; now: Date } | null,
): CodeVerdict {
  const confirmation = latest?.confirmation;
  const details = { ...attempt.subject, confirmationId: confirmation?.id };
  const refuse = (error: AppError, change?: ConfirmationChange): CodeVerdict => ({
    accepted: false,
    error,
    change,
  });
  if (
    !latest ||
    !confirmation ||
    (attempt.confirmationId && confirmation.id !== attempt.confirmationId) ||
    confirmation.status === ConfirmationStatus.USED ||
    confirmation.status === ConfirmationStatus.VOIDED
  ) {
    return refuse(
      new AppError(
        "CONFIRMATION_NOT_FOUND",
        "No open one-time code: it was used, replaced or never sent",
        details,
      ),
    );
  }
  if (confirmation.status === ConfirmationStatus.LOCKED) {
    return refuse(
      new AppError("CONFIRMATION_LOCKED", "Too many wrong codes: ask for a new one", {
        ...details,
        attemptsLeft: 0,
      }),
    );
  }
  if (isExpired(confirmation.expiresAt, latest.now)) {
    return refuse(
      new AppError("CONFIRMATION_EXPIRED", "The code has expired: ask for a new one", {
        ...details,
        expiresAt: confirmation.expiresAt.toISOString(),
      }),
    );
  }
  if (!codeMatches(attempt.secret, attempt.subjectId, attempt.code, confirmation.codeHash)) {
    const { attemptsLeft, ...change } = afterWrongCode(confirmation.attempts, confirmation.maxAttempts);
    const error =
      change.status === ConfirmationStatus.LOCKED
        ? new AppError("CONFIRMATION_LOCKED", "Wrong code, and that was the last attempt", {
            ...details,
            attemptsLeft: 0,
          })
        : new AppError("CONFIRMATION_CODE_INVALID", "Wrong code", { ...details, attemptsLeft });
    return refuse(error, change);
  }
  return { accepted: true, change: { attempts: confirmation.attempts, status: ConfirmationStatus.USED } };
}

/**
 * Refuses another code once the subject has had `maxCodes` of them, so resending cannot buy
 * unlimited guesses (CONFIRMATION_LIMIT_REACHED; `advice` says what the client does instead).
 */
export function requireAnotherCodeAllowed(
  subject: Record<string, string>,
  codes: { sent: number; max: number },
  advice: string,
): void {
  if (codes.sent >= codes.max) {
    throw new AppError(
      "CONFIRMATION_LIMIT_REACHED",
      `${codes.max} codes were sent already: ${advice}`,
      subject,
    );
  }
}
