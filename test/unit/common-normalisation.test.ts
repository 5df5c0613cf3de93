import { formatDecimal, parseDecimal } from "../../common/amount";
import { canonicalJson, requestHash } from "../../common/request-hash";
import { requireUuids } from "../../common/require-uuids";
import { createHash, randomUUID } from "node:crypto";

const EUR = { code: "EUR", exponent: 2 };

function ruleOf(work: () => unknown): string | undefined {
  try {
    work();
  } catch (error) {
    return (error as { details: { fields: Array<{ rule: string }> } }).details.fields[0].rule;
  }
  return undefined;
}

describe("one decimal-amount parser", () => {
  it.each([
    ["1.001", "scale"],
    ["0.00", "positive"],
    ["-1", "isDecimal"],
    ["12345678901234567", "isDecimal"],
  ])("When %p is refused, then the rule is the problem's own unless the API renames it", (value, rule) => {
    expect(ruleOf(() => parseDecimal(value, EUR))).toBe(rule);
    expect(
      ruleOf(() => parseDecimal(value, EUR, { rules: { scale: "isDecimal", positive: "isDecimal" } })),
    ).toBe("isDecimal");
  });

  it("When a limit is given, then an amount above it is refused by rule max, and without one it is not", () => {
    expect(ruleOf(() => parseDecimal("10.01", EUR, { max: 1000n }))).toBe("max");
    expect(parseDecimal("10.01", EUR)).toBe(1001n);
  });

  it("When the field is named, then the error names it", () => {
    expect(() => parseDecimal("x", EUR, { field: "targetAmount" })).toThrow(
      expect.objectContaining({
        details: {
          fields: [
            expect.objectContaining({
              field: "targetAmount",
              message: expect.stringMatching(/^targetAmount /),
            }),
          ],
        },
      }),
    );
  });

  it.each([
    [1050n, 2, "10.50"],
    [-5n, 2, "-0.05"],
    [15n, 0, "15"],
    [5n, 8, "0.00000005"],
    [10n, 2, "0.10"],
  ])("When %s with %s decimals is formatted, then it is %p", (value, decimals, text) => {
    expect(formatDecimal(value, decimals)).toBe(text);
  });
});

describe("one request hash", () => {
  it("When a request is an array of plain values, then it hashes as its JSON did before (kept hashes still match)", () => {
    const request = [randomUUID(), "10.00", null, 3];
    expect(requestHash(request)).toBe(createHash("sha256").update(JSON.stringify(request)).digest("hex"));
  });

  it("When the ledger hashes a payment request, then the hash is the one its keys were stored with", () => {
    // Computed with the ledger's own function before it used this module: stored keys must keep matching.
    const debit = "5f0c1a52-6f3e-4a51-9d7e-1a2b3c4d5e6f";
    const credit = "0b9e8d7c-6b5a-4c3d-8e2f-1a0b9c8d7e6f";
    const metadata = { z: 1, a: { c: [1, { y: null, b: "x" }] } };
    expect(requestHash(["IMMEDIATE", debit, credit, "1050", "EUR", "Rent", metadata])).toBe(
      "11d3ad4ca76eedb53e26f504ecc0cdfaa0d51a82804f6fce1ee885e23daaecc6",
    );
    expect(requestHash(["post", debit])).toBe(
      "f6329e48c76b1ed7f22ca64572bbb8090e8e9d714ec9fb701b16c13274615ff4",
    );
  });

  it("When two objects differ only in key order, then they hash equally", () => {
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: "x" }] })).toBe('{"a":[{"c":"x","d":null}],"b":1}');
    expect(requestHash({ a: 1, b: 2 })).toBe(requestHash({ b: 2, a: 1 }));
  });
});

describe("one requireUuids", () => {
  it("When ids are UUIDs or absent, then nothing is refused", () => {
    expect(() => requireUuids({ a: randomUUID(), b: undefined, c: null, d: [randomUUID()] })).not.toThrow();
  });

  it("When an id or a list item is no UUID, then each is named with rule isUuid", () => {
    expect(() => requireUuids({ clientId: "x", accountIds: [randomUUID(), 7] })).toThrow(
      expect.objectContaining({
        code: "VALIDATION_FAILED",
        details: {
          fields: [
            { field: "clientId", rule: "isUuid", message: "clientId must be a UUID" },
            { field: "accountIds.1", rule: "isUuid", message: "accountIds.1 must be a UUID" },
          ],
        },
      }),
    );
  });
});
