import { Arg, Args, Ctx, ID, Mutation, Query, Resolver } from "type-graphql";
import { PageArgs } from "../../../common/graphql/pagination";
import type { LedgerContext } from "../context";
import { BackgroundJobFilterInput } from "./daily-inputs";
import { BackgroundJob, BackgroundJobConnection } from "./daily-types";

/** Thin: the ledger's background jobs. System only. */
@Resolver(() => BackgroundJob)
export class BackgroundJobResolver {
  @Mutation(() => BackgroundJob, {
    description:
      "Queues the balance check (AccountBalanceCheckJob) to run now on a ledger instance; its id is the run id. System only.",
  })
  runAccountBalanceCheck(@Ctx() ctx: LedgerContext) {
    return ctx.backgroundJobs.runAccountBalanceCheck();
  }

  @Query(() => BackgroundJob, { nullable: true, description: "A background job by its run id. System only." })
  backgroundJob(@Arg("id", () => ID) id: string, @Ctx() ctx: LedgerContext) {
    return ctx.backgroundJobs.backgroundJob(id);
  }

  @Query(() => BackgroundJobConnection, { description: "Background jobs, oldest first. System only." })
  backgroundJobs(
    @Ctx() ctx: LedgerContext,
    @Args() { first, after }: PageArgs,
    @Arg("filter", () => BackgroundJobFilterInput, { nullable: true })
    filter?: BackgroundJobFilterInput | null,
  ) {
    return ctx.backgroundJobs.backgroundJobs(filter ?? {}, first, after);
  }
}
