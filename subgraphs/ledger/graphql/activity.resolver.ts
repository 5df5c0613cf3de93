import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root, Subscription } from "type-graphql";
import { formatAmount } from "../../../common/amount";
import type { LedgerContext } from "../context";
import type { ActivityNotice } from "../persistence/activity.repository";
import { AccountActivityArgs } from "./inputs";
import { Account, AccountActivity, ActivityKind } from "./types";

/** An activity as GraphQL shows it: amounts as decimals of the account's currency. */
function toActivity(notice: ActivityNotice): AccountActivity {
  const amount = (minor: string) => formatAmount(minor, notice.currency);
  return {
    accountId: notice.accountId,
    sequence: notice.sequence,
    kind: notice.kind as ActivityKind,
    paymentId: notice.paymentId,
    transactionId: notice.transactionId,
    postedChange: amount(notice.postedChange),
    pendingChange: amount(notice.pendingChange),
    balance: {
      posted: amount(notice.posted),
      pending: amount(notice.pending),
      available: amount(notice.available),
      currency: notice.currency,
    },
    occurredAt: new Date(notice.occurredAt),
  };
}

/** Real-time balances: live over graphql-ws, and one activity as a query (which the gateway resolves events with). */
@Resolver(() => AccountActivity)
export class AccountActivityResolver {
  @Subscription(() => AccountActivity, {
    description:
      "Each posted entry and hold on an account with its balances after it, in commit order. Front office: its own client's accounts.",
    subscribe: ({ args, context }) => {
      const { accountId, afterSequence } = args as AccountActivityArgs;
      return (context as LedgerContext).activity.subscribe(accountId, afterSequence);
    },
  })
  accountActivity(@Root() notice: ActivityNotice, @Args() _args: AccountActivityArgs): AccountActivity {
    return toActivity(notice);
  }

  @Query(() => AccountActivity, {
    nullable: true,
    description:
      "One activity of an account (front office: its own accounts); the gateway resolves accountActivity events with it.",
  })
  async accountActivityEvent(
    @Arg("accountId", () => ID) accountId: string,
    @Arg("sequence") sequence: string,
    @Ctx() ctx: LedgerContext,
  ): Promise<AccountActivity | null> {
    const notice = await ctx.activity.activity(accountId, sequence);
    return notice && toActivity(notice);
  }

  @FieldResolver(() => Account, { description: "The account as it is now." })
  account(@Root() activity: AccountActivity, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.account(activity.accountId);
  }
}
