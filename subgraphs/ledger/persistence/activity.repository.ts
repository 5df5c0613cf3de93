/** The SQL of account activity (written only by triggers, migration 1732290000000). */
import type { DataSource } from "typeorm";

/**
 * One posted entry or hold on an account with the balances after it, as the trigger announces
 * it on `ledger_activity` and as it is stored. Amounts are minor units as decimal strings.
 */
export interface ActivityNotice {
  accountId: string;
  /** The account's activity sequence: 1, 2, 3 ... in commit order, with no gap. */
  sequence: string;
  kind: "ENTRY_POSTED" | "HOLD_PLACED" | "HOLD_RELEASED" | "HOLD_POSTED";
  paymentId: string | null;
  transactionId: string | null;
  currency: string;
  postedChange: string;
  pendingChange: string;
  posted: string;
  pending: string;
  available: string;
  occurredAt: string;
}

/** At most this many rows per catch-up query; a longer catch-up pages on. */
export const ACTIVITY_PAGE_SIZE = 500;

const COLUMNS = `account_id AS "accountId", sequence::text AS "sequence", kind, payment_id AS "paymentId",
  transaction_id AS "transactionId", currency, posted_change::text AS "postedChange",
  pending_change::text AS "pendingChange", posted::text AS "posted", pending::text AS "pending",
  available::text AS "available", to_json(occurred_at) #>> '{}' AS "occurredAt"`;

export class ActivityRepository {
  constructor(private readonly db: DataSource) {}

  /** The account's activity after `sequence`, in order, at most {@link ACTIVITY_PAGE_SIZE}. */
  activityAfter(accountId: string, sequence: string): Promise<ActivityNotice[]> {
    return this.db.query(
      `SELECT ${COLUMNS} FROM ledger.account_activity
        WHERE account_id = $1 AND sequence > $2 ORDER BY sequence LIMIT ${ACTIVITY_PAGE_SIZE}`,
      [accountId, sequence],
    );
  }

  async activity(accountId: string, sequence: string): Promise<ActivityNotice | null> {
    const rows: ActivityNotice[] = await this.db.query(
      `SELECT ${COLUMNS} FROM ledger.account_activity WHERE account_id = $1 AND sequence = $2`,
      [accountId, sequence],
    );
    return rows[0] ?? null;
  }

  /**
   * Makes or renews `watcher`'s watch on each account (migration 1732430000000) until `seconds`
   * from now: its activity is announced from now on. Each account row is taken `FOR SHARE` first,
   * which waits for the payments in flight on it: each has either committed before (read it from
   * the table) or will see the watch. The accounts whose watch was made anew (none, or an expired
   * or deleted one, before): their announcements may have lapsed meanwhile.
   */
  async watch(watcher: string, accountIds: string[], seconds: number): Promise<string[]> {
    const rows: Array<{ accountId: string }> = await this.db.query(
      `WITH locked AS (SELECT id FROM ledger.account WHERE id = ANY($2::uuid[]) ORDER BY id FOR SHARE),
            before AS (SELECT account_id FROM ledger.activity_watch
                        WHERE watcher = $1 AND account_id = ANY($2::uuid[]) AND expires_at > clock_timestamp()),
            made AS (INSERT INTO ledger.activity_watch (account_id, watcher, expires_at)
                     SELECT id, $1, clock_timestamp() + make_interval(secs => $3) FROM locked
                     ON CONFLICT (account_id, watcher) DO UPDATE SET expires_at = EXCLUDED.expires_at
                     RETURNING account_id)
       SELECT account_id AS "accountId" FROM made WHERE account_id NOT IN (SELECT account_id FROM before)`,
      [watcher, accountIds, seconds],
    );
    return rows.map((row) => row.accountId);
  }

  /** Ends `watcher`'s watch on the accounts given, or on all of them. */
  async unwatch(watcher: string, accountIds?: string[]): Promise<void> {
    await this.db.query(
      `DELETE FROM ledger.activity_watch WHERE watcher = $1 AND ($2::uuid[] IS NULL OR account_id = ANY($2::uuid[]))`,
      [watcher, accountIds ?? null],
    );
  }

  /** The account's last activity sequence ("0" before any); null for no such account. */
  async lastSequence(accountId: string): Promise<string | null> {
    const rows: Array<{ sequence: string }> = await this.db.query(
      `SELECT activity_sequence::text AS sequence FROM ledger.account WHERE id = $1`,
      [accountId],
    );
    return rows[0]?.sequence ?? null;
  }
}
