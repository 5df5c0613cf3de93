import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from "type-graphql";
import type { TransferContext } from "../context";
import * as reports from "../use-cases/reconciliation";
import { QueuedTransfers, ReconciliationReport, TreasuryPosition } from "./reconciliation.types";

/** Thin: the back office's reports over transfers (decision 0038). */
@Resolver()
export class ReconciliationResolver {
  @Query(() => ReconciliationReport, {
    description:
      "The currency's settlement account movements in [from, to) (at most 31 days) matched one to one with completed outgoing and credited incoming transfers: matched, differences in amount, and unmatched on either side. System only.",
  })
  reconciliationReport(
    @Arg("currency") currency: string,
    @Arg("from") from: Date,
    @Arg("to") to: Date,
    @Ctx() ctx: TransferContext,
  ) {
    return reports.reconciliationReport(ctx, { currency, from, to });
  }
}

@Resolver(() => TreasuryPosition)
export class TreasuryPositionResolver {
  @FieldResolver(() => QueuedTransfers, {
    description:
      "Outgoing transfers confirmed and not yet accepted by the rail (CONFIRMED, PROCESSING, SENDING).",
  })
  queuedOutgoing(@Root() position: TreasuryPosition, @Ctx() ctx: TransferContext) {
    return reports.queuedOutgoing(ctx, position.currency);
  }
}
