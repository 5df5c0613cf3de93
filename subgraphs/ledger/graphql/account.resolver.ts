import type { RowProperties } from "../../../common/db/row-reader";
import { NodeProperties } from "../../../common/graphql/node-properties";
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { formatAmount } from "../../../common/amount";
import { PageArgs } from "../../../common/graphql/pagination";
import type { LedgerContext } from "../context";
import { AccountKind } from "../domain/account-status";
import type { AccountRow } from "../persistence/entities";
import { AccountFilterInput, OpenAccountInput, UpdateAccountInput } from "./inputs";
import {
  Account,
  AccountConnection,
  Balance,
  BalanceCheck,
  Client,
  Currency,
  CurrencyAmounts,
  LedgerTransactionConnection,
} from "./types";

/** Thin: each field hands its arguments to one use case of the request's services. */
@Resolver(() => Account)
export class AccountResolver {
  @Query(() => [Currency], { description: "The currencies the bank offers accounts in." })
  availableCurrencies(@Ctx() ctx: LedgerContext) {
    return ctx.accounts.availableCurrencies();
  }

  @Query(() => Account, { nullable: true, description: "Front office: its own accounts only." })
  account(@Arg("id", () => ID) id: string, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.account(id);
  }

  @Query(() => Account, {
    nullable: true,
    description:
      "The bank's own account of a kind in a currency; null for CLIENT or a currency without one. System only.",
  })
  bankAccount(
    @Arg("kind", () => AccountKind) kind: AccountKind,
    @Arg("currency") currency: string,
    @Ctx() ctx: LedgerContext,
  ) {
    return ctx.bankAccounts.bankAccount(kind, currency);
  }

  @Query(() => Account, {
    nullable: true,
    description: "The bank's settlement account of a currency (bankAccount with SETTLEMENT). System only.",
  })
  settlementAccount(@Arg("currency") currency: string, @Ctx() ctx: LedgerContext) {
    return ctx.bankAccounts.settlementAccount(currency);
  }

  @Query(() => Account, { nullable: true, description: "By the 12-digit account number." })
  accountByNumber(@Arg("number") number: string, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.accountByNumber(number);
  }

  @Query(() => AccountConnection, { description: "Client accounts in opening order. Front office: its own." })
  accounts(
    @Ctx() ctx: LedgerContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => AccountFilterInput, { nullable: true }) filter?: AccountFilterInput | null,
    @NodeProperties() properties?: RowProperties,
  ) {
    return ctx.accounts.accounts(filter ?? {}, first, after, properties);
  }

  @Query(() => [CurrencyAmounts], {
    description: "Posted, held and available totals per currency over a client's open accounts.",
  })
  aggregatedAmounts(@Arg("clientId", () => ID) clientId: string, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.aggregatedAmounts(clientId);
  }

  @Mutation(() => Account, { description: "Front office may open for its own client (no overdraft)." })
  openAccount(@Arg("input") input: OpenAccountInput, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.openAccount(input);
  }

  @Mutation(() => Account, { description: "Owner may rename; status and overdraft are for system callers." })
  updateAccount(
    @Arg("id", () => ID) id: string,
    @Arg("input") input: UpdateAccountInput,
    @Ctx() ctx: LedgerContext,
  ) {
    return ctx.accounts.updateAccount(id, input);
  }

  @Mutation(() => Account, {
    description:
      "Only at a zero balance with nothing held (ACCOUNT_NOT_EMPTY). A front-office caller needs a step-up grant (verifyAccountOtp for CLOSE_ACCOUNT), which this uses up: STEP_UP_REQUIRED otherwise.",
  })
  closeAccount(
    @Arg("id", () => ID) id: string,
    @Ctx() ctx: LedgerContext,
    @Arg("otpGrant", () => String, {
      nullable: true,
      description: "The grant of verifyAccountOtp; front-office callers only.",
    })
    otpGrant?: string | null,
  ) {
    return ctx.accounts.closeAccount(id, otpGrant);
  }

  @Mutation(() => [Account], {
    description: "accountIds lists each of the client's open accounts once, in the new order.",
  })
  reorderAccounts(
    @Arg("clientId", () => ID) clientId: string,
    @Arg("accountIds", () => [ID]) accountIds: string[],
    @Ctx() ctx: LedgerContext,
  ) {
    return ctx.accounts.reorderAccounts(clientId, accountIds);
  }

  @Mutation(() => [BalanceCheck], {
    description:
      "Recomputes stored balances from the entries; reports and corrects any that were wrong. System only.",
  })
  recalculateBalances(@Arg("accountIds", () => [ID]) accountIds: string[], @Ctx() ctx: LedgerContext) {
    return ctx.accounts.recalculateBalances(accountIds);
  }

  @FieldResolver(() => Balance)
  balance(@Root() account: AccountRow): Balance {
    const posted = BigInt(account.posted);
    const pending = BigInt(account.pending);
    const available = posted - pending + BigInt(account.overdraftLimit);
    return {
      posted: formatAmount(posted, account.currency),
      pending: formatAmount(pending, account.currency),
      available: formatAmount(available, account.currency),
      currency: account.currency,
    };
  }

  @FieldResolver(() => String, { description: "How far below zero `available` may go, as a decimal string." })
  overdraftLimit(@Root() account: AccountRow): string {
    return formatAmount(account.overdraftLimit, account.currency);
  }

  @FieldResolver(() => Client, {
    nullable: true,
    description: "The owning client, resolved by the client subgraph.",
  })
  client(@Root() account: AccountRow) {
    return account.clientId ? { id: account.clientId } : null;
  }

  @FieldResolver(() => LedgerTransactionConnection, { description: "The account's statement, oldest first." })
  transactions(
    @Root() account: AccountRow,
    @Args() { first, after }: PageArgs,
    @Ctx() ctx: LedgerContext,
    @NodeProperties() properties?: RowProperties,
  ) {
    return ctx.transactions.accountTransactions(account, first, after, properties);
  }
}

@Resolver(() => Client)
export class ClientAccountsResolver {
  @FieldResolver(() => [Account], { description: "The client's accounts in its order." })
  accounts(@Root() client: Client, @Ctx() ctx: LedgerContext) {
    return ctx.accounts.accountsOfClient(client.id);
  }
}
