/** The ledger's background jobs as system callers see them: run one now, read their history. One instance per request. */
import { type Caller, requireSystem } from "../../common/auth/caller";
import { fetchPage } from "../../common/graphql/pagination";
import { requireUuids } from "../../common/require-uuids";
import { BackgroundJobName, type LedgerJobs } from "./jobs/ledger-jobs";
import type { BackgroundJobRepository } from "./persistence/background-job.repository";

export class BackgroundJobService {
  constructor(
    private readonly jobs: LedgerJobs,
    private readonly repository: BackgroundJobRepository,
    private readonly caller: Caller,
  ) {}

  /** Queues the balance check (AccountBalanceCheckJob) to run now; answers the job, whose id is the run id. */
  async runAccountBalanceCheck() {
    requireSystem(this.caller);
    const id = await this.jobs.send(BackgroundJobName.ACCOUNT_BALANCE_CHECK, {}, this.caller.subject);
    return this.backgroundJob(id);
  }

  async backgroundJob(id: string) {
    requireSystem(this.caller);
    requireUuids({ id });
    const [job] = await this.repository.jobsByIds([id]);
    return job ?? null;
  }

  backgroundJobs(
    filter: { name?: BackgroundJobName | null; state?: string | null },
    first?: number | null,
    after?: string | null,
  ) {
    requireSystem(this.caller);
    return fetchPage(first, after, (size, position) => this.repository.listJobs(filter, size, position));
  }
}
