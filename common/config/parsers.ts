/**
 * How one environment key's text becomes its value (the `parse` column of `CONFIG_KEYS`). A
 * parser is given `undefined` when the key is unset or empty, and refuses a bad value with an
 * error that starts with the key's name. The `optional...` parsers answer `undefined` when
 * unset: the key's default depends on other keys, and `loadConfig` applies it.
 */
export type Parser<T> = (raw: string | undefined, name: string) => T;

/** An integer from `min` to `max`; `fallback` when unset. */
export function integer(fallback: number, min: number, max: number): Parser<number> {
  return (raw, name) => bounded(raw, name, fallback, min, max, true);
}

/** A number, fractions allowed, from `min` to `max`; `fallback` when unset. */
export function decimal(fallback: number, min: number, max: number): Parser<number> {
  return (raw, name) => bounded(raw, name, fallback, min, max, false);
}

function bounded(
  raw: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
  integer: boolean,
): number {
  if (raw === undefined) return fallback;
  const parsed = Number(raw);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
    throw new Error(
      `${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got "${raw}"`,
    );
  }
  return parsed;
}

/** `on` or `off` (also `true`/`false`, `1`/`0`); `fallback` when unset. */
export function flag(fallback: boolean): Parser<boolean> {
  return (raw, name) => optionalFlag(raw, name) ?? fallback;
}

/** `on` or `off`, `undefined` when unset. */
export const optionalFlag: Parser<boolean | undefined> = (raw, name) => {
  if (raw === undefined) return undefined;
  if (["on", "true", "1"].includes(raw)) return true;
  if (["off", "false", "0"].includes(raw)) return false;
  throw new Error(`${name} must be on or off, got "${raw}"`);
};

/** Any text; `fallback` when unset. */
export function text(fallback: string): Parser<string> {
  return (raw) => raw ?? fallback;
}

/** A 3-letter currency code, upper-cased; `fallback` when unset. */
export function currencyCode(fallback: string): Parser<string> {
  return (raw, name) => {
    if (raw === undefined) return fallback;
    if (!/^[A-Za-z]{3}$/.test(raw)) throw new Error(`${name} must be a 3-letter ISO 4217 code, got "${raw}"`);
    return raw.toUpperCase();
  };
}

/** Any text, `undefined` when unset. */
export const optionalText: Parser<string | undefined> = (raw) => raw;

/** One of `values`, `undefined` when unset. */
export function optionalOneOf(values: readonly string[]): Parser<string | undefined> {
  return (raw, name) => {
    if (raw === undefined || values.includes(raw)) return raw;
    throw new Error(`${name} must be one of ${values.join(", ")}, got "${raw}"`);
  };
}

/**
 * An `http:` or `https:` URL, `undefined` when unset. The value is not repeated in the error:
 * a URL may carry credentials.
 */
export const optionalHttpUrl: Parser<string | undefined> = (raw, name) => {
  if (raw === undefined) return undefined;
  const url = URL.canParse(raw) ? new URL(raw) : undefined;
  if (url?.protocol !== "http:" && url?.protocol !== "https:") {
    throw new Error(`${name} must be an http:// or https:// URL`);
  }
  return raw;
};

/** Comma-separated codes, trimmed and upper-cased, empty items dropped; `fallback` when unset. */
export function codeList(fallback: string): Parser<string[]> {
  return (raw) =>
    (raw ?? fallback)
      .split(",")
      .map((code) => code.trim().toUpperCase())
      .filter(Boolean);
}

/** `CODE=decimal` pairs, each the units of that currency per one unit of a common base. */
export function fxRates(fallback: string): Parser<Record<string, string>> {
  return (raw, name) => {
    const rates: Record<string, string> = {};
    for (const pair of (raw ?? fallback)
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)) {
      const match = /^([A-Za-z]{3})=(\d{1,9}(\.\d{1,8})?)$/.exec(pair);
      if (!match || !/[1-9]/.test(match[2])) {
        throw new Error(`${name} must list CODE=positive-decimal pairs such as "USD=1.085", got "${pair}"`);
      }
      rates[match[1].toUpperCase()] = match[2];
    }
    return rates;
  };
}

/** An IANA time zone name (`Europe/London`); `fallback` when unset. */
export function timeZone(fallback: string): Parser<string> {
  return (raw, name) => {
    const zone = raw ?? fallback;
    try {
      new Intl.DateTimeFormat("en-CA", { timeZone: zone });
    } catch {
      throw new Error(`${name} must be an IANA time zone such as "Europe/London", got "${zone}"`);
    }
    return zone;
  };
}

/** One of `values`; `fallback` when unset. */
export function oneOf<T extends string>(values: readonly T[], fallback: T): Parser<T> {
  return (raw, name) => (optionalOneOf(values)(raw, name) as T | undefined) ?? fallback;
}

/** Comma-separated values, trimmed and lower-cased (media types), empty items dropped; `fallback` when unset. */
export function lowerCaseList(fallback: string): Parser<string[]> {
  return (raw) =>
    (raw ?? fallback)
      .split(",")
      .map((value) => value.trim().toLowerCase())
      .filter(Boolean);
}
