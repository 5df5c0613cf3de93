import { Arg, Args, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from "type-graphql";
import { PageArgs } from "../../../common/graphql/pagination";
import type { LedgerContext } from "../context";
import type { AccountRow } from "../persistence/entities";
import { DailyBalanceFilterInput, RecalculateDailyBalancesInput } from "./daily-inputs";
import { DailyAccountBalance, DailyAccountBalanceConnection, DailyBalanceRecalculation } from "./daily-types";
import { Account } from "./types";

/** Thin: daily account balances and their recalculation. */
@Resolver(() => DailyAccountBalance)
export class DailyBalanceResolver {
  @Query(() => DailyAccountBalanceConnection, {
    description: "Closed days' balances, by business day, filtered. System only.",
  })
  dailyBalances(
    @Ctx() ctx: LedgerContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => DailyBalanceFilterInput, { nullable: true }) filter?: DailyBalanceFilterInput | null,
  ) {
    return ctx.dailyBalances.dailyBalances(filter ?? {}, first, after);
  }

  @Mutation(() => DailyBalanceRecalculation, {
    description:
      "Recomputes closed days from the entries; reports and corrects every difference (the audit trail keeps the old values). System only.",
  })
  recalculateDailyBalances(@Arg("input") input: RecalculateDailyBalancesInput, @Ctx() ctx: LedgerContext) {
    return ctx.dailyBalances.recalculate(input);
  }
}

@Resolver(() => Account)
export class AccountDailyBalanceResolver {
  @FieldResolver(() => DailyAccountBalanceConnection, {
    description:
      "The account's closed business days in [from, to] (YYYY-MM-DD, both included), oldest first.",
  })
  dailyBalances(
    @Root() account: AccountRow,
    @Ctx() ctx: LedgerContext,
    @Args() { first, after }: PageArgs,
    @Arg("from", () => String, { nullable: true }) from?: string | null,
    @Arg("to", () => String, { nullable: true }) to?: string | null,
  ) {
    return ctx.dailyBalances.accountDailyBalances(account, { from, to }, first, after);
  }
}
