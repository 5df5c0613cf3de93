/** The one-time-code decisions, without a database: found? locked? expired? right code? attempts left? another code? */
import {
  type ConfirmationFacts,
  ConfirmationStatus,
  hashCode,
  isExpired,
  requireAnotherCodeAllowed,
  verifyCode,
} from "../../common/otp";

const SECRET = "test-secret";
const NOW = new Date("2025-01-01T12:00:00.000Z");

function confirmation(overrides: Partial<ConfirmationFacts> = {}): ConfirmationFacts {
  return {
    id: "c-1",
    status: ConfirmationStatus.OPEN,
    attempts: 0,
    maxAttempts: 3,
    expiresAt: new Date(NOW.getTime() + 60_000),
    codeHash: hashCode(SECRET, "t-1", "123456"),
    ...overrides,
  };
}

function attempt(code: string, confirmationId: string | null = null) {
  return { secret: SECRET, subjectId: "t-1", subject: { transferId: "t-1" }, code, confirmationId };
}

describe("verifying a one-time code", () => {
  it("When the right code is given in time, then it is accepted and the confirmation becomes USED", () => {
    expect(verifyCode(attempt("123456"), { confirmation: confirmation({ attempts: 1 }), now: NOW })).toEqual({
      accepted: true,
      change: { attempts: 1, status: ConfirmationStatus.USED },
    });
  });

  it("When a wrong code is given, then the attempt is counted and the attempts left are named", () => {
    const verdict = verifyCode(attempt("000000"), { confirmation: confirmation(), now: NOW });
    expect(verdict).toMatchObject({
      accepted: false,
      change: { attempts: 1, status: ConfirmationStatus.OPEN },
      error: {
        code: "CONFIRMATION_CODE_INVALID",
        details: { transferId: "t-1", confirmationId: "c-1", attemptsLeft: 2 },
      },
    });
  });

  it("When the last attempt is wrong, then the confirmation locks", () => {
    const verdict = verifyCode(attempt("000000"), { confirmation: confirmation({ attempts: 2 }), now: NOW });
    expect(verdict).toMatchObject({
      accepted: false,
      change: { attempts: 3, status: ConfirmationStatus.LOCKED },
      error: {
        code: "CONFIRMATION_LOCKED",
        message: "Wrong code, and that was the last attempt",
        details: { attemptsLeft: 0 },
      },
    });
  });

  it("When the confirmation is locked, then even the right code is refused and nothing is counted", () => {
    const verdict = verifyCode(attempt("123456"), {
      confirmation: confirmation({ status: ConfirmationStatus.LOCKED, attempts: 3 }),
      now: NOW,
    });
    expect(verdict).toMatchObject({ accepted: false, error: { code: "CONFIRMATION_LOCKED" } });
    expect(verdict).not.toHaveProperty("change.attempts");
  });

  it("When the code expired (at expiresAt, by the database's clock), then it is refused with its expiry and nothing is counted", () => {
    const verdict = verifyCode(attempt("000000"), {
      confirmation: confirmation({ expiresAt: NOW }),
      now: NOW,
    });
    expect(verdict).toMatchObject({
      accepted: false,
      error: { code: "CONFIRMATION_EXPIRED", details: { expiresAt: NOW.toISOString() } },
    });
    expect(verdict).not.toHaveProperty("change.attempts");
    expect(isExpired(new Date(NOW.getTime() + 1), NOW)).toBe(false);
  });

  it.each([
    ["none was sent", null],
    ["it was used", { confirmation: confirmation({ status: ConfirmationStatus.USED }), now: NOW }],
    [
      "it was voided by a newer code",
      { confirmation: confirmation({ status: ConfirmationStatus.VOIDED }), now: NOW },
    ],
  ])("When there is no open confirmation (%s), then CONFIRMATION_NOT_FOUND", (_why, latest) => {
    expect(verifyCode(attempt("123456"), latest)).toMatchObject({
      accepted: false,
      error: { code: "CONFIRMATION_NOT_FOUND" },
    });
  });

  it("When another confirmation than the open one is addressed, then CONFIRMATION_NOT_FOUND", () => {
    expect(verifyCode(attempt("123456", "c-0"), { confirmation: confirmation(), now: NOW })).toMatchObject({
      accepted: false,
      error: { code: "CONFIRMATION_NOT_FOUND" },
    });
  });
});

describe("sending another code", () => {
  it("When the transfer has had fewer codes than allowed, then another may be sent; at the limit CONFIRMATION_LIMIT_REACHED", () => {
    expect(() =>
      requireAnotherCodeAllowed({ transferId: "t-1" }, { sent: 4, max: 5 }, "cancel it"),
    ).not.toThrow();
    expect(() => requireAnotherCodeAllowed({ transferId: "t-1" }, { sent: 5, max: 5 }, "cancel it")).toThrow(
      expect.objectContaining({ code: "CONFIRMATION_LIMIT_REACHED", details: { transferId: "t-1" } }),
    );
  });
});
