/**
 * The ledger's facts a transfer is checked against before anything is recorded: the accounts
 * it debits and the amounts its currency allows.
 */
import { formatDecimal, parseDecimal } from "../../../common/amount";
import { requireClientAccess } from "../../../common/auth/caller";
import { AppError, validationError } from "../../../common/errors";
import type { LedgerAccount } from "../ledger/ledger-client";
import type { Needs } from "./deps";

/** The transfer API has always reported every problem of an amount as `isDecimal`. */
const TRANSFER_AMOUNT_RULES = { scale: "isDecimal", positive: "isDecimal" } as const;

/**
 * A client account the caller may debit: its own (front office), any client's (system). The
 * bank's own accounts move money through ledger payments, not transfers.
 */
export async function ownAccount(
  deps: Needs<"ledger">,
  accountId: string,
  field: string,
): Promise<LedgerAccount & { clientId: string }> {
  const account = await deps.ledger.account(accountId, deps.requestId);
  if (!account) throw new AppError("ACCOUNT_NOT_FOUND", `No account ${accountId}`, { field, accountId });
  if (!account.clientId) {
    throw validationError([
      {
        field,
        rule: "clientAccount",
        message: `${field} must be a client's account, not one of the bank's own`,
      },
    ]);
  }
  requireClientAccess(deps.caller, account.clientId);
  return { ...account, clientId: account.clientId };
}

/**
 * A positive decimal within the exponent of a currency the bank offers, answered with as many
 * decimals as the currency has ("40" in EUR is "40.00").
 */
export async function offeredAmount(
  deps: Needs<"ledger">,
  amount: string,
  currency: string,
): Promise<string> {
  const exponent = (await deps.ledger.exponents(deps.requestId)).get(currency);
  if (exponent === undefined) {
    throw new AppError("VALIDATION_FAILED", `The bank does not offer ${currency}`, {
      fields: [
        { field: "currency", rule: "offeredCurrency", message: `${currency} is not an offered currency` },
      ],
    });
  }
  const minor = parseDecimal(amount, { code: currency, exponent }, { rules: TRANSFER_AMOUNT_RULES });
  return formatDecimal(minor, exponent);
}
