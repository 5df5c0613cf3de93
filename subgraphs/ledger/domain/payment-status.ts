/**
 * The payment state machine (the documented five operations): create makes a DRAFT (nothing
 * moves) or a POSTED payment (the money moves at once); pend, post and cancel are the moves
 * below. `ledger.transition_payment` (migration PaymentTransitionContract) is where a move
 * happens: with the payment row locked, one branch per move listed here does its effect and
 * sets the new status, and any other (operation, status) is refused with PAYMENT_INVALID_STATE;
 * so a payment resolves (posted or cancelled) at most once even when requests race.
 * test/ledger/payment-contract.test.ts runs every (status, operation) pair against that
 * function and checks the outcome against this table.
 */
export enum PaymentStatus {
  DRAFT = "DRAFT",
  /** Holds its amount on the debit account (`pending`); no money has moved. */
  PENDING = "PENDING",
  /** Its money has moved: one ledger transaction, two entries. */
  POSTED = "POSTED",
  CANCELLED = "CANCELLED",
}

export type PaymentOperation = "pend" | "post" | "cancel";

/**
 * operation -> the statuses it may start from, and where it leads. The effect is the change in
 * what the status means: pend holds the amount (the debit account must afford it); post moves
 * the held amount and releases the hold; cancel releases the hold, if any.
 */
export const PAYMENT_TRANSITIONS: Readonly<
  Record<PaymentOperation, { from: PaymentStatus[]; to: PaymentStatus }>
> = {
  pend: { from: [PaymentStatus.DRAFT], to: PaymentStatus.PENDING },
  post: { from: [PaymentStatus.PENDING], to: PaymentStatus.POSTED },
  cancel: { from: [PaymentStatus.DRAFT, PaymentStatus.PENDING], to: PaymentStatus.CANCELLED },
};
