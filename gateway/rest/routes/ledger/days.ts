/**
 * GeneralLedger back office days of DESIGN.md section 7 (system callers): daily account balances
 * and their recalculation, daily check runs and their findings, and the balance check job.
 */
import type { RestRoute } from "../../route";
import { dtoOf, fragmentDto, listRoute, PAGE_SELECTION, pageSchema, restPage } from "../shared";

const DAILY_BALANCE = fragmentDto(`
fragment DailyAccountBalanceDto on DailyAccountBalance {
  id accountId businessDay currency openingBalance closingBalance totalDebits totalCredits entryCount
}`);
const FIGURES = `openingBalance closingBalance totalDebits totalCredits entryCount`;
const RECALCULATION = fragmentDto(`
fragment DailyBalanceRecalculationDto on DailyBalanceRecalculation {
  id from to accountId rowsChecked rowsCorrected
  differences { accountId businessDay currency stored { ${FIGURES} } actual { ${FIGURES} } }
}`);
const CHECK_RUN = fragmentDto(`
fragment DailyCheckDto on CheckRun {
  id kind businessDay jobId startedAt createdAt checksPassed checksFailed findingCount
  results { check passed findingCount error }
}`);
const FINDING = fragmentDto(`
fragment DailyCheckFindingDto on CheckFinding {
  id runId check subjectKind subjectId businessDay details createdAt
}`);
const JOB = fragmentDto(`
fragment BackgroundJobDto on BackgroundJob {
  id name requestedBy state attempts createdAt startedAt finishedAt result lastError
}`);

export const dayComponentSchemas = (schema: Parameters<typeof DAILY_BALANCE.component>[0]) => ({
  ...DAILY_BALANCE.component(schema),
  ...RECALCULATION.component(schema),
  ...CHECK_RUN.component(schema),
  ...FINDING.component(schema),
  ...JOB.component(schema),
});

const DAY = "A date, YYYY-MM-DD, in the bank's time zone (BANK_TIMEZONE), included";

export const dayRoutes: RestRoute[] = [
  {
    method: "get",
    path: "/internal/DailyAccountBalance",
    summary:
      "Closed business days' balances per account (opening, closing, debits, credits, entries), by day, one page at a time",
    tag: "GeneralLedger - DailyAccountBalance",
    auth: "system",
    input: {
      query: {
        account: { variable: "accountId", description: "The account" },
        from: { variable: "from", description: DAY },
        to: { variable: "to", description: DAY },
        first: { variable: "first", description: "Page size, 1 to 100 (default 20)" },
        after: { variable: "after", description: "`pageInfo.endCursor` of the previous page" },
      },
    },
    operation: `query DailyAccountBalances($accountId: ID, $from: String, $to: String, $first: Int, $after: String) {
      dailyBalances(filter: { accountId: $accountId, from: $from, to: $to }, first: $first, after: $after) {
        ${PAGE_SELECTION} nodes { ...DailyAccountBalanceDto }
      }
    } ${DAILY_BALANCE.fragment}`,
    result: (data, schema) => restPage(data.dailyBalances, DAILY_BALANCE, schema),
    resultSchema: (schema) => pageSchema(schema, DAILY_BALANCE.ref),
  },
  {
    method: "post",
    path: "/internal/DailyAccountBalance/recalculate",
    summary:
      "Recompute closed days from the entries; body `{from, to, accountId}` (at most 366 days); reports and corrects every difference, keeping the old values for audit",
    tag: "GeneralLedger - DailyAccountBalance",
    auth: "system",
    input: { body: "input" },
    operation: `mutation RecalculateDailyBalances($input: RecalculateDailyBalancesInput!) {
      recalculateDailyBalances(input: $input) { ...DailyBalanceRecalculationDto }
    } ${RECALCULATION.fragment}`,
    result: dtoOf("recalculateDailyBalances", RECALCULATION),
    resultSchema: () => RECALCULATION.ref,
  },
  listRoute({
    path: "/internal/DailyCheck",
    summary: "Daily (and balance) check runs, oldest first, with their pass and fail counts",
    tag: "GeneralLedger - DailyCheck",
    auth: "system",
    name: "DailyChecks",
    field: "checkRuns",
    filter: {
      kind: { type: "CheckRunKind", description: "dailyCheck or balanceCheck" },
      from: { type: "String", description: `Business day checked, from. ${DAY}` },
      to: { type: "String", description: `Business day checked, to. ${DAY}` },
    },
    items: CHECK_RUN,
  }),
  listRoute({
    path: "/internal/DailyCheck/details",
    summary: "What check runs found, each finding naming its account, currency or transfer, with the figures",
    tag: "GeneralLedger - DailyCheck",
    auth: "system",
    name: "DailyCheckDetails",
    field: "checkFindings",
    filter: {
      runId: { type: "ID", description: "The check run" },
      check: { type: "CheckName", description: "One check, e.g. dayChainUnbroken" },
    },
    items: FINDING,
  }),
  {
    method: "post",
    path: "/internal/BackgroundJob/AccountBalanceCheckJob",
    summary:
      "Run the balance check now (on a ledger instance, once); answers the job, whose id is the run id (GraphQL `backgroundJob(id)` shows its result)",
    tag: "GeneralLedger - BackgroundJob",
    auth: "system",
    operation: `mutation AccountBalanceCheckJob { runAccountBalanceCheck { ...BackgroundJobDto } } ${JOB.fragment}`,
    result: dtoOf("runAccountBalanceCheck", JOB),
    resultSchema: () => JOB.ref,
  },
];
