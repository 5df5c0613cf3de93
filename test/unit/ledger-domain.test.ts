import { accountNumberFromSerial, isValidAccountNumber, luhnCheckDigit } from "../../common/account-number";
import { AccountStatus, assertAccountStatusChange } from "../../subgraphs/ledger/domain/account-status";
import { formatAmount, MAX_MINOR_UNITS, parseAmount } from "../../common/amount";
import { PAYMENT_TRANSITIONS, PaymentStatus } from "../../subgraphs/ledger/domain/payment-status";

describe("money", () => {
  it.each([
    ["10.50", "EUR", 1050n],
    ["10.5", "EUR", 1050n],
    ["10", "EUR", 1000n],
    ["0.01", "EUR", 1n],
    ["1500", "JPY", 1500n],
    ["2.125", "BHD", 2125n],
    ["0000.10", "EUR", 10n],
  ])("When %s %s is parsed, then it is %s minor units", (value, currency, minor) => {
    expect(parseAmount(value, currency)).toBe(minor);
  });

  it.each([
    ["1.001", "EUR", "scale"],
    ["1.5", "JPY", "scale"],
    ["0", "EUR", "positive"],
    ["0.00", "EUR", "positive"],
    ["-1", "EUR", "isDecimal"],
    ["+1", "EUR", "isDecimal"],
    ["1e3", "EUR", "isDecimal"],
    [" 1", "EUR", "isDecimal"],
    ["1,50", "EUR", "isDecimal"],
    [".5", "EUR", "isDecimal"],
    ["12345678901234567", "EUR", "isDecimal"],
    ["10000000000000.01", "EUR", "max"],
  ])("When %s %s is parsed, then it is refused by rule %s", (value, currency, rule) => {
    expect(() => parseAmount(value, currency)).toThrow(
      expect.objectContaining({
        code: "VALIDATION_FAILED",
        details: { fields: [expect.objectContaining({ field: "amount", rule })] },
      }),
    );
  });

  it("When the largest amount is parsed, then it is accepted exactly", () => {
    expect(parseAmount("10000000000000.00", "EUR")).toBe(MAX_MINOR_UNITS);
  });

  it.each([
    [1050n, "EUR", "10.50"],
    [-5n, "EUR", "-0.05"],
    [0n, "EUR", "0.00"],
    [100n, "JPY", "100"],
    [-2125n, "BHD", "-2.125"],
    ["123456789012345678", "EUR", "1234567890123456.78"],
  ])("When %s %s is formatted, then it reads %s", (minor, currency, text) => {
    expect(formatAmount(minor, currency)).toBe(text);
  });
});

describe("account numbers", () => {
  it("When a serial becomes a number, then it is 12 digits with a valid Luhn digit", () => {
    expect(accountNumberFromSerial(1)).toBe("000000000018");
    expect(isValidAccountNumber(accountNumberFromSerial(987654))).toBe(true);
    expect(luhnCheckDigit("7992739871")).toBe(3);
  });

  it.each([
    "000000000017",
    "00000000001",
    "0000000000180",
    "abcdefghijkl",
    "497f6eca-6276-4993-bfeb-53cbbbba6f08",
  ])("When %s is checked, then it is not an account number", (value) => {
    expect(isValidAccountNumber(value)).toBe(false);
  });
});

describe("payment state machine", () => {
  const ALLOWED: Record<string, Record<string, string>> = {
    pend: { DRAFT: "PENDING" },
    post: { PENDING: "POSTED" },
    cancel: { DRAFT: "CANCELLED", PENDING: "CANCELLED" },
  };
  const statuses = Object.values(PaymentStatus);

  it.each((["pend", "post", "cancel"] as const).flatMap((op) => statuses.map((s) => [op, s] as const)))(
    "When %s is asked of a %s payment, then only the documented moves pass",
    (operation, status) => {
      const transition = PAYMENT_TRANSITIONS[operation];
      const leadsTo = transition.from.includes(status) ? transition.to : undefined;
      expect(leadsTo).toBe(ALLOWED[operation][status]);
    },
  );
});

describe("account status", () => {
  it("When an account is blocked, unblocked or closed by update, then only ACTIVE <-> BLOCKED pass", () => {
    expect(() => assertAccountStatusChange(AccountStatus.ACTIVE, AccountStatus.BLOCKED)).not.toThrow();
    expect(() => assertAccountStatusChange(AccountStatus.BLOCKED, AccountStatus.ACTIVE)).not.toThrow();
    expect(() => assertAccountStatusChange(AccountStatus.CLOSED, AccountStatus.ACTIVE)).toThrow(
      expect.objectContaining({ code: "ACCOUNT_INVALID_STATUS_TRANSITION" }),
    );
  });
});
