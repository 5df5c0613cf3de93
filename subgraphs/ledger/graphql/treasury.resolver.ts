import { Arg, Args, Ctx, ID, Query, Resolver } from "type-graphql";
import { PageArgs } from "../../../common/graphql/pagination";
import type { LedgerContext } from "../context";
import { MAX_SETTLEMENT_TRANSFER_IDS } from "../../../common/report-period";
import { SettlementMovement, SettlementMovementConnection, TreasurySummary } from "./treasury.types";

/** Thin: the bank's own view of its books, for system callers (decision 0038). */
@Resolver()
export class TreasuryResolver {
  @Query(() => TreasurySummary, {
    description:
      "Per currency: settlement, suspense and FX positions, client balances and holds, and the FX exposure valued in reportingCurrency (default REPORTING_CURRENCY) at FX_RATES. System only.",
  })
  treasurySummary(
    @Ctx() ctx: LedgerContext,
    @Arg("reportingCurrency", () => String, { nullable: true }) reportingCurrency?: string | null,
  ) {
    return ctx.treasury.summary(reportingCurrency);
  }

  @Query(() => SettlementMovementConnection, {
    description:
      "The currency's settlement account entries booked in [from, to) (at most 31 days), a page at a time in booking order (first, after). System only; the reconciliation report reads it.",
  })
  settlementMovements(
    @Arg("currency") currency: string,
    @Arg("from") from: Date,
    @Arg("to") to: Date,
    @Args() page: PageArgs,
    @Ctx() ctx: LedgerContext,
  ) {
    return ctx.treasury.settlementMovements(currency, { from, to }, page);
  }

  @Query(() => [SettlementMovement], {
    description: `The currency's settlement account entries of the given transfers (at most ${MAX_SETTLEMENT_TRANSFER_IDS}), whenever booked. System only; the reconciliation report reads it for transfers whose entries may lie outside its period.`,
  })
  settlementMovementsOfTransfers(
    @Arg("currency") currency: string,
    @Arg("transferIds", () => [ID]) transferIds: string[],
    @Ctx() ctx: LedgerContext,
  ) {
    return ctx.treasury.settlementMovementsOfTransfers(currency, transferIds);
  }
}
