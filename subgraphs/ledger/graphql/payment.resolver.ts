import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { formatAmount } from "../../../common/amount";
import type { LedgerContext } from "../context";
import type { PaymentRow } from "../persistence/entities";
import type { AppError, FieldError } from "../../../common/errors";
import type { PaymentOutcome } from "../persistence/payment.repository";
import { CreatePaymentArgs, CreatePaymentsArgs, PaymentTransitionArgs } from "./inputs";
import { Account, LedgerTransaction, Payment, PaymentBatch, PaymentError, PaymentEvent } from "./types";

/** An item's refusal as data: its code, message, and the field (and rule) it names. */
function paymentError(error: AppError): PaymentError {
  const [first] = (error.details.fields as FieldError[] | undefined) ?? [];
  const field = first?.field ?? (error.details.field as string | undefined) ?? null;
  return { code: error.code, message: error.message, field, rule: first?.rule ?? null };
}

function paymentBatch(outcomes: PaymentOutcome[]) {
  const items = outcomes.map((outcome, index) =>
    "payment" in outcome
      ? { index, payment: outcome.payment, error: null }
      : { index, payment: null, error: paymentError(outcome.error) },
  );
  const succeeded = items.filter((item) => item.payment).length;
  return { items, succeeded, failed: items.length - succeeded };
}

/** The documented five payment operations. System callers only. */
@Resolver(() => Payment)
export class PaymentResolver {
  @Query(() => Payment, { nullable: true })
  payment(@Arg("id", () => ID) id: string, @Ctx() ctx: LedgerContext) {
    return ctx.payments.payment(id);
  }

  @Mutation(() => Payment, { description: "Creates a payment and moves the money at once (POSTED)." })
  createPayment(@Args() { input, idempotencyKey }: CreatePaymentArgs, @Ctx() ctx: LedgerContext) {
    return ctx.payments.createPayment("IMMEDIATE", input, idempotencyKey);
  }

  @Mutation(() => PaymentBatch, {
    description:
      "Creates payments at once (POSTED) in one database transaction, each with its own idempotency key and its own result, in the order given. A refused payment is that item's error; with allOrNothing, any refusal leaves every payment unmade.",
  })
  async createPayments(@Args() { payments, allOrNothing }: CreatePaymentsArgs, @Ctx() ctx: LedgerContext) {
    return paymentBatch(await ctx.payments.createPayments(payments, allOrNothing));
  }

  @Mutation(() => Payment, { description: "Creates a payment in DRAFT; no money moves." })
  createDraftPayment(@Args() { input, idempotencyKey }: CreatePaymentArgs, @Ctx() ctx: LedgerContext) {
    return ctx.payments.createPayment("DRAFT", input, idempotencyKey);
  }

  @Mutation(() => Payment, { description: "DRAFT -> PENDING: holds the amount on the debit account." })
  pendPayment(@Args() { id, idempotencyKey }: PaymentTransitionArgs, @Ctx() ctx: LedgerContext) {
    return ctx.payments.transitionPayment("pend", id, idempotencyKey);
  }

  @Mutation(() => Payment, { description: "PENDING -> POSTED: withdraws the held funds and deposits them." })
  postPayment(@Args() { id, idempotencyKey }: PaymentTransitionArgs, @Ctx() ctx: LedgerContext) {
    return ctx.payments.transitionPayment("post", id, idempotencyKey);
  }

  @Mutation(() => Payment, { description: "DRAFT|PENDING -> CANCELLED: releases any hold." })
  cancelPayment(@Args() { id, idempotencyKey }: PaymentTransitionArgs, @Ctx() ctx: LedgerContext) {
    return ctx.payments.transitionPayment("cancel", id, idempotencyKey);
  }

  @FieldResolver(() => String, { description: "Decimal string in the payment's currency." })
  amount(@Root() payment: PaymentRow): string {
    return formatAmount(payment.amount, payment.currency);
  }

  @FieldResolver(() => Account, { nullable: true })
  debitAccount(@Root() payment: PaymentRow, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.account(payment.debitAccountId);
  }

  @FieldResolver(() => Account, { nullable: true })
  creditAccount(@Root() payment: PaymentRow, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.account(payment.creditAccountId);
  }

  @FieldResolver(() => [LedgerTransaction], {
    description: "The money movements of this payment (none before it is posted).",
  })
  transactions(@Root() payment: PaymentRow, @Ctx() ctx: LedgerContext) {
    return ctx.payments.transactionsOfPayment(payment.id);
  }

  @FieldResolver(() => [PaymentEvent], { description: "Every status the payment has had, oldest first." })
  history(@Root() payment: PaymentRow, @Ctx() ctx: LedgerContext) {
    return ctx.payments.paymentEvents(payment.id);
  }
}
