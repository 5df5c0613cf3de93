import { Arg, Args, Ctx, ID, Query, Resolver } from "type-graphql";
import { PageArgs } from "../../../common/graphql/pagination";
import type { LedgerContext } from "../context";
import { CheckFindingFilterInput, CheckRunFilterInput } from "./daily-inputs";
import { CheckFindingConnection, CheckRun, CheckRunConnection } from "./daily-types";

/** Thin: daily and balance check runs and their findings. System only. */
@Resolver(() => CheckRun)
export class CheckRunResolver {
  @Query(() => CheckRunConnection, {
    description: "Check runs, oldest first, with pass and fail counts. System only.",
  })
  checkRuns(
    @Ctx() ctx: LedgerContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => CheckRunFilterInput, { nullable: true }) filter?: CheckRunFilterInput | null,
  ) {
    return ctx.checkRuns.checkRuns(filter ?? {}, first, after);
  }

  @Query(() => CheckRun, { nullable: true, description: "System only." })
  checkRun(@Arg("id", () => ID) id: string, @Ctx() ctx: LedgerContext) {
    return ctx.checkRuns.checkRun(id);
  }

  @Query(() => CheckFindingConnection, {
    description: "What check runs found wrong, each naming its account, currency or transfer. System only.",
  })
  checkFindings(
    @Ctx() ctx: LedgerContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => CheckFindingFilterInput, { nullable: true }) filter?: CheckFindingFilterInput | null,
  ) {
    return ctx.checkRuns.checkFindings(filter ?? {}, first, after);
  }
}
