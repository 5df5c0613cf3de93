/**
 * IBAN checks (ISO 13616): country code, two check digits, then the country's BBAN, with
 * the mod-97 check. Lengths are known for the SEPA countries and a few others; an IBAN from
 * a country missing here is still checked for shape and check digits.
 */
import { type AppError, validationError } from "../../../common/errors";

const LENGTHS: Readonly<Record<string, number>> = {
  AD: 24,
  AT: 20,
  BE: 16,
  BG: 22,
  CH: 21,
  CY: 28,
  CZ: 24,
  DE: 22,
  DK: 18,
  EE: 20,
  ES: 24,
  FI: 18,
  FR: 27,
  GB: 22,
  GI: 23,
  GR: 27,
  HR: 21,
  HU: 28,
  IE: 22,
  IS: 26,
  IT: 27,
  LI: 21,
  LT: 20,
  LU: 20,
  LV: 21,
  MC: 27,
  MT: 31,
  NL: 18,
  NO: 15,
  PL: 28,
  PT: 25,
  RO: 24,
  SE: 24,
  SI: 19,
  SK: 24,
  SM: 27,
  VA: 22,
  AE: 23,
  BH: 22,
  SA: 24,
  TR: 26,
  IL: 23,
};

/** `de89 3704 0044 0532 0130 00` -> `DE89370400440532013000`. */
export function normalizeIban(value: string): string {
  return value.replace(/\s+/g, "").toUpperCase();
}

/** Why an (already normalised) IBAN is not valid, or null when it is. */
export function ibanProblem(iban: string): "format" | "length" | "checksum" | null {
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(iban)) return "format";
  const length = LENGTHS[iban.slice(0, 2)];
  if (length !== undefined && iban.length !== length) return "length";
  const rearranged = `${iban.slice(4)}${iban.slice(0, 4)}`;
  let remainder = 0;
  for (const char of rearranged) {
    const digits = /[A-Z]/.test(char) ? String(char.charCodeAt(0) - 55) : char;
    for (const digit of digits) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1 ? null : "checksum";
}

const IBAN_RULES = {
  format: "an IBAN is a country code, two check digits and up to 30 letters or digits",
  length: "this country's IBANs have another length",
  checksum: "the check digits do not match: the IBAN has a typing error",
} as const;

/** The validation error for an IBAN problem of `field` (rules ibanFormat, ibanLength, ibanChecksum). */
export function ibanError(field: string, problem: keyof typeof IBAN_RULES): AppError {
  return validationError([
    {
      field,
      rule: `iban${problem[0].toUpperCase()}${problem.slice(1)}`,
      message: `${field}: ${IBAN_RULES[problem]}`,
    },
  ]);
}
