/**
 * One-time confirmation codes: six random digits, kept only as an HMAC under the server's
 * secret (bound to the transfer), compared in constant time. A confirmation is OPEN until it is
 * USED, VOIDED (a new code was sent or the transfer cancelled) or LOCKED (too many wrong codes).
 * The decisions (found? locked? expired? right code? attempts left? another code allowed?) are
 * pure functions here; the use cases only read and write what they decide (decision 0015).
 */
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { AppError } from "../../../common/errors";

export enum ConfirmationStatus {
  OPEN = "OPEN",
  USED = "USED",
  VOIDED = "VOIDED",
  LOCKED = "LOCKED",
}

export function newCode(): string {
  return randomInt(0, 1_000_000).toString().padStart(6, "0");
}

export function hashCode(secret: string, transferId: string, code: string): string {
  return createHmac("sha256", secret).update(`${transferId}:${code}`).digest("hex");
}

export function codeMatches(secret: string, transferId: string, code: string, storedHash: string): boolean {
  const given = Buffer.from(hashCode(secret, transferId, code), "hex");
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

/**
 * The verdict on `attempt.code` for the transfer's latest confirmation (`latest`, with the
 * database's time). `attempt.confirmationId` is set when the client addressed the confirmation
 * rather than the transfer: then only that one may be confirmed.
 */
export function verifyCode(
  attempt: { secret: string; transferId: string; code: string; confirmationId: string | null },
  latest: { confirmation: ConfirmationFacts; now: Date } | null,
): CodeVerdict {
  const confirmation = latest?.confirmation;
  const details = { transferId: attempt.transferId, confirmationId: confirmation?.id };
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
    return refuse(new AppError("CONFIRMATION_NOT_FOUND", "No open confirmation for this transfer", details));
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
  if (!codeMatches(attempt.secret, attempt.transferId, attempt.code, confirmation.codeHash)) {
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
 * Refuses another code once the transfer has had `maxCodes` of them, so resending cannot buy
 * unlimited guesses (CONFIRMATION_LIMIT_REACHED: the client cancels and starts again).
 */
export function requireAnotherCodeAllowed(transferId: string, codesSent: number, maxCodes: number): void {
  if (codesSent >= maxCodes) {
    throw new AppError(
      "CONFIRMATION_LIMIT_REACHED",
      `This transfer has had ${maxCodes} codes; cancel it and create a new one`,
      { transferId },
    );
  }
}
