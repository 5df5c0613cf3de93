/**
 * GraphQL types of the ledger's back office days (decision 0036): daily account balances and
 * their recalculation, check runs and findings, background jobs. Amounts are decimal strings in
 * the account's currency; business days are dates written YYYY-MM-DD in BANK_TIMEZONE.
 */
import { GraphQLJSONObject } from "graphql-scalars";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Connection } from "../../../common/graphql/pagination";
import { CheckName, CheckRunKind } from "../domain/daily-check";
import { BackgroundJobName } from "../jobs/ledger-jobs";

export enum BackgroundJobState {
  QUEUED = "QUEUED",
  RUNNING = "RUNNING",
  RETRYING = "RETRYING",
  SUCCEEDED = "SUCCEEDED",
  FAILED = "FAILED",
}

export function registerDailyEnums(): void {
  registerEnumType(CheckRunKind, {
    name: "CheckRunKind",
    valuesConfig: {
      DAILY_CHECK: { description: "Once per closed business day, every check." },
      BALANCE_CHECK: { description: "AccountBalanceCheckJob: the ledger's balances as they are now." },
    },
  });
  registerEnumType(CheckName, {
    name: "CheckName",
    description: "What a check run checks (README, Daily checks).",
  });
  registerEnumType(BackgroundJobName, {
    name: "BackgroundJobName",
    valuesConfig: {
      DAY_CLOSE: {
        description: "Closes every due business day into daily balances, then queues its daily check.",
      },
      DAILY_CHECK: { description: "The daily check of one closed business day." },
      ACCOUNT_BALANCE_CHECK: { description: "The balance check (AccountBalanceCheckJob)." },
    },
  });
  registerEnumType(BackgroundJobState, {
    name: "BackgroundJobState",
    valuesConfig: {
      QUEUED: { description: "Waiting for a ledger instance to take it." },
      RUNNING: { description: "An attempt is running." },
      RETRYING: { description: "An attempt failed; it will be tried again (lastError says why)." },
      SUCCEEDED: { description: "Done; result holds what it did." },
      FAILED: { description: "Every attempt failed (lastError says why)." },
    },
  });
}

@ObjectType({ description: "An account's figures for one business day." })
export class DailyBalanceFigures {
  @Field({ description: "Posted balance when the day began." }) openingBalance!: string;
  @Field({ description: "Posted balance when the day ended." }) closingBalance!: string;
  @Field({ description: "Money out of the account during the day (positive)." }) totalDebits!: string;
  @Field({ description: "Money into the account during the day (positive)." }) totalCredits!: string;
  @Field(() => Int) entryCount!: number;
}

@ObjectType({ description: "An account's closed business day, stored when the day was closed." })
export class DailyAccountBalance extends DailyBalanceFigures {
  @Field(() => ID) id!: string;
  @Field(() => ID) accountId!: string;
  @Field({ description: "YYYY-MM-DD in the bank's time zone." }) businessDay!: string;
  @Field() currency!: string;
  createdAt!: Date;
}

@ObjectType()
export class DailyAccountBalanceConnection extends Connection(DailyAccountBalance) {}

@ObjectType({
  description: "A stored day that differed from its entries: what was stored and what is right.",
})
export class DailyBalanceDifference {
  @Field(() => ID) accountId!: string;
  @Field() businessDay!: string;
  @Field() currency!: string;
  @Field(() => DailyBalanceFigures, {
    nullable: true,
    description: "Null when the day had no row for the account.",
  })
  stored!: DailyBalanceFigures | null;
  @Field(() => DailyBalanceFigures) actual!: DailyBalanceFigures;
}

@ObjectType({
  description:
    "A recalculation of closed days: every difference found, each corrected (the old values are kept in the audit trail).",
})
export class DailyBalanceRecalculation {
  @Field(() => ID) id!: string;
  @Field() from!: string;
  @Field() to!: string;
  @Field(() => ID, { nullable: true }) accountId!: string | null;
  @Field(() => Int, { description: "Stored rows compared (and rows the entries call for)." })
  rowsChecked!: number;
  @Field(() => Int) rowsCorrected!: number;
  @Field(() => [DailyBalanceDifference]) differences!: DailyBalanceDifference[];
}

@ObjectType({ description: "One check of a run." })
export class CheckResult {
  @Field(() => CheckName) check!: CheckName;
  @Field() passed!: boolean;
  @Field(() => Int) findingCount!: number;
  @Field(() => String, { nullable: true, description: "Why the check could not run, when it could not." })
  error!: string | null;
}

@ObjectType({ description: "A daily or balance check run, written once when it finished. Never changed." })
export class CheckRun {
  @Field(() => ID) id!: string;
  @Field(() => CheckRunKind) kind!: CheckRunKind;
  @Field(() => String, { nullable: true, description: "The day checked (daily checks)." }) businessDay!:
    string | null;
  @Field(() => ID, { nullable: true, description: "The background job that ran it." }) jobId!: string | null;
  @Field() startedAt!: Date;
  @Field({ description: "When it finished." }) createdAt!: Date;
  @Field(() => Int) checksPassed!: number;
  @Field(() => Int) checksFailed!: number;
  @Field(() => Int) findingCount!: number;
  @Field(() => [CheckResult]) results!: CheckResult[];
}

@ObjectType()
export class CheckRunConnection extends Connection(CheckRun) {}

@ObjectType({ description: "Something a check found wrong, naming what it concerns." })
export class CheckFinding {
  @Field(() => ID) id!: string;
  @Field(() => ID) runId!: string;
  @Field(() => CheckName) check!: CheckName;
  @Field({ description: "ACCOUNT, CURRENCY or TRANSFER." }) subjectKind!: string;
  @Field({ description: "The account or transfer id, or the currency code." }) subjectId!: string;
  @Field(() => String, { nullable: true }) businessDay!: string | null;
  @Field(() => GraphQLJSONObject, { description: "The figures that disagree (amounts in minor units)." })
  details!: Record<string, unknown>;
  @Field() createdAt!: Date;
}

@ObjectType()
export class CheckFindingConnection extends Connection(CheckFinding) {}

@ObjectType({ description: "A background job and its history (attempts, outcome)." })
export class BackgroundJob {
  @Field(() => ID, { description: "The run id." }) id!: string;
  @Field(() => BackgroundJobName) name!: BackgroundJobName;
  @Field({ description: "Who queued it: a token subject, `schedule`, or `job:<id>`." }) requestedBy!: string;
  @Field(() => BackgroundJobState) state!: BackgroundJobState;
  @Field(() => Int) attempts!: number;
  @Field() createdAt!: Date;
  @Field(() => Date, { nullable: true }) startedAt!: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt!: Date | null;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: "What it did (checks: checkRunId and counts).",
  })
  result!: Record<string, unknown> | null;
  @Field(() => String, { nullable: true }) lastError!: string | null;
}

@ObjectType()
export class BackgroundJobConnection extends Connection(BackgroundJob) {}
