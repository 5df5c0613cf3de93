/** The back office's pure rules, without a database: settlement matching, step-up grants, FX valuation. */
import { valueAtMidRate } from "../../common/fx-rates";
import { AccountOtpAction, grantProblem } from "../../subgraphs/ledger/domain/step-up";
import {
  type BookedMovement,
  type ExpectedMovement,
  reconcile,
} from "../../subgraphs/transfer/domain/reconciliation";

const AT = new Date("2026-01-01T12:00:00Z");
const expected = (transferId: string, amount: bigint): ExpectedMovement => ({
  transferId,
  kind: amount > 0n ? "OUTGOING" : "INCOMING",
  status: "COMPLETED",
  amount,
  settledAt: AT,
});
const booked = (entryId: string, transferId: string | null, amount: bigint): BookedMovement => ({
  entryId,
  paymentId: null,
  transferId,
  amount,
  description: null,
  bookedAt: AT,
});

describe("matching settlement entries with transfers", () => {
  it("When each transfer has one entry of its amount, then all match and nothing is left over", () => {
    const result = reconcile(
      [expected("a", 100n), expected("b", -50n)],
      [booked("1", "b", -50n), booked("2", "a", 100n)],
      new Map(),
    );
    expect(result.matched.map((m) => [m.expected.transferId, m.booked.entryId])).toEqual([
      ["a", "2"],
      ["b", "1"],
    ]);
    expect([result.differences, result.unmatchedTransfers, result.unmatchedEntries]).toEqual([[], [], []]);
  });

  it("When amounts differ or a transfer is booked twice, then each is a difference with the booked sum", () => {
    const result = reconcile(
      [expected("a", 100n), expected("b", 10n)],
      [booked("1", "a", 90n), booked("2", "b", 10n), booked("3", "b", 10n)],
      new Map(),
    );
    expect(result.differences.map((d) => [d.expected.transferId, d.bookedAmount])).toEqual([
      ["a", 90n],
      ["b", 20n],
    ]);
    expect(result.matched).toEqual([]);
  });

  it("When either side has no counterpart, then it is unmatched, naming the status of a transfer that expects nothing", () => {
    const result = reconcile(
      [expected("a", 100n)],
      [booked("1", null, -5n), booked("2", "f", 7n)],
      new Map([["f", "FAILED"]]),
    );
    expect(result.unmatchedTransfers.map((t) => t.transferId)).toEqual(["a"]);
    expect(result.unmatchedEntries.map((e) => [e.entryId, e.transferStatus])).toEqual([
      ["1", null],
      ["2", "FAILED"],
    ]);
  });
});

describe("a step-up grant", () => {
  const grant = {
    requestedBy: "user-1",
    accountId: "acc-1",
    action: AccountOtpAction.CLOSE_ACCOUNT,
    expiresAt: new Date(AT.getTime() + 1000),
    usedAt: null,
  };
  const use = { subject: "user-1", accountId: "acc-1", action: AccountOtpAction.CLOSE_ACCOUNT, now: AT };

  it("When it is the caller's, for this account and action, unused and in time, then it allows the action", () => {
    expect(grantProblem(grant, use)).toBeNull();
  });

  it("When it is unknown, someone else's, another account's, used or expired, then it says which", () => {
    expect(grantProblem(null, use)).toBe("unknown");
    expect(grantProblem(grant, { ...use, subject: "user-2" })).toBe("unknown");
    expect(grantProblem(grant, { ...use, accountId: "acc-2" })).toBe("unknown");
    expect(grantProblem({ ...grant, usedAt: AT }, use)).toBe("used");
    expect(grantProblem(grant, { ...use, now: grant.expiresAt })).toBe("expired");
  });
});

describe("valuing a position at the mid rate", () => {
  const rates = { EUR: "1", USD: "1.085", JPY: "162.5" };
  it("When an amount is valued in another currency, then exactly, rounded toward zero, with each exponent", () => {
    const eur = { code: "EUR", exponent: 2 };
    expect(valueAtMidRate(rates, 10_850n, { code: "USD", exponent: 2 }, eur)).toBe(10_000n);
    expect(valueAtMidRate(rates, -10_851n, { code: "USD", exponent: 2 }, eur)).toBe(-10_000n);
    expect(valueAtMidRate(rates, 10_000n, eur, { code: "JPY", exponent: 0 })).toBe(16_250n);
    expect(() => valueAtMidRate(rates, 1n, eur, { code: "GBP", exponent: 2 })).toThrow(
      expect.objectContaining({ code: "FX_RATE_UNAVAILABLE" }),
    );
  });
});
