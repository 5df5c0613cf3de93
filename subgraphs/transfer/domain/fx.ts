/**
 * Foreign-exchange terms for a transfer between two currencies. Everything is exact: amounts
 * and rates are decimal strings, computed as scaled bigints and never as JavaScript numbers.
 * Every rounding goes down, so the bank never gives away a fraction it does not have.
 */
import { formatDecimal, parseDecimal } from "../../../common/amount";
import { validationError } from "../../../common/errors";
import { rateOf } from "../../../common/fx-rates";

/** A currency and the decimal places of its minor unit (EUR 2, JPY 0, BHD 3). */
export interface CurrencyUnit {
  code: string;
  exponent: number;
}

/** What the customer gets for `sourceAmount`, and the rates that gave it. */
export interface FxTerms {
  /** Target units per 1 source unit before the spread, with exactly 8 decimals, e.g. `"1.28402367"`. */
  midRate: string;
  /** The customer's rate after the spread, 8 decimals, rounded down (in the bank's favour). */
  rate: string;
  spreadBps: number;
  /** The input, normalised to the source exponent, e.g. `"100.00"`. */
  sourceAmount: string;
  /** `sourceAmount * rate`, rounded down to the target exponent, e.g. `"128.40"`. */
  targetAmount: string;
}

/** Decimal places of `midRate` and `rate`. */
const RATE_DECIMALS = 8;
const BPS_PER_UNIT = 10_000n;
/** The rule names fxTerms has always reported for an amount with too many decimals, or zero. */
const FX_AMOUNT_RULES = { scale: "maxDecimals", positive: "isDecimal" } as const;

/**
 * The terms of exchanging `sourceAmount` of `source` into `target`.
 *
 * `rates` holds the units of each currency per one unit of a common base, as decimal strings
 * (e.g. `{ EUR: "1", USD: "1.085", JPY: "162.5" }`).
 * - `midRate = rates[target] / rates[source]`, rounded down to 8 decimals;
 * - `rate = midRate * (10000 - spreadBps) / 10000`, rounded down to 8 decimals;
 * - `targetAmount = sourceAmount * rate`, rounded down to the target exponent.
 *
 * @throws AppError FX_RATE_UNAVAILABLE when either currency has no rate (`details.currency`).
 * @throws AppError VALIDATION_FAILED on field `amount`: `isDecimal` when it is not a positive
 *   decimal, `maxDecimals` when it has more decimals than the source currency, `tooSmall` when
 *   the target amount rounds down to zero.
 * @throws Error when the rate table, spread or exponents are malformed (configuration faults,
 *   not the caller's).
 */
export function fxTerms(
  rates: Record<string, string>,
  spreadBps: number,
  source: CurrencyUnit,
  target: CurrencyUnit,
  sourceAmount: string,
): FxTerms {
  if (!Number.isInteger(spreadBps) || spreadBps < 0 || spreadBps >= Number(BPS_PER_UNIT)) {
    throw new Error(`spreadBps must be a whole number from 0 to 9999, got ${spreadBps}`);
  }
  assertExponent(source);
  assertExponent(target);
  const sourceRate = rateOf(rates, source.code);
  const targetRate = rateOf(rates, target.code);
  const sourceMinor = parseDecimal(sourceAmount, source, { rules: FX_AMOUNT_RULES });

  // target/source = (t / 10^td) / (s / 10^sd); scaled by 10^8 and floored in one division.
  const midRate =
    (targetRate.value * 10n ** BigInt(sourceRate.decimals + RATE_DECIMALS)) /
    (sourceRate.value * 10n ** BigInt(targetRate.decimals));
  const rate = (midRate * (BPS_PER_UNIT - BigInt(spreadBps))) / BPS_PER_UNIT;
  // minor units of source * rate (scaled 10^8), brought from 10^(se + 8) to 10^te.
  const targetMinor =
    (sourceMinor * rate * 10n ** BigInt(target.exponent)) / 10n ** BigInt(source.exponent + RATE_DECIMALS);

  if (targetMinor === 0n) {
    throw validationError([
      {
        field: "amount",
        rule: "tooSmall",
        message: `amount is too small to buy any ${target.code} at this rate`,
      },
    ]);
  }
  return {
    midRate: formatDecimal(midRate, RATE_DECIMALS),
    rate: formatDecimal(rate, RATE_DECIMALS),
    spreadBps,
    sourceAmount: formatDecimal(sourceMinor, source.exponent),
    targetAmount: formatDecimal(targetMinor, target.exponent),
  };
}

function assertExponent(currency: CurrencyUnit): void {
  if (!Number.isInteger(currency.exponent) || currency.exponent < 0) {
    throw new Error(`${currency.code} has no valid exponent: ${currency.exponent}`);
  }
}
