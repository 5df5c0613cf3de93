/**
 * DDL on a busy table without holding its traffic: a statement that needs the table's lock
 * (creating or dropping a trigger, adding a column) waits behind a long transaction on it (a
 * report, a session idle in a transaction), and every query of the table queues behind the
 * waiting statement. {@link tableLock} bounds that wait and tries again (decisions 0046, 0049).
 */
import type { QueryRunner } from "typeorm";

/** How long a DDL statement may wait for the table's lock before it lets traffic by. */
export const TABLE_LOCK_WAIT_MS = 2_000;
/** Tries of one statement (1 s apart), then the migration fails and can be run again. */
const TABLE_LOCK_TRIES = 60;

/**
 * Runs `statement`, which locks a table. Outside a transaction it waits at most
 * {@link TABLE_LOCK_WAIT_MS} for the lock (`lock_timeout`), then lets the queue through and tries
 * again a second later, so traffic is never held up for longer than that at a time. Inside a
 * transaction it runs as it is.
 */
export async function tableLock(db: QueryRunner, statement: string): Promise<void> {
  if (db.isTransactionActive) {
    await db.query(statement);
    return;
  }
  for (let tries = 1; ; tries++) {
    await db.query(`SET lock_timeout = ${TABLE_LOCK_WAIT_MS}`);
    try {
      await db.query(statement);
      return;
    } catch (error) {
      // 55P03 lock_not_available: the wait ran out.
      if ((error as { code?: unknown }).code !== "55P03" || tries >= TABLE_LOCK_TRIES) throw error;
    } finally {
      await db.query("RESET lock_timeout");
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
