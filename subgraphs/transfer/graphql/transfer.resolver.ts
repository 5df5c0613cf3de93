import type { RowProperties } from "../../../common/db/row-reader";
import { NodeProperties } from "../../../common/graphql/node-properties";
import {
  Arg,
  Args,
  Ctx,
  FieldResolver,
  ID,
  Int,
  Mutation,
  Query,
  Resolver,
  Root,
  Subscription,
} from "type-graphql";
import { PageArgs } from "../../../common/graphql/pagination";
import type { TransferContext } from "../context";
import { railFor, TransferType } from "../domain/rails";
import type { EventNotice } from "../events/event-hub";
import type { ConfirmationRow, TransferRow } from "../persistence/entities";
import * as confirmation from "../use-cases/confirmation";
import * as events from "../use-cases/events";
import * as fx from "../use-cases/fx";
import * as incoming from "../use-cases/incoming";
import * as internal from "../use-cases/internal";
import * as operator from "../use-cases/operator";
import * as outgoing from "../use-cases/outgoing";
import * as queries from "../use-cases/queries";
import * as recipients from "../use-cases/recipients";
import {
  CodeArgs,
  CreateFxTransferArgs,
  CreateInternalTransferArgs,
  CreateOutgoingTransferArgs,
  FxQuoteArgs,
  IncomingTransferInput,
  SnapshotArgs,
  StatusChangedArgs,
  TransferFilterInput,
  TransferTypeArgs,
} from "./inputs";
import {
  Account,
  Client,
  Confirmation,
  FxDetails,
  FxQuote,
  Recipient,
  Transfer,
  TransferConnection,
  TransferEvent,
  TransferSnapshot,
  TransferStatusEvent,
} from "./types";

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

/** Thin: each field hands its arguments to one use case (use-cases/), with the request's context as its dependencies. */
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
    return internal.createInternalTransfer(ctx, input, idempotencyKey);
  }

  @Mutation(() => Transfer, {
    description:
      "To a recipient at another bank: PENDING_CONFIRMATION, with a one-time code sent to the client (never returned).",
  })
  createOutgoingTransfer(
    @Args() { input, idempotencyKey }: CreateOutgoingTransferArgs,
    @Ctx() ctx: TransferContext,
  ) {
    return outgoing.createOutgoingTransfer(ctx, input, idempotencyKey);
  }

  @Mutation(() => Transfer, {
    description:
      "Confirms an outgoing transfer with its code and holds the funds (PROCESSING). INSUFFICIENT_FUNDS fails it with nothing held.",
  })
  confirmTransfer(@Args() { id, code }: CodeArgs, @Ctx() ctx: TransferContext) {
    return confirmation.confirmTransfer(ctx, id, code);
  }

  @Mutation(() => Transfer, { description: "confirmTransfer addressed by the confirmation's id." })
  verifyConfirmation(@Args() { id, code }: CodeArgs, @Ctx() ctx: TransferContext) {
    return confirmation.verifyConfirmation(ctx, id, code);
  }

  @Mutation(() => Confirmation, {
    description: "Sends a new code for a transfer waiting for confirmation; the earlier code stops working.",
  })
  async resendConfirmationCode(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return toConfirmation(await confirmation.resendConfirmationCode(ctx, id));
  }

  @Mutation(() => Transfer, {
    description:
      "Cancels an outgoing transfer before the rail has it (PENDING_CONFIRMATION or PROCESSING); any hold is released.",
  })
  cancelTransfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return outgoing.cancelTransfer(ctx, id);
  }

  @Mutation(() => Transfer, {
    description:
      "System (the rail's integration): money from another bank. The same externalId credits once; an unknown account number leaves it UNRECOGNIZED in suspense.",
  })
  receiveIncomingTransfer(@Arg("input") input: IncomingTransferInput, @Ctx() ctx: TransferContext) {
    return incoming.receiveIncomingTransfer(ctx, input);
  }

  @Mutation(() => Transfer, {
    description: "System: credits an UNRECOGNIZED incoming transfer to a client account.",
  })
  assignIncomingTransfer(
    @Arg("id", () => ID) id: string,
    @Arg("accountId", () => ID) accountId: string,
    @Ctx() ctx: TransferContext,
  ) {
    return incoming.assignIncomingTransfer(ctx, id, accountId);
  }

  @Mutation(() => FxQuote, {
    description:
      "Quotes a rate (with the bank's spread) for exchanging between two of a client's accounts; good until expiresAt.",
  })
  fxQuote(@Args() { sourceAccountId, targetAccountId, amount }: FxQuoteArgs, @Ctx() ctx: TransferContext) {
    return fx.fxQuote(ctx, sourceAccountId, targetAccountId, amount);
  }

  @Mutation(() => Transfer, {
    description:
      "Exchanges at a quote, all or nothing. QUOTE_EXPIRED after expiresAt; a quote buys one transfer.",
  })
  createFxTransfer(@Args() { quoteId, idempotencyKey }: CreateFxTransferArgs, @Ctx() ctx: TransferContext) {
    return fx.createFxTransfer(ctx, quoteId, idempotencyKey);
  }

  @Mutation(() => Transfer, { description: "Operator (system): runs the next step of a transfer now." })
  executeTransfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return operator.continueTransfer(ctx, id, true);
  }

  @Mutation(() => Transfer, {
    description:
      "Operator (system): resumes a transfer stopped in an intermediate state until it finishes or waits. Safe to call twice.",
  })
  continueTransfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return operator.continueTransfer(ctx, id);
  }

  @Query(() => TransferType, {
    description:
      "How money to this account number would travel: INTERNAL for an account of this bank, otherwise the rail for the IBAN's country and the currency.",
  })
  transferType(@Args() { recipientAccountNumber, currency }: TransferTypeArgs) {
    return railFor(recipientAccountNumber, currency);
  }

  @Query(() => Transfer, { nullable: true, description: "Front office: its own transfers only." })
  transfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return queries.transfer(ctx, id);
  }

  @Query(() => TransferConnection, { description: "Transfers in creation order. Front office: its own." })
  transfers(
    @Ctx() ctx: TransferContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => TransferFilterInput, { nullable: true }) filter?: TransferFilterInput | null,
    @NodeProperties() properties?: RowProperties,
  ) {
    return queries.transfers(ctx, filter ?? {}, first, after, properties);
  }

  @FieldResolver(() => [TransferEvent], { description: "Every status change, in sequence." })
  statusHistory(@Root() transfer: TransferRow, @Ctx() ctx: TransferContext) {
    return queries.statusHistory(ctx, transfer);
  }

  @FieldResolver(() => Date, {
    description: "When it entered its current status: the time of its newest statusHistory entry.",
  })
  statusChangedAt(@Root() transfer: TransferRow, @Ctx() ctx: TransferContext) {
    return queries.statusChangedAt(ctx, transfer);
  }

  @FieldResolver(() => Confirmation, {
    nullable: true,
    description: "Outgoing: the newest confirmation (its status, attempts left and expiry; never the code).",
  })
  async confirmation(@Root() transfer: TransferRow, @Ctx() ctx: TransferContext) {
    const row = transfer.kind === "OUTGOING" ? await confirmation.latestConfirmation(ctx, transfer.id) : null;
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
    return transfer.recipientId ? recipients.recipient(ctx, transfer.recipientId) : null;
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
  transfers(
    @Root() account: Account,
    @Args() { first, after }: PageArgs,
    @Ctx() ctx: TransferContext,
    @NodeProperties() properties?: RowProperties,
  ) {
    return queries.transfers(ctx, { accountId: account.id }, first, after, properties);
  }
}

@Resolver(() => Client)
export class ClientTransfersResolver {
  @FieldResolver(() => TransferConnection, { description: "The client's transfers." })
  transfers(
    @Root() client: Client,
    @Args() { first, after }: PageArgs,
    @Ctx() ctx: TransferContext,
    @NodeProperties() properties?: RowProperties,
  ) {
    return queries.transfers(ctx, { clientId: client.id }, first, after, properties);
  }
}

function toStatusEvent(notice: EventNotice): TransferStatusEvent {
  return {
    position: notice.position,
    transferId: notice.transferId,
    sequence: notice.sequence,
    previousStatus: notice.from as TransferStatusEvent["previousStatus"],
    status: notice.to as TransferStatusEvent["status"],
    changedAt: new Date(notice.changedAt),
    reason: notice.reason,
    changedBy: notice.changedBy,
    parties: { clientId: notice.clientId, counterClientId: notice.counterClientId },
  };
}

/** Status changes: live over graphql-ws, and one by one as a query (which the gateway uses to enrich events). */
@Resolver(() => TransferStatusEvent)
export class TransferStatusEventResolver {
  @Subscription(() => TransferStatusEvent, {
    description:
      "Status changes as they commit, in order per transfer. Filters combine; a front-office caller only gets its own client's.",
    subscribe: ({ args, context }) =>
      events.statusEvents(context as TransferContext, args as StatusChangedArgs),
  })
  transferStatusChanged(
    @Root() notice: EventNotice,
    @Args() _filter: StatusChangedArgs,
    @Ctx() ctx: TransferContext,
  ): TransferStatusEvent {
    return toStatusEvent(events.eventAsSeen(ctx, notice));
  }

  @Query(() => TransferSnapshot, {
    description:
      "The current transfers of a client or an account (both sides), or all, with the event position they reflect: subscribe to transferStatusChanged with the same filter and `after: position` to follow on with nothing missed. Front office: its own.",
  })
  transferSnapshot(@Args() { clientId, accountId, recent }: SnapshotArgs, @Ctx() ctx: TransferContext) {
    return events.transferSnapshot(ctx, { clientId, accountId }, recent);
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
    const found = await events.statusEvent(ctx, transferId, sequence);
    // The transfer was just read for this request: its `transfer` field answers with it.
    return found && { ...toStatusEvent(found.notice), loadedTransfer: found.transfer };
  }

  @FieldResolver(() => Transfer, {
    description: "The transfer as it is now (resolved again for every event).",
  })
  async transfer(@Root() event: TransferStatusEvent, @Ctx() ctx: TransferContext) {
    return event.loadedTransfer ?? events.eventTransfer(ctx, event.transferId, event.parties);
  }
}
