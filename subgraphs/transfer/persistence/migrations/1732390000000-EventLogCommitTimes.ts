import type { MigrationInterface, QueryRunner } from "typeorm";
import { tableLock } from "../../../../common/db/table-lock";

/**
 * When each event entered the commit-ordered log (decision 0028): `transfer.event_log.logged_at`,
 * PostgreSQL's clock (`clock_timestamp()`) as the commit trigger gives the event its position,
 * just before the commit's WAL flush. An event's `changed_at` is its transaction's start; this is
 * its commit, less the flush. `bench:subscriptions` reckons latency from it, as issue 12 asks
 * ("from commit to client"). Past events have none: when they committed is not known.
 *
 * The column has no default when added (a volatile default would rewrite the log), then gets one,
 * which only rows written later take. Each statement waits for the log's lock at most
 * `TABLE_LOCK_WAIT_MS` at a time, so commits of status changes (whose trigger writes the log)
 * are never held up for long.
 */
export class EventLogCommitTimes1732390000000 implements MigrationInterface {
  name = "EventLogCommitTimes1732390000000";
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await tableLock(db, `ALTER TABLE transfer.event_log ADD COLUMN IF NOT EXISTS logged_at timestamptz`);
    await tableLock(
      db,
      `ALTER TABLE transfer.event_log ALTER COLUMN logged_at SET DEFAULT clock_timestamp()`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await tableLock(db, `ALTER TABLE transfer.event_log DROP COLUMN IF EXISTS logged_at`);
  }
}
