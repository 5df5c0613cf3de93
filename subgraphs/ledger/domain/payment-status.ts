/**
 * The payment state machine (the documented five operations). Transitions not in the table
 * are refused with PAYMENT_INVALID_STATE. The database applies them with the payment row
 * locked, so a payment resolves (posted or cancelled) at most once even when requests race.
 */
import { AppError } from "../../../common/errors";

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

export function assertPaymentTransition(operation: PaymentOperation, from: PaymentStatus): PaymentStatus {
  const transition = PAYMENT_TRANSITIONS[operation];
  if (!transition.from.includes(from)) {
    throw new AppError(
      "PAYMENT_INVALID_STATE",
      `A ${from} payment cannot be ${operation === "pend" ? "pended" : `${operation}ed`}`,
      {
        from,
        to: transition.to,
      },
    );
  }
  return transition.to;
}
