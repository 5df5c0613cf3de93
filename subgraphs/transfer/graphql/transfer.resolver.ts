import { IsISO4217CurrencyCode, IsOptional, IsUUID, Matches } from "class-validator";
import {
  Arg,
  Args,
  ArgsType,
  Ctx,
  Field,
  FieldResolver,
  ID,
  Mutation,
  Query,
  Int,
  Resolver,
  Root,
  Subscription,
} from "type-graphql";
import { MaxChars, MinChars } from "../../../common/validation";
import { PageArgs } from "../../../common/graphql/pagination";
import type { TransferContext } from "../context";
import { TransferType } from "../domain/rails";
import type { ConfirmationRow, TransferRow } from "../persistence/entities";
import {
  IncomingTransferInput,
  InternalTransferInput,
  OutgoingTransferInput,
  TransferFilterInput,
} from "./inputs";
import {
  Account,
  Client,
  Confirmation,
  FxDetails,
  FxQuote,
  Transfer,
  TransferConnection,
  TransferEvent,
  TransferStatusEvent,
} from "./transfer.types";
import type { EventNotice } from "../events/event-hub";
import { Recipient } from "./types";

@ArgsType()
class IdempotencyArgs {
  @Field({
    description:
      "Kept per client the transfer is for, whoever asks: the same key and request return the first transfer; another request is refused (IDEMPOTENCY_KEY_REUSED).",
  })
  @MinChars(1)
  @MaxChars(200)
  idempotencyKey!: string;
}

@ArgsType()
class CreateInternalTransferArgs extends IdempotencyArgs {
  @Field(() => InternalTransferInput) input!: InternalTransferInput;
}

@ArgsType()
class CreateOutgoingTransferArgs extends IdempotencyArgs {
  @Field(() => OutgoingTransferInput) input!: OutgoingTransferInput;
}

@ArgsType()
class CreateFxTransferArgs extends IdempotencyArgs {
  @Field(() => ID) @IsUUID() quoteId!: string;
}

@ArgsType()
class CodeArgs {
  @Field(() => ID) id!: string;

  @Field({ description: "The six-digit one-time code the client received." })
  @Matches(/^\d{6}$/)
  code!: string;
}

@ArgsType()
class FxQuoteArgs {
  @Field(() => ID) @IsUUID() sourceAccountId!: string;
  @Field(() => ID) @IsUUID() targetAccountId!: string;

  @Field({ description: "The source amount, a decimal string in the source currency." })
  @MinChars(1)
  @MaxChars(20)
  amount!: string;
}

@ArgsType()
class TransferTypeArgs {
  @Field({ description: "A 12-digit account number of this bank, or an IBAN (spaces and case ignored)." })
  @MinChars(1)
  @MaxChars(42)
  recipientAccountNumber!: string;

  @Field({ description: "ISO 4217 code." })
  @IsISO4217CurrencyCode()
  currency!: string;
}

function toConfirmation(row: ConfirmationRow): Confirmation {
  return {
    id: row.id,
    transferId: row.transferId,
    status: row.status as Confirmation["status"],
    attemptsLeft: Math.max(row.maxAttempts - row.attempts, 0),
    expiresAt: row.expiresAt,
    createdAt: row.createdAt,
  };
}

/** Thin: each field hands its arguments to one use case of the request's TransferService. */
@Resolver(() => Transfer)
export class TransferResolver {
  @Mutation(() => Transfer, {
    description:
      "Between two accounts of this bank in one currency; completes at once. Front office: its own debit account.",
  })
  createInternalTransfer(
    @Args() { input, idempotencyKey }: CreateInternalTransferArgs,
    @Ctx() ctx: TransferContext,
  ) {
    return ctx.transfers.createInternalTransfer(input, idempotencyKey);
  }

  @Mutation(() => Transfer, {
    description:
      "To a recipient at another bank: PENDING_CONFIRMATION, with a one-time code sent to the client (never returned).",
  })
  createOutgoingTransfer(
    @Args() { input, idempotencyKey }: CreateOutgoingTransferArgs,
    @Ctx() ctx: TransferContext,
  ) {
    return ctx.transfers.createOutgoingTransfer(input, idempotencyKey);
  }

  @Mutation(() => Transfer, {
    description:
      "Confirms an outgoing transfer with its code and holds the funds (PROCESSING). INSUFFICIENT_FUNDS fails it with nothing held.",
  })
  confirmTransfer(@Args() { id, code }: CodeArgs, @Ctx() ctx: TransferContext) {
    return ctx.transfers.confirmTransfer(id, code);
  }

  @Mutation(() => Transfer, { description: "confirmTransfer addressed by the confirmation's id." })
  verifyConfirmation(@Args() { id, code }: CodeArgs, @Ctx() ctx: TransferContext) {
    return ctx.transfers.verifyConfirmation(id, code);
  }

  @Mutation(() => Confirmation, {
    description: "Sends a new code for a transfer waiting for confirmation; the earlier code stops working.",
  })
  async resendConfirmationCode(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return toConfirmation(await ctx.transfers.resendConfirmationCode(id));
  }

  @Mutation(() => Transfer, {
    description:
      "Cancels an outgoing transfer before the rail has it (PENDING_CONFIRMATION or PROCESSING); any hold is released.",
  })
  cancelTransfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return ctx.transfers.cancelTransfer(id);
  }

  @Mutation(() => Transfer, {
    description:
      "System (the rail's integration): money from another bank. The same externalId credits once; an unknown account number leaves it UNRECOGNIZED in suspense.",
  })
  receiveIncomingTransfer(@Arg("input") input: IncomingTransferInput, @Ctx() ctx: TransferContext) {
    return ctx.transfers.receiveIncomingTransfer(input);
  }

  @Mutation(() => Transfer, {
    description: "System: credits an UNRECOGNIZED incoming transfer to a client account.",
  })
  assignIncomingTransfer(
    @Arg("id", () => ID) id: string,
    @Arg("accountId", () => ID) accountId: string,
    @Ctx() ctx: TransferContext,
  ) {
    return ctx.transfers.assignIncomingTransfer(id, accountId);
  }

  @Mutation(() => FxQuote, {
    description:
      "Quotes a rate (with the bank's spread) for exchanging between two of a client's accounts; good until expiresAt.",
  })
  fxQuote(@Args() { sourceAccountId, targetAccountId, amount }: FxQuoteArgs, @Ctx() ctx: TransferContext) {
    return ctx.transfers.fxQuote(sourceAccountId, targetAccountId, amount);
  }

  @Mutation(() => Transfer, {
    description:
      "Exchanges at a quote, all or nothing. QUOTE_EXPIRED after expiresAt; a quote buys one transfer.",
  })
  createFxTransfer(@Args() { quoteId, idempotencyKey }: CreateFxTransferArgs, @Ctx() ctx: TransferContext) {
    return ctx.transfers.createFxTransfer(quoteId, idempotencyKey);
  }

  @Mutation(() => Transfer, { description: "Operator (system): runs the next step of a transfer now." })
  executeTransfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return ctx.transfers.continueTransfer(id, true);
  }

  @Mutation(() => Transfer, {
    description:
      "Operator (system): resumes a transfer stopped in an intermediate state until it finishes or waits. Safe to call twice.",
  })
  continueTransfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return ctx.transfers.continueTransfer(id);
  }

  @Query(() => TransferType, {
    description:
      "How money to this account number would travel: INTERNAL for an account of this bank, otherwise the rail for the IBAN's country and the currency.",
  })
  transferType(@Args() { recipientAccountNumber, currency }: TransferTypeArgs, @Ctx() ctx: TransferContext) {
    return ctx.transfers.transferType(recipientAccountNumber, currency);
  }

  @Query(() => Transfer, { nullable: true, description: "Front office: its own transfers only." })
  transfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return ctx.transfers.transfer(id);
  }

  @Query(() => TransferConnection, { description: "Transfers in creation order. Front office: its own." })
  transfers(
    @Ctx() ctx: TransferContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => TransferFilterInput, { nullable: true }) filter?: TransferFilterInput | null,
  ) {
    return ctx.transfers.transfers(filter ?? {}, first, after);
  }

  @FieldResolver(() => [TransferEvent], { description: "Every status change, in sequence." })
  statusHistory(@Root() transfer: TransferRow, @Ctx() ctx: TransferContext) {
    return ctx.transfers.statusHistory(transfer.id);
  }

  @FieldResolver(() => Confirmation, {
    nullable: true,
    description: "Outgoing: the newest confirmation (its status, attempts left and expiry; never the code).",
  })
  async confirmation(@Root() transfer: TransferRow, @Ctx() ctx: TransferContext) {
    const row = transfer.kind === "OUTGOING" ? await ctx.transfers.latestConfirmation(transfer.id) : null;
    return row ? toConfirmation(row) : null;
  }

  @FieldResolver(() => FxDetails, { nullable: true, description: "FX: what was exchanged, at which rate." })
  fx(@Root() transfer: TransferRow): FxDetails | null {
    if (!transfer.quoteId) return null;
    return {
      sourceAmount: transfer.amount,
      sourceCurrency: transfer.currency,
      targetAmount: transfer.targetAmount!,
      targetCurrency: transfer.targetCurrency!,
      rate: transfer.rate!,
      quoteId: transfer.quoteId,
    };
  }

  @FieldResolver(() => Recipient, {
    nullable: true,
    description: "Outgoing: the recipient (also when hidden).",
  })
  recipient(@Root() transfer: TransferRow, @Ctx() ctx: TransferContext) {
    return transfer.recipientId ? ctx.recipients.recipient(transfer.recipientId) : null;
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "System: why the last attempt at the next step failed (it is retried). Null for front office.",
  })
  lastError(@Root() transfer: TransferRow, @Ctx() ctx: TransferContext): string | null {
    return ctx.caller.kind === "system" ? transfer.lastError : null;
  }

  @FieldResolver(() => Account, {
    nullable: true,
    description: "The account debited or credited, resolved by the ledger.",
  })
  account(@Root() transfer: TransferRow): Account | null {
    return transfer.accountId ? { id: transfer.accountId } : null;
  }

  @FieldResolver(() => Account, {
    nullable: true,
    description: "The account credited (internal; FX target).",
  })
  counterAccount(@Root() transfer: TransferRow): Account | null {
    return transfer.counterAccountId ? { id: transfer.counterAccountId } : null;
  }

  @FieldResolver(() => Client, {
    nullable: true,
    description: "The client, resolved by the client subgraph.",
  })
  client(@Root() transfer: TransferRow): Client | null {
    return transfer.clientId ? { id: transfer.clientId } : null;
  }
}

@Resolver(() => Account)
export class AccountTransfersResolver {
  @FieldResolver(() => TransferConnection, {
    description: "Transfers debiting or crediting the account. Front office: its own.",
  })
  transfers(@Root() account: Account, @Args() { first, after }: PageArgs, @Ctx() ctx: TransferContext) {
    return ctx.transfers.transfers({ accountId: account.id }, first, after);
  }
}

@Resolver(() => Client)
export class ClientTransfersResolver {
  @FieldResolver(() => TransferConnection, { description: "The client's transfers." })
  transfers(@Root() client: Client, @Args() { first, after }: PageArgs, @Ctx() ctx: TransferContext) {
    return ctx.transfers.transfers({ clientId: client.id }, first, after);
  }
}

@ArgsType()
class StatusChangedArgs {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() transferId?: string | null;
  @Field(() => ID, { nullable: true, description: "Front office: always its own client." })
  @IsOptional()
  @IsUUID()
  clientId?: string | null;
  @Field(() => ID, { nullable: true, description: "Debited or credited." })
  @IsOptional()
  @IsUUID()
  accountId?: string | null;
  @Field(() => ID, {
    nullable: true,
    description:
      "With transferId: first the events after this sequence number, then live ones (no gap, no duplicate).",
  })
  afterSequence?: string | null;
}

function toStatusEvent(notice: EventNotice): TransferStatusEvent {
  return {
    transferId: notice.transferId,
    sequence: notice.sequence,
    previousStatus: notice.from as TransferStatusEvent["previousStatus"],
    status: notice.to as TransferStatusEvent["status"],
    changedAt: new Date(notice.changedAt),
    reason: notice.reason,
    changedBy: notice.changedBy,
  };
}

/** Status changes: live over graphql-ws, and one by one as a query (which the gateway uses to enrich events). */
@Resolver(() => TransferStatusEvent)
export class TransferStatusEventResolver {
  @Subscription(() => TransferStatusEvent, {
    description:
      "Status changes as they commit, in order per transfer. Filters combine; a front-office caller only gets its own client's.",
    subscribe: ({ args, context }) =>
      (context as TransferContext).transfers.statusEvents(args as StatusChangedArgs),
  })
  transferStatusChanged(
    @Root() notice: EventNotice,
    @Args() _filter: StatusChangedArgs,
  ): TransferStatusEvent {
    return toStatusEvent(notice);
  }

  @Query(() => TransferStatusEvent, {
    nullable: true,
    description:
      "One status change (front office: its own transfers); the gateway resolves subscription events with it.",
  })
  async transferStatusEvent(
    @Arg("transferId", () => ID) transferId: string,
    @Arg("sequence", () => Int) sequence: number,
    @Ctx() ctx: TransferContext,
  ): Promise<TransferStatusEvent | null> {
    const found = await ctx.transfers.statusEvent(transferId, sequence);
    // The transfer was just read for this request: its `transfer` field answers with it.
    return found && { ...toStatusEvent(found.notice), loadedTransfer: found.transfer };
  }

  @FieldResolver(() => Transfer, {
    description: "The transfer as it is now (resolved again for every event).",
  })
  async transfer(@Root() event: TransferStatusEvent, @Ctx() ctx: TransferContext) {
    return event.loadedTransfer ?? ctx.transfers.currentTransfer(event.transferId);
  }
}
