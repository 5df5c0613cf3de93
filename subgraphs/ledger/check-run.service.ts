/** Check runs (daily and balance checks) and their findings, for system callers. One instance per request. */
import { type Caller, requireSystem } from "../../common/auth/caller";
import { fetchPage } from "../../common/graphql/pagination";
import { requireUuids } from "../../common/require-uuids";
import { checkRange } from "./daily-balance.service";
import type { CheckRepository, CheckRunFilter, FindingFilter } from "./persistence/check.repository";

export class CheckRunService {
  constructor(
    private readonly repository: CheckRepository,
    private readonly caller: Caller,
  ) {}

  /** Runs, oldest first, with their pass and fail counts; filtered by kind and business day. */
  checkRuns(filter: CheckRunFilter, first?: number | null, after?: string | null) {
    requireSystem(this.caller);
    checkRange(filter.from, filter.to);
    return fetchPage(first, after, (size, position) => this.repository.listRuns(filter, size, position));
  }

  async checkRun(id: string) {
    requireSystem(this.caller);
    requireUuids({ id });
    const [run] = await this.repository.runsByIds([id]);
    return run ?? null;
  }

  /** Findings, each naming what it concerns; filtered by run and check. */
  checkFindings(filter: FindingFilter, first?: number | null, after?: string | null) {
    requireSystem(this.caller);
    if (filter.runId) requireUuids({ runId: filter.runId });
    return fetchPage(first, after, (size, position) => this.repository.listFindings(filter, size, position));
  }
}
