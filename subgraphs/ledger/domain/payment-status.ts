/**
 * The payment state machine (the documented five operations). `ledger.transition_payment`
 * applies an operation only from the statuses listed here, with the payment row locked, and
 * refuses any other with PAYMENT_INVALID_STATE; so a payment resolves (posted or cancelled) at
 * most once even when requests race.
 */
export enum PaymentStatus {
  DRAFT = "DRAFT",
  PENDING = "PENDING",
  POSTED = "POSTED",
  CANCELLED = "CANCELLED",
}

export type PaymentOperation = "pend" | "post" | "cancel";

/** operation -> the statuses it may start from, and where it leads. */
export const PAYMENT_TRANSITIONS: Readonly<
  Record<PaymentOperation, { from: PaymentStatus[]; to: PaymentStatus }>
> = {
  pend: { from: [PaymentStatus.DRAFT], to: PaymentStatus.PENDING },
  post: { from: [PaymentStatus.PENDING], to: PaymentStatus.POSTED },
  cancel: { from: [PaymentStatus.DRAFT, PaymentStatus.PENDING], to: PaymentStatus.CANCELLED },
};
