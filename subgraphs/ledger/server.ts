import type { DataSource } from "typeorm";
import { CURRENCY_EXPONENTS } from "../../common/amount";
import type { Config } from "../../common/config";
import { serviceTokenSource } from "../../common/auth/service-token";
import { NoticeHub } from "../../common/db/notice-hub";
import type { RequestContext } from "../../common/graphql/context";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import { registerGauge, registerStatusCounts } from "../../common/ops/metrics";
import type { LedgerContext } from "./context";
import { PaymentStatus } from "./domain/payment-status";
import { AccountOtpService, StepUpGuard } from "./account-otp.service";
import { AccountService } from "./account.service";
import { ActivityService } from "./activity.service";
import { BackgroundJobService } from "./background-job.service";
import { BankAccountService } from "./bank-account.service";
import { CheckRunService } from "./check-run.service";
import { DailyBalanceService } from "./daily-balance.service";
import { LedgerJobs } from "./jobs/ledger-jobs";
import { TransferFacts } from "./jobs/transfer-facts";
import { PaymentService } from "./payment.service";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "./persistence";
import { ACCOUNT_COUNTER } from "./persistence/counters";
import { AccountOtpRepository } from "./persistence/account-otp.repository";
import { AccountRepository } from "./persistence/account.repository";
import { ActivityRepository, type ActivityNotice } from "./persistence/activity.repository";
import { BackgroundJobRepository } from "./persistence/background-job.repository";
import { CheckRepository } from "./persistence/check.repository";
import { DailyBalanceRepository } from "./persistence/daily-balance.repository";
import { createLedgerLoaders } from "./persistence/loaders";
import { PaymentGroupCommit } from "./persistence/group-commit";
import { PaymentRepository } from "./persistence/payment.repository";
import { TransactionRepository } from "./persistence/transaction.repository";
import { TreasuryRepository } from "./persistence/treasury.repository";
import { buildLedgerSchema } from "./schema";
import { TransactionService } from "./transaction.service";
import { TreasuryService } from "./treasury.service";

export interface LedgerSubgraph extends Subgraph {
  /** The background jobs (pg-boss): tests queue and await them. */
  jobs: LedgerJobs;
  /** Open accountActivity subscriptions in this process: `activity.size`. */
  activity: NoticeHub<ActivityNotice>;
}

export interface LedgerStartOptions {
  /** Where the daily check asks the transfer orchestrator (default TRANSFER_SUBGRAPH_URL); read at each check. */
  transferUrl?: () => string;
  /** How often this instance's workers look for jobs (pg-boss polling; default 2 s). */
  jobPollingSeconds?: number;
}

type LedgerRepositories = ReturnType<typeof ledgerRepositories>;

function ledgerRepositories(config: Config, dataSource: DataSource) {
  const payments = new PaymentRepository(dataSource);
  return {
    groups: new PaymentGroupCommit(payments, config.ledger.groupCommitMs),
    accounts: new AccountRepository(dataSource),
    payments,
    transactions: new TransactionRepository(dataSource),
    activity: new ActivityRepository(dataSource),
    dailyBalances: new DailyBalanceRepository(dataSource),
    checks: new CheckRepository(dataSource),
    history: new BackgroundJobRepository(dataSource),
    accountOtp: new AccountOtpRepository(dataSource),
    treasury: new TreasuryRepository(dataSource),
  };
}

/** One request's services over the process's repositories, hub and jobs. */
function ledgerContext(
  config: Config,
  repositories: LedgerRepositories,
  activity: NoticeHub<ActivityNotice>,
  jobs: LedgerJobs,
  base: RequestContext,
): LedgerContext {
  const { currencies } = config.ledger;
  const loaders = createLedgerLoaders(repositories);
  const stepUp = new StepUpGuard(repositories.accountOtp, base.caller);
  const accounts = new AccountService(repositories.accounts, loaders, base.caller, currencies, stepUp);
  return {
    ...base,
    accounts,
    accountOtp: new AccountOtpService(
      repositories.accountOtp,
      accounts,
      base.caller,
      config.ledger.otp,
      base.requestId,
    ),
    activity: new ActivityService(repositories.activity, activity, accounts),
    bankAccounts: new BankAccountService(repositories.accounts, base.caller),
    payments: new PaymentService(
      repositories.payments,
      repositories.groups,
      repositories.accounts,
      loaders,
      base.caller,
      base.requestId,
    ),
    transactions: new TransactionService(repositories.transactions, loaders, base.caller, accounts),
    dailyBalances: new DailyBalanceService(repositories.dailyBalances, accounts, base.caller),
    checkRuns: new CheckRunService(repositories.checks, base.caller),
    backgroundJobs: new BackgroundJobService(jobs, repositories.history, base.caller),
    treasury: new TreasuryService(repositories.treasury, base.caller, config.ledger.treasury),
  };
}

/**
 * Connects, migrates, makes sure each offered currency has the bank's own accounts, serves the
 * ledger with one LISTEN on `ledger_activity` for its accountActivity subscriptions, and starts
 * its background jobs (stopped first on `stop`).
 */
export async function startLedgerSubgraph(
  config: Config,
  databaseUrl: string,
  options: LedgerStartOptions = {},
): Promise<LedgerSubgraph> {
  const { currencies } = config.ledger;
  const unknown = currencies.filter((code) => CURRENCY_EXPONENTS[code] === undefined);
  if (unknown.length) {
    throw new Error(`LEDGER_CURRENCIES has currencies without a known exponent: ${unknown.join(", ")}`);
  }
  let jobs: LedgerJobs | undefined;
  const transfers = transferFacts(config, options);
  const activity = new NoticeHub<ActivityNotice>("ledger_activity", (notice) => notice.accountId);
  const subgraph = await startSubgraph<LedgerContext>(config, databaseUrl, {
    database: { schema: LEDGER_SCHEMA, entities: ledgerEntities, migrations: ledgerMigrations },
    counters: [ACCOUNT_COUNTER],
    listen: config.subgraphs.ledger,
    buildSchema: buildLedgerSchema,
    prepare: async (dataSource, metrics) => {
      await activity.start(databaseUrl);
      const repositories = ledgerRepositories(config, dataSource);
      const running = new LedgerJobs(
        dataSource,
        { ...repositories, transfers, config: config.ledger.days },
        { pollingIntervalSeconds: options.jobPollingSeconds },
      );
      jobs = running;
      await repositories.accounts.ensureBankAccounts(currencies);
      registerStatusCounts(metrics, {
        name: "ledger_payments",
        help: "Payments by status (DRAFT, PENDING, POSTED, CANCELLED), counted in the database",
        statuses: Object.values(PaymentStatus),
        counts: () => repositories.payments.countPaymentsByStatus(),
      });
      registerGauge(
        metrics,
        "graphql_subscriptions_active",
        "Open accountActivity subscriptions at this subgraph",
        () => activity.size,
      );
      return (base) => ledgerContext(config, repositories, activity, running, base);
    },
  }).catch(async (error: unknown) => {
    await activity.stop(); // its LISTEN connection, if prepare got that far
    throw error;
  });
  await jobs!.start().catch(async (error: unknown) => {
    await subgraph.stop();
    await activity.stop();
    throw error;
  });
  return {
    ...subgraph,
    jobs: jobs!,
    activity,
    stop: async () => {
      await jobs!.stop();
      await subgraph.stop();
      await activity.stop();
    },
  };
}

/**
 * The daily check's way to the transfer orchestrator, with the ledger's own credential, made at
 * the first check (under JWKS it needs SERVICE_TOKEN_URL, which a ledger that never checks
 * transfers should not require).
 */
function transferFacts(config: Config, options: LedgerStartOptions): TransferFacts {
  let token: (() => Promise<string>) | undefined;
  return new TransferFacts(options.transferUrl ?? (() => config.subgraphs.transfer.url), () =>
    (token ??= serviceTokenSource(config.auth, "ledger"))(),
  );
}
