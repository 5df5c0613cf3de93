import { Arg, Ctx, ID, Query, Resolver } from "type-graphql";
import type { LedgerContext } from "../context";
import { SettlementMovement, TreasurySummary } from "./treasury.types";

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

  @Query(() => [SettlementMovement], {
    description:
      "The currency's settlement account entries booked in [from, to) (at most 31 days), and those of the given transfers whenever booked. System only; the reconciliation report reads it.",
  })
  settlementMovements(
    @Arg("currency") currency: string,
    @Arg("from") from: Date,
    @Arg("to") to: Date,
    @Ctx() ctx: LedgerContext,
    @Arg("transferIds", () => [ID], { nullable: true }) transferIds?: string[] | null,
  ) {
    return ctx.treasury.settlementMovements(currency, from, to, transferIds ?? []);
  }
}
