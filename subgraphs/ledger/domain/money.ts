/**
 * Money is an integer count of the currency's minor unit (cents, yen, fils), held as a
 * bigint; it crosses the API as a decimal string with exactly the currency's exponent.
 * Never a float.
 */
import { validationError } from "../../../common/errors";

/** ISO 4217 minor-unit exponents of the currencies the bank may offer (LEDGER_CURRENCIES picks). */
export const CURRENCY_EXPONENTS: Readonly<Record<string, number>> = {
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  HUF: 2,
  RON: 2,
  CAD: 2,
  AUD: 2,
  JPY: 0,
  KRW: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
};

/**
 * Largest single amount accepted, in minor units (10^13 EUR). A bigint balance holds about 9,000 such
 * amounts; a settlement account beyond that is refused by PostgreSQL (a 400, not a wrap-around).
 */
export const MAX_MINOR_UNITS = 10n ** 15n;

export function exponentOf(currency: string): number {
  const exponent = CURRENCY_EXPONENTS[currency];
  if (exponent === undefined) throw new Error(`unknown currency ${currency}`);
  return exponent;
}

/**
 * `"10.50"` EUR -> 1050n. Refuses signs, exponents, spaces, more decimals than the currency
 * has, zero and anything above {@link MAX_MINOR_UNITS}, naming `field`.
 */
export function parseAmount(value: string, currency: string, field = "amount"): bigint {
  const exponent = exponentOf(currency);
  const match = /^(\d{1,16})(?:\.(\d+))?$/.exec(value);
  if (!match) {
    throw validationError([
      { field, rule: "isDecimal", message: `${field} must be a positive decimal number such as "10.50"` },
    ]);
  }
  const fraction = match[2] ?? "";
  if (fraction.length > exponent) {
    throw validationError([
      {
        field,
        rule: "scale",
        message: `${field} has more decimals than ${currency} allows (${exponent})`,
      },
    ]);
  }
  const minor = BigInt(match[1]) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  if (minor <= 0n)
    throw validationError([{ field, rule: "positive", message: `${field} must be more than zero` }]);
  if (minor > MAX_MINOR_UNITS) {
    throw validationError([{ field, rule: "max", message: `${field} is larger than this ledger accepts` }]);
  }
  return minor;
}

/** 1050n EUR -> `"10.50"`; -5n EUR -> `"-0.05"`; 100n JPY -> `"100"`. */
export function formatAmount(minor: bigint | string | number, currency: string): string {
  const exponent = exponentOf(currency);
  const value = BigInt(minor);
  const sign = value < 0n ? "-" : "";
  const digits = (value < 0n ? -value : value).toString().padStart(exponent + 1, "0");
  if (exponent === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}
