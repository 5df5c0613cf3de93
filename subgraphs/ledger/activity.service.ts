/**
 * Account activity: each posted entry and hold on an account with the balances after it, live
 * (a subscription's stream) and one at a time (the query the gateway resolves events with).
 * One instance per request. A front-office caller reaches its own client's accounts only.
 */
import { validationError } from "../../common/errors";
import type { AccountService } from "./account.service";
import { activityStream, type ActivityHub } from "./events/activity-stream";
import type { ActivityWatches } from "./events/activity-watches";
import type { ActivityNotice, ActivityRepository } from "./persistence/activity.repository";

/** An activity sequence: 0 or more, within PostgreSQL's bigint. */
const SEQUENCE = /^\d{1,18}$/;

function requireSequence(field: string, value: string): void {
  if (SEQUENCE.test(value)) return;
  throw validationError([
    { field, rule: "activitySequence", message: `${field} is an account's activity sequence (0 or more)` },
  ]);
}

export class ActivityService {
  constructor(
    private readonly repository: ActivityRepository,
    private readonly hub: ActivityHub,
    private readonly watches: ActivityWatches,
    private readonly accounts: AccountService,
  ) {}

  /**
   * The account's activity as it commits; with `afterSequence`, first every activity after it.
   *
   * @throws VALIDATION_FAILED (afterSequence), FORBIDDEN (a front-office caller, another client's
   *   account or none), ACCOUNT_NOT_FOUND (a system caller)
   */
  async subscribe(
    accountId: string,
    afterSequence: string | null | undefined,
  ): Promise<AsyncIterable<ActivityNotice>> {
    if (afterSequence != null) requireSequence("afterSequence", afterSequence);
    await this.accounts.existingOwnAccount(accountId);
    return activityStream(this.hub, this.watches, this.repository, accountId, afterSequence ?? null);
  }

  /**
   * One activity of an account (null when there is none).
   *
   * @throws VALIDATION_FAILED (sequence), FORBIDDEN (a front-office caller, another client's account)
   */
  async activity(accountId: string, sequence: string): Promise<ActivityNotice | null> {
    requireSequence("sequence", sequence);
    if (!(await this.accounts.account(accountId))) return null;
    return this.repository.activity(accountId, sequence);
  }
}
