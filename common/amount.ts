/**
 * Money is an integer count of the currency's minor unit (cents, yen, fils), held as a
 * bigint; it crosses the API as a decimal string with exactly the currency's exponent.
 * Never a float. This is the one parser of decimal amounts: the ledger, the transfer
 * orchestrator and its FX terms all read amounts here.
 */
import { validationError } from "./errors";

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
 * What can be wrong with a decimal amount, in the order it is checked, by the rule name the
 * ledger reports (README "Ledger rules"): not a plain decimal, more decimals than the currency
 * has, zero, or above the limit.
 */
export type AmountProblem = "isDecimal" | "scale" | "positive" | "max";

export interface AmountOptions {
  /** The field the error names (default `amount`). */
  field?: string;
  /** The largest amount accepted, in minor units (default: no limit but 16 integer digits). */
  max?: bigint;
  /**
   * The rule an API reports for a problem where its clients have always seen another name
   * (the transfer API reports every problem as `isDecimal`); the rest keep their own.
   */
  rules?: Partial<Record<AmountProblem, string>>;
}

/**
 * `"10.50"` of a currency with exponent 2 -> 1050n. Refuses signs, exponents, spaces, more
 * than 16 integer digits, more decimals than the currency has, zero and anything above
 * `options.max`, naming the field and the rule broken.
 */
export function parseDecimal(
  value: string,
  currency: { code: string; exponent: number },
  options: AmountOptions = {},
): bigint {
  const field = options.field ?? "amount";
  const refuse = (problem: AmountProblem, message: string) =>
    validationError([{ field, rule: options.rules?.[problem] ?? problem, message: `${field} ${message}` }]);
  const { code, exponent } = currency;
  const match = /^(\d{1,16})(?:\.(\d+))?$/.exec(value);
  if (!match) throw refuse("isDecimal", 'must be a positive decimal number such as "10.50"');
  const fraction = match[2] ?? "";
  if (fraction.length > exponent)
    throw refuse("scale", `has more decimals than ${code} allows (${exponent})`);
  const minor = BigInt(match[1]) * 10n ** BigInt(exponent) + BigInt(fraction.padEnd(exponent, "0") || "0");
  if (minor <= 0n) throw refuse("positive", "must be more than zero");
  if (options.max !== undefined && minor > options.max)
    throw refuse("max", "is larger than this ledger accepts");
  return minor;
}

/**
 * The ledger's amounts: `"10.50"` EUR -> 1050n, for a currency of {@link CURRENCY_EXPONENTS}, at
 * most {@link MAX_MINOR_UNITS}.
 */
export function parseAmount(value: string, currency: string, field = "amount"): bigint {
  return parseDecimal(
    value,
    { code: currency, exponent: exponentOf(currency) },
    { field, max: MAX_MINOR_UNITS },
  );
}

/** 1050n with 2 decimals -> `"10.50"`; -5n with 2 -> `"-0.05"`; 15n with 0 -> `"15"`; rates alike. */
export function formatDecimal(value: bigint, decimals: number): string {
  const sign = value < 0n ? "-" : "";
  const digits = (value < 0n ? -value : value).toString().padStart(decimals + 1, "0");
  if (decimals === 0) return `${sign}${digits}`;
  return `${sign}${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
}

/** 1050n EUR -> `"10.50"`; -5n EUR -> `"-0.05"`; 100n JPY -> `"100"`. */
export function formatAmount(minor: bigint | string | number, currency: string): string {
  return formatDecimal(BigInt(minor), exponentOf(currency));
}
