import { fxTerms, type CurrencyUnit } from "../../subgraphs/transfer/domain/fx";

const EUR: CurrencyUnit = { code: "EUR", exponent: 2 };
const USD: CurrencyUnit = { code: "USD", exponent: 2 };
const GBP: CurrencyUnit = { code: "GBP", exponent: 2 };
const JPY: CurrencyUnit = { code: "JPY", exponent: 0 };
const BHD: CurrencyUnit = { code: "BHD", exponent: 3 };
const XTS: CurrencyUnit = { code: "XTS", exponent: 2 };

// Expected strings are the exact quotients, cut (not rounded) after the last digit shown.
const RATES = { EUR: "1", USD: "1.085", GBP: "0.845", JPY: "162.5", BHD: "0.409", XTS: "3" };

describe("FX terms", () => {
  it("When 100.00 EUR is exchanged to USD with 50 bps, then the spread comes off the mid rate", () => {
    expect(fxTerms(RATES, 50, EUR, USD, "100.00")).toEqual({
      midRate: "1.08500000",
      rate: "1.07957500", // 1.085 * 0.995
      spreadBps: 50,
      sourceAmount: "100.00",
      targetAmount: "107.95", // 107.9575
    });
  });

  it("When a cross rate has more than 8 decimals, then it is cut, not rounded, and the amount is normalised", () => {
    expect(fxTerms(RATES, 50, GBP, USD, "100")).toEqual({
      midRate: "1.28402366", // 1.085 / 0.845 = 1.284023668...
      rate: "1.27760354", // 1.28402366 * 0.995 = 1.277603541...
      spreadBps: 50,
      sourceAmount: "100.00",
      targetAmount: "127.76",
    });
  });

  it("When USD is exchanged to JPY, then the yen amount is rounded down to whole yen", () => {
    expect(fxTerms(RATES, 50, USD, JPY, "100.00")).toEqual({
      midRate: "149.76958525", // 162.5 / 1.085 = 149.769585253...
      rate: "149.02073732", // 149.76958525 * 0.995 = 149.020737323...
      spreadBps: 50,
      sourceAmount: "100.00",
      targetAmount: "14902", // 14902.07...
    });
    // 0.67 * 149.02073732 = 99.84: rounding to nearest would give 100.
    expect(fxTerms(RATES, 50, USD, JPY, "0.67").targetAmount).toBe("99");
  });

  it("When JPY (no decimals) is exchanged to EUR, then the source stays whole and the target gets cents", () => {
    expect(fxTerms(RATES, 50, JPY, EUR, "10000")).toEqual({
      midRate: "0.00615384", // 1 / 162.5 = 0.006153846...
      rate: "0.00612307", // 0.00615384 * 0.995 = 0.006123070...
      spreadBps: 50,
      sourceAmount: "10000",
      targetAmount: "61.23", // 61.2307
    });
  });

  it("When the rates divide without end (1 / 3), then every step is cut, never rounded up", () => {
    expect(fxTerms(RATES, 50, XTS, EUR, "100.00")).toEqual({
      midRate: "0.33333333",
      rate: "0.33166666", // 0.33333333 * 0.995 = 0.331666663...
      spreadBps: 50,
      sourceAmount: "100.00",
      targetAmount: "33.16", // 33.166666: rounding to nearest would give 33.17
    });
  });

  it("When the spread is 0, then the customer's rate is the mid rate", () => {
    const terms = fxTerms(RATES, 0, XTS, EUR, "100.00");
    expect(terms.rate).toBe(terms.midRate);
    expect(terms).toMatchObject({ midRate: "0.33333333", spreadBps: 0, targetAmount: "33.33" });
    expect(fxTerms(RATES, 0, EUR, XTS, "100.00")).toMatchObject({
      midRate: "3.00000000",
      rate: "3.00000000",
      targetAmount: "300.00",
    });
  });

  it("When the target has 3 decimals (BHD), then the amount keeps them, cut down", () => {
    expect(fxTerms(RATES, 0, EUR, BHD, "10.5")).toMatchObject({
      sourceAmount: "10.50",
      targetAmount: "4.294", // 10.5 * 0.409 = 4.2945
    });
  });

  it.each([
    ["target", EUR, { code: "CHF", exponent: 2 }, "CHF"],
    ["source", { code: "CHF", exponent: 2 }, EUR, "CHF"],
    ["inherited-key", EUR, { code: "constructor", exponent: 2 }, "constructor"],
  ])(
    "When the %s currency has no rate, then FX_RATE_UNAVAILABLE names it",
    (_which, source, target, currency) => {
      expect(() => fxTerms(RATES, 50, source, target, "100.00")).toThrow(
        expect.objectContaining({ code: "FX_RATE_UNAVAILABLE", details: { currency } }),
      );
    },
  );

  it("When the target amount rounds down to zero, then the amount is refused as tooSmall", () => {
    // 1 JPY * 0.00612307 = 0.006 EUR
    expect(() => fxTerms(RATES, 50, JPY, EUR, "1")).toThrow(
      expect.objectContaining({
        code: "VALIDATION_FAILED",
        details: { fields: [expect.objectContaining({ field: "amount", rule: "tooSmall" })] },
      }),
    );
    expect(fxTerms(RATES, 50, USD, JPY, "0.01").targetAmount).toBe("1");
  });

  it.each([
    ["1.001", "EUR", "maxDecimals"],
    ["1.5", "JPY", "maxDecimals"],
    ["0", "EUR", "isDecimal"],
    ["0.00", "EUR", "isDecimal"],
    ["-1", "EUR", "isDecimal"],
    ["+1", "EUR", "isDecimal"],
    ["1e3", "EUR", "isDecimal"],
    [" 1", "EUR", "isDecimal"],
    ["1,50", "EUR", "isDecimal"],
    [".5", "EUR", "isDecimal"],
    ["5.", "EUR", "isDecimal"],
    ["", "EUR", "isDecimal"],
  ])("When the amount is %p %s, then it is refused by rule %s", (amount, code, rule) => {
    const source = code === "JPY" ? JPY : EUR;
    expect(() => fxTerms(RATES, 50, source, USD, amount)).toThrow(
      expect.objectContaining({
        code: "VALIDATION_FAILED",
        details: { fields: [expect.objectContaining({ field: "amount", rule })] },
      }),
    );
  });

  it("When the spread is not a whole number of basis points below 10000, then it is refused as a fault", () => {
    expect(() => fxTerms(RATES, 12.5, EUR, USD, "100.00")).toThrow(/spreadBps/);
    expect(() => fxTerms(RATES, -1, EUR, USD, "100.00")).toThrow(/spreadBps/);
    expect(() => fxTerms(RATES, 10000, EUR, USD, "100.00")).toThrow(/spreadBps/);
  });

  it("When a rate in the table is zero or malformed, then it is refused as a fault, not divided by", () => {
    expect(() => fxTerms({ ...RATES, EUR: "0" }, 50, EUR, USD, "100.00")).toThrow(/rate of EUR/);
    expect(() => fxTerms({ ...RATES, USD: "1,085" }, 50, EUR, USD, "100.00")).toThrow(/rate of USD/);
  });
});
