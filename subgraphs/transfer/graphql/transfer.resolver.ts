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
  Resolver,
  Root,
} from "type-graphql";
import { MaxChars, MinChars } from "../../../common/validation";
import { PageArgs } from "../../../common/graphql/pagination";
import type { TransferContext } from "../context";
import type { TransferRow } from "../persistence/entities";
import { InternalTransferInput, TransferFilterInput } from "./inputs";
import { Account, Client, Transfer, TransferConnection, TransferEvent } from "./transfer.types";

@ArgsType()
class CreateInternalTransferArgs {
  @Field(() => InternalTransferInput) input!: InternalTransferInput;

  @Field({ description: "The same key and request return the first transfer; another request is refused." })
  @MinChars(1)
  @MaxChars(200)
  idempotencyKey!: string;
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

  @Mutation(() => Transfer, { description: "Operator (system): runs the next step of a transfer now." })
  executeTransfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return ctx.transfers.continueTransfer(id);
  }

  @Mutation(() => Transfer, {
    description:
      "Operator (system): resumes a transfer stopped in an intermediate state. Safe to call twice.",
  })
  continueTransfer(@Arg("id", () => ID) id: string, @Ctx() ctx: TransferContext) {
    return ctx.transfers.continueTransfer(id);
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

  @FieldResolver(() => Account, { description: "The debited account, resolved by the ledger." })
  account(@Root() transfer: TransferRow): Account {
    return { id: transfer.accountId };
  }

  @FieldResolver(() => Account, { nullable: true, description: "The credited account (internal transfers)." })
  counterAccount(@Root() transfer: TransferRow): Account | null {
    return transfer.counterAccountId ? { id: transfer.counterAccountId } : null;
  }

  @FieldResolver(() => Client, { description: "The client, resolved by the client subgraph." })
  client(@Root() transfer: TransferRow): Client {
    return { id: transfer.clientId };
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
