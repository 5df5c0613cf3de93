import type { RowProperties } from "../../../common/db/row-reader";
import { NodeProperties } from "../../../common/graphql/node-properties";
import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { formatAmount } from "../../../common/amount";
import { PageArgs } from "../../../common/graphql/pagination";
import type { LedgerContext } from "../context";
import type { EntryRow, TransactionRow } from "../persistence/entities";
import { TransactionFilterInput } from "./inputs";
import {
  Account,
  Entry,
  LedgerTransaction,
  LedgerTransactionConnection,
  Payment,
  TransactionReport,
} from "./types";

@Resolver(() => LedgerTransaction)
export class TransactionResolver {
  @Query(() => LedgerTransactionConnection, { description: "Front office: accountId (its own) is required." })
  transactions(
    @Ctx() ctx: LedgerContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => TransactionFilterInput, { nullable: true }) filter?: TransactionFilterInput | null,
    @NodeProperties() properties?: RowProperties,
  ) {
    return ctx.transactions.transactions(filter ?? {}, first, after, properties);
  }

  @Query(() => TransactionReport, {
    description: "An account's movements over [from, to) (default: all time until now).",
  })
  transactionReport(
    @Arg("accountId", () => ID) accountId: string,
    @Ctx() ctx: LedgerContext,
    @Arg("from", () => Date, { nullable: true }) from?: Date | null,
    @Arg("to", () => Date, { nullable: true }) to?: Date | null,
  ) {
    return ctx.transactions.transactionReport(accountId, from, to);
  }

  @Query(() => LedgerTransaction, { nullable: true })
  transaction(@Arg("id", () => ID) id: string, @Ctx() ctx: LedgerContext) {
    return ctx.transactions.transaction(id);
  }

  @FieldResolver(() => Payment, { nullable: true })
  payment(@Root() transaction: TransactionRow, @Ctx() ctx: LedgerContext) {
    return transaction.paymentId ? ctx.payments.payment(transaction.paymentId) : null;
  }

  @FieldResolver(() => [Entry], {
    description: "Sum to zero. A front-office caller sees only those on its own accounts.",
  })
  entries(@Root() transaction: TransactionRow, @Ctx() ctx: LedgerContext) {
    return ctx.transactions.entries(transaction.id);
  }
}

@Resolver(() => Entry)
export class EntryResolver {
  @FieldResolver(() => Account, { nullable: true })
  account(@Root() entry: EntryRow, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.account(entry.accountId);
  }

  @FieldResolver(() => String, { description: "Signed: negative leaves the account, positive enters it." })
  amount(@Root() entry: EntryRow): string {
    return formatAmount(entry.amount, entry.currency);
  }

  @FieldResolver(() => String, { description: "The account's posted balance right after this entry." })
  balanceAfter(@Root() entry: EntryRow): string {
    return formatAmount(entry.balanceAfter, entry.currency);
  }
}
