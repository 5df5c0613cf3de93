/**
 * This bank's account numbers (the ledger issues them; transfers recognise them): 12 digits,
 * an 11-digit serial from a database sequence followed by a Luhn check digit
 * (`00000000001` -> `000000000018`). Twelve digits never look like a UUID, which is how
 * `/Accounts/{id}` and `/Accounts/{accountNumber}` are told apart.
 */
export const ACCOUNT_NUMBER = /^\d{12}$/;

export function luhnCheckDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return (10 - (sum % 10)) % 10;
}

export function accountNumberFromSerial(serial: bigint | number | string): string {
  const digits = String(serial).padStart(11, "0");
  if (digits.length !== 11) throw new Error("account number serial exhausted");
  return `${digits}${luhnCheckDigit(digits)}`;
}

export function isValidAccountNumber(value: string): boolean {
  return ACCOUNT_NUMBER.test(value) && luhnCheckDigit(value.slice(0, 11)) === Number(value[11]);
}
