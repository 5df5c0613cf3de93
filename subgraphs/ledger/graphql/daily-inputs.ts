/** Inputs of the back office days: daily balance filters and recalculation, check runs, background jobs. */
import { Field, InputType } from "type-graphql";
import { UuidField } from "../../../common/graphql/uuid-field";
import { CheckName, CheckRunKind } from "../domain/daily-check";
import { BackgroundJobName } from "../jobs/ledger-jobs";
import { BackgroundJobState } from "./daily-types";

const DAY = "A date, YYYY-MM-DD (business day in the bank's time zone), included.";

@InputType()
export class DailyBalanceFilterInput {
  @UuidField({ nullable: true }) accountId?: string | null;
  @Field(() => String, { nullable: true, description: DAY }) from?: string | null;
  @Field(() => String, { nullable: true, description: DAY }) to?: string | null;
}

@InputType({ description: "Closed days of [from, to] (at most 366), of one account or all." })
export class RecalculateDailyBalancesInput {
  @Field({ description: DAY }) from!: string;
  @Field({ description: DAY }) to!: string;
  @UuidField({ nullable: true, description: "One account; all when left out." }) accountId?: string | null;
}

@InputType()
export class CheckRunFilterInput {
  @Field(() => CheckRunKind, { nullable: true }) kind?: CheckRunKind | null;
  @Field(() => String, { nullable: true, description: `Business day checked on or after. ${DAY}` }) from?:
    string | null;
  @Field(() => String, { nullable: true, description: `Business day checked on or before. ${DAY}` }) to?:
    string | null;
}

@InputType()
export class CheckFindingFilterInput {
  @UuidField({ nullable: true }) runId?: string | null;
  @Field(() => CheckName, { nullable: true }) check?: CheckName | null;
}

@InputType()
export class BackgroundJobFilterInput {
  @Field(() => BackgroundJobName, { nullable: true }) name?: BackgroundJobName | null;
  @Field(() => BackgroundJobState, { nullable: true }) state?: BackgroundJobState | null;
}
