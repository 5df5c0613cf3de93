import type { DataSource } from "typeorm";
import { CURRENCY_EXPONENTS } from "../../common/amount";
import type { Config } from "../../common/config";
import { serviceTokenSource } from "../../common/auth/service-token";
import { NoticeHub } from "../../common/db/notice-hub";
import type { Caller } from "../../common/auth/caller";
import type { RequestContext } from "../../common/graphql/context";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import { registerGauge, registerStatusCounts } from "../../common/ops/metrics";
import type { LedgerContext } from "./context";
import { PaymentStatus } from "./domain/payment-status";
import { AccountOtpService, StepUpGuard } from "./account-otp.service";
import { AccountService } from "./account.service";
import { ActivityService } from "./activity.service";
import { ActivityWatches } from "./events/activity-watches";
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
import { createLedgerLoaders, type LedgerLoaders } from "./persistence/loaders";
import { AccountTurns } from "./persistence/account-turns";
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
  /** How often this instance's workers look for jobs (pg-boss polling; default 10 s). */
  jobPollingSeconds?: number;
}

type LedgerRepositories = ReturnType<typeof ledgerRepositories>;

function ledgerRepositories(config: Config, dataSource: DataSource) {
  const payments = new PaymentRepository(dataSource);
  return {
    groups: new PaymentGroupCommit(payments, config.ledger.groupCommitMs),
    turns: new AccountTurns(),
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

/** What every request's services are made over: the process's repositories, hub, watches and jobs. */
interface LedgerProcess {
  config: Config;
  repositories: LedgerRepositories;
  activity: NoticeHub<ActivityNotice>;
  watches: ActivityWatches;
  jobs: LedgerJobs;
}

/**
 * One request's services, each made when a resolver first asks for it: a request uses one or
 * two of the ten, and making them all (with eight data loaders) was 2% of an account list's CPU.
 */
class LedgerRequest implements LedgerContext {
  readonly caller: Caller;
  readonly requestId: string;
  private loadersMade?: LedgerLoaders;
  private accountsMade?: AccountService;
  private accountOtpMade?: AccountOtpService;
  private activityMade?: ActivityService;
  private bankAccountsMade?: BankAccountService;
  private paymentsMade?: PaymentService;
  private transactionsMade?: TransactionService;
  private dailyBalancesMade?: DailyBalanceService;
  private checkRunsMade?: CheckRunService;
  private backgroundJobsMade?: BackgroundJobService;
  private treasuryMade?: TreasuryService;

  constructor(
    private readonly shared: LedgerProcess,
    base: RequestContext,
  ) {
    this.caller = base.caller;
    this.requestId = base.requestId;
  }

  private get loaders(): LedgerLoaders {
    return (this.loadersMade ??= createLedgerLoaders(this.shared.repositories));
  }

  get accounts(): AccountService {
    const { repositories, config } = this.shared;
    return (this.accountsMade ??= new AccountService(
      repositories.accounts,
      this.loaders,
      this.caller,
      config.ledger.currencies,
      new StepUpGuard(repositories.accountOtp, this.caller),
    ));
  }

  get accountOtp(): AccountOtpService {
    const { repositories, config } = this.shared;
    return (this.accountOtpMade ??= new AccountOtpService(
      repositories.accountOtp,
      this.accounts,
      this.caller,
      config.ledger.otp,
      this.requestId,
    ));
  }

  get activity(): ActivityService {
    const { repositories, activity, watches } = this.shared;
    return (this.activityMade ??= new ActivityService(
      repositories.activity,
      activity,
      watches,
      this.accounts,
    ));
  }

  get bankAccounts(): BankAccountService {
    return (this.bankAccountsMade ??= new BankAccountService(this.shared.repositories.accounts, this.caller));
  }

  get payments(): PaymentService {
    const { repositories } = this.shared;
    return (this.paymentsMade ??= new PaymentService(
      repositories.payments,
      repositories.groups,
      repositories.turns,
      repositories.accounts,
      this.loaders,
      this.caller,
      this.requestId,
    ));
  }

  get transactions(): TransactionService {
    const { repositories } = this.shared;
    return (this.transactionsMade ??= new TransactionService(
      repositories.transactions,
      this.loaders,
      this.caller,
      this.accounts,
    ));
  }

  get dailyBalances(): DailyBalanceService {
    const { repositories } = this.shared;
    return (this.dailyBalancesMade ??= new DailyBalanceService(
      repositories.dailyBalances,
      this.accounts,
      this.caller,
    ));
  }

  get checkRuns(): CheckRunService {
    return (this.checkRunsMade ??= new CheckRunService(this.shared.repositories.checks, this.caller));
  }

  get backgroundJobs(): BackgroundJobService {
    const { repositories, jobs } = this.shared;
    return (this.backgroundJobsMade ??= new BackgroundJobService(jobs, repositories.history, this.caller));
  }

  get treasury(): TreasuryService {
    const { repositories, config } = this.shared;
    return (this.treasuryMade ??= new TreasuryService(
      repositories.treasury,
      this.caller,
      config.ledger.treasury,
    ));
  }
}

/**
 * Connects, migrates, makes sure each offered currency has the bank's own accounts, serves the
 * ledger with one connection to LISTEN on `ledger_activity` for its accountActivity subscriptions
 * (from the first one on), and starts its background jobs (stopped first on `stop`).
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
  let watches: ActivityWatches | undefined;
  const transfers = transferFacts(config, options);
  // No LISTEN until the first accountActivity subscription: every watched account's activity is
  // announced (decision 0065), and an instance nobody subscribes to would read each notice (0054).
  const activity = new NoticeHub<ActivityNotice>("ledger_activity", (notice) => notice.accountId, {
    listenAtStart: false,
  });
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
      watches = new ActivityWatches(repositories.activity, (accountIds) => activity.missed(accountIds));
      const shared: LedgerProcess = { config, repositories, activity, watches, jobs: running };
      return (base) => new LedgerRequest(shared, base);
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
      await watches?.stop();
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
