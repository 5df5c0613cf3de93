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
   * Makes or renews `watcher`'s watch on the account (migration 1732430000000) until `seconds`
   * from now: its activity is announced from then on. The account row is taken `FOR SHARE` first,
   * which waits for the payments in flight on it: each has either committed before (read it from
   * the table) or will see the watch. True when the watch was made anew, or found expired, once
   * that lock was held: announcements may have lapsed until now.
   */
  async watch(watcher: string, accountId: string, seconds: number): Promise<boolean> {
    const rows: Array<{ lapsed: boolean }> = await this.db.query(
      `WITH locked AS (SELECT id FROM ledger.account WHERE id = $2 FOR SHARE)
       INSERT INTO ledger.activity_watch (account_id, watcher, expires_at, lapsed)
       SELECT id, $1, clock_timestamp() + make_interval(secs => $3), true FROM locked
       ON CONFLICT (account_id, watcher) DO UPDATE
         SET expires_at = EXCLUDED.expires_at, lapsed = activity_watch.expires_at <= clock_timestamp()
       RETURNING lapsed`,
      [watcher, accountId, seconds],
    );
    return rows[0]?.lapsed ?? true;
  }

  /**
   * Extends `watcher`'s watches on the accounts given that still have more than `marginSeconds`
   * to live, by `seconds` from now, without touching the accounts; the ones it extended. Any
   * other is to be made again with {@link watch}: close to its expiry, a payment may already have
   * found it expired while this runs.
   */
  async renew(
    watcher: string,
    accountIds: string[],
    seconds: number,
    marginSeconds: number,
  ): Promise<string[]> {
    const [rows] = (await this.db.query(
      `UPDATE ledger.activity_watch SET expires_at = clock_timestamp() + make_interval(secs => $3)
        WHERE watcher = $1 AND account_id = ANY($2::uuid[])
          AND expires_at > clock_timestamp() + make_interval(secs => $4)
        RETURNING account_id AS "accountId"`,
      [watcher, accountIds, seconds, marginSeconds],
    )) as [Array<{ accountId: string }>, number];
    return rows.map((row) => row.accountId);
  }

  /** Deletes every process's watches expired for an hour or more (left by processes that died). */
  async purgeExpiredWatches(): Promise<void> {
    await this.db.query(
      `DELETE FROM ledger.activity_watch WHERE expires_at < clock_timestamp() - interval '1 hour'`,
    );
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
