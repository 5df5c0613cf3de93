/**
 * The ledger's errors that its PL/pgSQL functions raise too, one message per code. The
 * functions raise only the code and the facts (SQLSTATE LG001: the code as message, the facts
 * as JSON detail); the repository hands both to {@link ledgerError}, and the use cases build
 * the same errors here, so a client reads the same message whichever side refused.
 */
import { AppError } from "../../../common/errors";
import { PAYMENT_TRANSITIONS, type PaymentOperation, type PaymentStatus } from "./payment-status";

/** The facts each error carries (what `ledger.fail` puts in its detail). */
export interface LedgerErrorFacts {
  ACCOUNT_NOT_FOUND: { accountId: string; field?: string };
  ACCOUNT_NOT_ACTIVE: { accountId: string; status: string; field: string };
  CURRENCY_MISMATCH: { currency: string; field: string };
  INSUFFICIENT_FUNDS: { accountId: string };
  PAYMENT_NOT_FOUND: { paymentId: string };
  /** The caller sees `to` (where the operation leads), not the operation. */
  PAYMENT_INVALID_STATE: { paymentId: string; from: PaymentStatus; operation: PaymentOperation };
  IDEMPOTENCY_KEY_REUSED: Record<string, never>;
  /** An item of an all-or-nothing batch left out because another was refused. */
  BATCH_NOT_APPLIED: Record<string, never>;
}

export type LedgerErrorCode = keyof LedgerErrorFacts;

const LEDGER_ERRORS: { [C in LedgerErrorCode]: (facts: LedgerErrorFacts[C]) => AppError } = {
  ACCOUNT_NOT_FOUND: (facts) => new AppError("ACCOUNT_NOT_FOUND", `No account ${facts.accountId}`, facts),
  ACCOUNT_NOT_ACTIVE: (facts) =>
    new AppError("ACCOUNT_NOT_ACTIVE", `Account ${facts.accountId} is ${facts.status}`, facts),
  CURRENCY_MISMATCH: (facts) =>
    new AppError("CURRENCY_MISMATCH", "Both accounts of a payment must hold the same currency", facts),
  INSUFFICIENT_FUNDS: (facts) =>
    new AppError(
      "INSUFFICIENT_FUNDS",
      `Account ${facts.accountId} does not have enough available funds`,
      facts,
    ),
  PAYMENT_NOT_FOUND: (facts) => new AppError("PAYMENT_NOT_FOUND", `No payment ${facts.paymentId}`, facts),
  PAYMENT_INVALID_STATE: ({ paymentId, from, operation }) => {
    const { to } = PAYMENT_TRANSITIONS[operation];
    return new AppError("PAYMENT_INVALID_STATE", `A ${from} payment cannot become ${to}`, {
      paymentId,
      from,
      to,
    });
  },
  IDEMPOTENCY_KEY_REUSED: () =>
    new AppError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for a different request"),
  BATCH_NOT_APPLIED: () =>
    new AppError(
      "BATCH_NOT_APPLIED",
      "Not made: another payment of this all-or-nothing batch was refused, so none was applied",
    ),
};

export function isLedgerErrorCode(code: unknown): code is LedgerErrorCode {
  return typeof code === "string" && Object.hasOwn(LEDGER_ERRORS, code);
}

export function ledgerError<C extends LedgerErrorCode>(code: C, facts: LedgerErrorFacts[C]): AppError {
  return LEDGER_ERRORS[code](facts);
}
