/**
 * One-time confirmation codes: six random digits, kept only as an HMAC under the server's
 * secret (bound to the transfer), compared in constant time. A confirmation is OPEN until it is
 * USED, VOIDED (a new code was sent or the transfer cancelled) or LOCKED (too many wrong codes).
 */
import { createHmac, randomInt, timingSafeEqual } from "node:crypto";

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
