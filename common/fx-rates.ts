/**
 * The configured rate table (`FX_RATES`: units of each currency per one unit of a common base,
 * decimal strings) read exactly, as scaled bigints, never as JavaScript numbers. The transfer
 * subgraph quotes with it (decision 0016); the ledger values positions with it (decision 0038).
 */
import { AppError } from "./errors";

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** A rate of the table as `value / 10^decimals`; own keys only, so `"constructor"` is no currency. */
export function rateOf(rates: Record<string, string>, code: string): { value: bigint; decimals: number } {
  const text = Object.hasOwn(rates, code) ? rates[code] : undefined;
  if (text === undefined) {
    throw new AppError("FX_RATE_UNAVAILABLE", `No exchange rate for ${code}`, { currency: code });
  }
  const match = DECIMAL.exec(text);
  const fraction = match?.[2] ?? "";
  const value = match ? BigInt(match[1] + fraction) : 0n;
  if (value <= 0n) throw new Error(`The rate of ${code} is not a positive decimal: "${text}"`);
  return { value, decimals: fraction.length };
}

/**
 * `minor` units of `from` (exponent `from.exponent`) worth in minor units of `to` at the mid rate
 * of the table, rounded toward zero (a valuation, not a trade: no spread).
 * @throws AppError FX_RATE_UNAVAILABLE when either currency has no rate.
 */
export function valueAtMidRate(
  rates: Record<string, string>,
  minor: bigint,
  from: { code: string; exponent: number },
  to: { code: string; exponent: number },
): bigint {
  const source = rateOf(rates, from.code);
  const target = rateOf(rates, to.code);
  return (
    (minor * target.value * 10n ** BigInt(source.decimals + to.exponent)) /
    (source.value * 10n ** BigInt(target.decimals + from.exponent))
  );
}
