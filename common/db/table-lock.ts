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
 * Runs `statement`, which locks a table, waiting at most {@link TABLE_LOCK_WAIT_MS} at a time for
 * the lock (`lock_timeout`): when the wait runs out it lets the queue through and tries again a
 * second later, so traffic is never held up for longer than that at a time. Inside a transaction
 * (TypeORM undoes a migration in one, whatever the migration says) each try runs under a
 * savepoint, so a try that times out is rolled back alone and the transaction goes on; the locks
 * its earlier statements took are held meanwhile.
 */
export async function tableLock(db: QueryRunner, statement: string): Promise<void> {
  const inTransaction = db.isTransactionActive;
  for (let tries = 1; ; tries++) {
    const waited = await boundedTry(db, statement, inTransaction);
    if (waited === undefined) return;
    // 55P03 lock_not_available: the wait ran out.
    if ((waited as { code?: unknown }).code !== "55P03" || tries >= TABLE_LOCK_TRIES) throw waited;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}

/** One try of `statement` under the bounded wait: undefined when it ran, else what it threw. */
async function boundedTry(db: QueryRunner, statement: string, inTransaction: boolean): Promise<unknown> {
  if (!inTransaction) {
    await db.query(`SET lock_timeout = ${TABLE_LOCK_WAIT_MS}`);
    try {
      await db.query(statement);
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await db.query("RESET lock_timeout");
    }
  }
  // A SET LOCAL after the savepoint is undone with it; once the try has run, the value it had is put back.
  const [{ lock_timeout: before }] = (await db.query("SHOW lock_timeout")) as { lock_timeout: string }[];
  await db.query("SAVEPOINT table_lock");
  try {
    await db.query(`SET LOCAL lock_timeout = ${TABLE_LOCK_WAIT_MS}`);
    await db.query(statement);
    await db.query("RELEASE SAVEPOINT table_lock");
    await db.query("SELECT set_config('lock_timeout', $1, true)", [before]);
    return undefined;
  } catch (error) {
    await db.query("ROLLBACK TO SAVEPOINT table_lock");
    await db.query("RELEASE SAVEPOINT table_lock");
    return error;
  }
}
