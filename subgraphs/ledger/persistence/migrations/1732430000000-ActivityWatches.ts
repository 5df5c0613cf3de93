import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Account activity is announced only for the accounts someone has a stream on (decision 0065).
 *
 * A transaction that NOTIFYs takes a lock shared by the whole database at its commit and keeps it
 * until its end, WAL flush included (PostgreSQL's async.c: the notification queue is filled in
 * commit order). Every payment announced its two accounts' activity, so every payment committed
 * one after another: over 1,000 accounts with 32 callers the ledger's SQL function made 535-590
 * payments/s at 2.1-2.3 ms of PostgreSQL CPU each, and 1,080-1,270 at 1.2-1.6 ms without the
 * NOTIFY.
 *
 * - `ledger.activity_watch`: one row per account and ledger process that has a stream on it
 *   (subgraphs/ledger/events/activity-watches.ts), until `expires_at` (the process renews it);
 *   `lapsed` says whether its last making found it missing or expired.
 * - `ledger.record_activity` records every activity as before, and announces it only while a
 *   watch on the account has not expired. A watch is made under `FOR SHARE` of the account row,
 *   which waits for the payments in flight on the account (they hold it `FOR NO KEY UPDATE` from
 *   before they record): a payment either committed before the watch (its row is read by the
 *   stream's catch-up, which runs after) or records after it and sees it (read committed: each
 *   statement of a function takes a new snapshot).
 */
export class ActivityWatches1732430000000 implements MigrationInterface {
  name = "ActivityWatches1732430000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE ledger.activity_watch (
        account_id uuid NOT NULL REFERENCES ledger.account (id),
        watcher uuid NOT NULL,
        expires_at timestamptz NOT NULL,
        -- Whether its last making found it missing or expired (announcements may have lapsed).
        lapsed boolean NOT NULL,
        CONSTRAINT activity_watch_pkey PRIMARY KEY (account_id, watcher)
      )`);
    await db.query(`CREATE INDEX activity_watch_watcher_idx ON ledger.activity_watch (watcher)`);
    await db.query(recordActivity(true));
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(recordActivity(false));
    await db.query(`DROP TABLE ledger.activity_watch`);
  }
}

/** `ledger.record_activity` of migration 1732290000000, its notice sent only to watchers when `watched`. */
function recordActivity(watched: boolean): string {
  const notify = `PERFORM pg_notify('ledger_activity', json_build_object(
          'accountId', v_row.account_id,
          'sequence', v_row.sequence::text,
          'kind', v_row.kind,
          'paymentId', v_row.payment_id,
          'transactionId', v_row.transaction_id,
          'currency', v_row.currency,
          'postedChange', v_row.posted_change::text,
          'pendingChange', v_row.pending_change::text,
          'posted', v_row.posted::text,
          'pending', v_row.pending::text,
          'available', v_row.available::text,
          'occurredAt', v_row.occurred_at
        )::text);`;
  return `
      CREATE OR REPLACE FUNCTION ledger.record_activity(p_account uuid, p_kind text, p_payment uuid,
                                                        p_transaction uuid, p_posted_change bigint,
                                                        p_pending_change bigint)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        v_account ledger.account;
        v_row ledger.account_activity;
      BEGIN
        UPDATE ledger.account SET activity_sequence = activity_sequence + 1
         WHERE id = p_account RETURNING * INTO v_account;
        INSERT INTO ledger.account_activity (account_id, sequence, kind, payment_id, transaction_id, currency,
                                             posted_change, pending_change, posted, pending, available)
        VALUES (p_account, v_account.activity_sequence, p_kind, p_payment, p_transaction, v_account.currency,
                p_posted_change, p_pending_change, v_account.posted, v_account.pending,
                v_account.posted - v_account.pending + v_account.overdraft_limit)
        RETURNING * INTO v_row;
        ${
          watched
            ? `IF EXISTS (SELECT 1 FROM ledger.activity_watch
                     WHERE account_id = p_account AND expires_at > clock_timestamp()) THEN
          ${notify}
        END IF;`
            : notify
        }
      END $$`;
}
