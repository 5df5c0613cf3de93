/**
 * The ledger's background jobs on pg-boss (decision 0037): the day close, the daily check and the
 * balance check, in pg-boss's own schema (`pgboss`) over the subgraph's connection pool. Any
 * number of ledger instances may run them: pg-boss hands each job to one worker (SKIP LOCKED),
 * creates one job per cron tick across instances, and retries a failed job with backoff; every
 * queue is `singleton` (one job of a queue active at a time). The day close is idempotent under
 * its own lock and primary key besides. `ledger.background_job` keeps each job's history.
 */
import PgBoss from "pg-boss";
import type { Pool } from "pg";
import type { DataSource } from "typeorm";
import type { LedgerDaysConfig } from "../../../common/config";
import { log } from "../../../common/log";
import { daysToClose } from "../domain/business-day";
import { CheckRunKind } from "../domain/daily-check";
import type { BackgroundJobRepository } from "../persistence/background-job.repository";
import type { CheckRepository } from "../persistence/check.repository";
import type { DailyBalanceRepository } from "../persistence/daily-balance.repository";
import { runChecks } from "./checks";
import type { TransferFactsPort } from "./transfer-facts";

export enum BackgroundJobName {
  DAY_CLOSE = "DAY_CLOSE",
  DAILY_CHECK = "DAILY_CHECK",
  ACCOUNT_BALANCE_CHECK = "ACCOUNT_BALANCE_CHECK",
}

const QUEUES: Record<BackgroundJobName, string> = {
  DAY_CLOSE: "ledger-day-close",
  DAILY_CHECK: "ledger-daily-check",
  ACCOUNT_BALANCE_CHECK: "ledger-balance-check",
};

/** In the bank's time zone: the close looks for due days every quarter hour; the balance check runs nightly. */
const SCHEDULES: Partial<Record<BackgroundJobName, string>> = {
  DAY_CLOSE: "*/15 * * * *",
  ACCOUNT_BALANCE_CHECK: "30 2 * * *",
};

const RETRIES = { retryLimit: 3, retryDelay: 30, retryBackoff: true, expireInSeconds: 3600 };

export interface LedgerJobDeps {
  dailyBalances: DailyBalanceRepository;
  checks: CheckRepository;
  history: BackgroundJobRepository;
  transfers: TransferFactsPort;
  config: LedgerDaysConfig;
}

type Job = PgBoss.JobWithMetadata<Record<string, string | undefined>>;

/**
 * How often a worker looks for jobs by default. The jobs run on their schedules (the day close
 * every 15 minutes, the checks daily) or when asked through the API, whose `send` wakes this
 * instance's worker of that queue at once: the polling finds what the schedules queued (pg-boss's
 * timekeeper does not wake a worker: a scheduled job starts up to this long after its time), what
 * another instance queued, and retries come due. Every poll is a query per queue (decision 0056).
 */
const POLLING_SECONDS = 10;

export class LedgerJobs {
  private readonly boss: PgBoss;
  /** This instance's worker of each queue (LEDGER_JOBS on), woken when it queues a job itself. */
  private readonly workers = new Map<BackgroundJobName, string>();

  constructor(
    dataSource: DataSource,
    private readonly deps: LedgerJobDeps,
    private readonly options: { pollingIntervalSeconds?: number } = {},
  ) {
    const pool = (dataSource.driver as unknown as { master: Pool }).master;
    this.boss = new PgBoss({
      db: { executeSql: (text, values) => pool.query(text, values) },
      schema: "pgboss",
      supervise: deps.config.jobs,
      schedule: deps.config.jobs,
      migrate: true,
      ...RETRIES,
    });
    this.boss.on("error", (error) => log.error({ err: error }, "background jobs"));
  }

  /** Installs pg-boss's schema if needed, creates the queues and, with LEDGER_JOBS on, schedules and works them. */
  async start(): Promise<void> {
    await this.boss.start();
    for (const name of Object.values(BackgroundJobName)) {
      await this.boss.createQueue(QUEUES[name], { name: QUEUES[name], policy: "singleton", ...RETRIES });
    }
    if (!this.deps.config.jobs) return;
    for (const [name, cron] of Object.entries(SCHEDULES)) {
      await this.boss.schedule(
        QUEUES[name as BackgroundJobName],
        cron,
        {},
        { tz: this.deps.config.timeZone },
      );
    }
    const polling = { pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? POLLING_SECONDS };
    for (const name of Object.values(BackgroundJobName)) {
      const worker = await this.boss.work<Record<string, string | undefined>>(
        QUEUES[name],
        { ...polling, includeMetadata: true, batchSize: 1 },
        ([job]) => this.attempt(name, job),
      );
      this.workers.set(name, worker);
    }
  }

  async stop(): Promise<void> {
    await this.boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
  }

  /** Queues a job now; returns its id (the run id the API answers). */
  async send(name: BackgroundJobName, data: Record<string, string>, requestedBy: string): Promise<string> {
    const id = await this.boss.send(QUEUES[name], data, RETRIES);
    if (!id) throw new Error(`pg-boss refused a ${name} job`);
    await this.deps.history.queued(id, name, requestedBy);
    const worker = this.workers.get(name);
    if (worker) this.boss.notifyWorker(worker);
    return id;
  }

  /**
   * Plays a worker's part now (tests, with LEDGER_JOBS off): takes the queued jobs of `name` one
   * by one, runs each and completes or fails it in pg-boss as a worker would; returns their ids.
   */
  async runDue(name: BackgroundJobName): Promise<string[]> {
    const done: string[] = [];
    for (;;) {
      const [job] = await this.boss.fetch<Record<string, string | undefined>>(QUEUES[name], {
        includeMetadata: true,
        batchSize: 1,
      });
      if (!job) return done;
      try {
        await this.boss.complete(QUEUES[name], job.id, await this.attempt(name, job));
      } catch (error) {
        await this.boss.fail(QUEUES[name], job.id, { message: String(error) });
      }
      done.push(job.id);
    }
  }

  /** One attempt of a job, recorded before and after; a throw makes pg-boss retry it (until its limit). */
  private async attempt(name: BackgroundJobName, job: Job): Promise<object> {
    await this.deps.history.started(job.id, name);
    try {
      const result = await this.run(name, job);
      await this.deps.history.finished(job.id, { state: "SUCCEEDED", result });
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const state = job.retryCount >= job.retryLimit ? "FAILED" : "RETRYING";
      await this.deps.history.finished(job.id, { state, error: message });
      log.warn({ job: name, jobId: job.id, err: error }, "background job attempt failed");
      throw error;
    }
  }

  private async run(name: BackgroundJobName, job: Job): Promise<object> {
    switch (name) {
      case BackgroundJobName.DAY_CLOSE:
        return this.closeDueDays(job.id);
      case BackgroundJobName.DAILY_CHECK:
      case BackgroundJobName.ACCOUNT_BALANCE_CHECK: {
        const kind =
          name === BackgroundJobName.DAILY_CHECK ? CheckRunKind.DAILY_CHECK : CheckRunKind.BALANCE_CHECK;
        const outcome = await runChecks(this.deps, kind, job.data.businessDay ?? null, job.id);
        if (Object.keys(outcome.errors).length) {
          throw new Error(`check run ${outcome.checkRunId} could not run: ${JSON.stringify(outcome.errors)}`);
        }
        return outcome;
      }
    }
  }

  /**
   * Closes every due day not closed yet, oldest first, each in its own statement (so a long
   * catch-up keeps what it did if it stops), and queues each closed day's daily check.
   */
  private async closeDueDays(jobId: string): Promise<object> {
    const { timeZone, closeGraceMinutes } = this.deps.config;
    const progress = await this.deps.dailyBalances.closeProgress(timeZone);
    const closed: { businessDay: string; accounts: number; entries: number; dailyCheckJobId: string }[] = [];
    for (const day of daysToClose(
      progress.lastClosed,
      progress.firstActivity,
      new Date(),
      timeZone,
      closeGraceMinutes,
    )) {
      const totals = await this.deps.dailyBalances.closeDay(day, timeZone, `job:${jobId}`);
      if (!totals) continue;
      const dailyCheckJobId = await this.send(
        BackgroundJobName.DAILY_CHECK,
        { businessDay: day },
        `job:${jobId}`,
      );
      closed.push({ businessDay: day, ...totals, dailyCheckJobId });
    }
    return { closed };
  }
}
