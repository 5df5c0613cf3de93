/**
 * Which payment rail carries a transfer (decision 0014). An account number of this bank is
 * INTERNAL; otherwise the beneficiary's IBAN country and the currency decide:
 * EUR to a SEPA country goes by SEPA credit transfer, GBP to a UK IBAN by Faster Payments,
 * anything else by SWIFT.
 */
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
