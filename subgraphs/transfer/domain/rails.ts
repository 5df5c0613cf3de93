/**
 * Which payment rail carries a transfer (decision 0014). An account number of this bank is
 * INTERNAL; otherwise the beneficiary's IBAN country and the currency decide:
 * EUR to a SEPA country goes by SEPA credit transfer, GBP to a UK IBAN by Faster Payments,
 * anything else by SWIFT.
 */
import { ACCOUNT_NUMBER, isValidAccountNumber } from "../../../common/account-number";
import { validationError } from "../../../common/errors";
import { ibanError, ibanProblem, normalizeIban } from "./iban";

export enum TransferType {
  INTERNAL = "INTERNAL",
  SEPA = "SEPA",
  FASTER_PAYMENTS = "FASTER_PAYMENTS",
  SWIFT = "SWIFT",
}

/** The SEPA scheme's countries (EU, EEA and the participating non-EU states), by IBAN country code. */
const SEPA_COUNTRIES = new Set(
  (
    "AD AT BE BG CH CY CZ DE DK EE ES FI FR GB GI GR HR HU IE IS IT LI LT LU LV MC MT NL NO PL PT " +
    "RO SE SI SK SM VA"
  ).split(" "),
);

/** The rail for a beneficiary at another bank, by its IBAN's country and the transfer's currency. */
export function externalRail(ibanCountry: string, currency: string): TransferType {
  const country = ibanCountry.toUpperCase();
  const code = currency.toUpperCase();
  if (code === "EUR" && SEPA_COUNTRIES.has(country)) return TransferType.SEPA;
  if (code === "GBP" && country === "GB") return TransferType.FASTER_PAYMENTS;
  return TransferType.SWIFT;
}

/**
 * Which way money to this account number and currency would go: INTERNAL for a number in this
 * bank's account-number format, recognised by its format alone (asking the ledger would tell
 * anyone which numbers exist); otherwise the IBAN's country and the currency decide.
 */
export function railFor(recipientAccountNumber: string, currency: string): TransferType {
  const number = recipientAccountNumber.replace(/\s/g, "");
  if (ACCOUNT_NUMBER.test(number)) {
    if (isValidAccountNumber(number)) return TransferType.INTERNAL;
    throw validationError([
      {
        field: "recipientAccountNumber",
        rule: "accountNumberChecksum",
        message: "recipientAccountNumber: the check digit does not match: the number has a typing error",
      },
    ]);
  }
  const iban = normalizeIban(recipientAccountNumber);
  const problem = ibanProblem(iban);
  if (problem) throw ibanError("recipientAccountNumber", problem);
  return externalRail(iban.slice(0, 2), currency);
}
