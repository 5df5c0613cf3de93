/**
 * Migration 1732280000000 (decision 0028): past events are numbered in id order, new ones get the
 * next position as they commit (announced with it), a rolled-back one takes none, and undone, the
 * announcement is as before. Migration 1732390000000: from then on each log entry records when the
 * commit trigger logged it (after its transaction's start, before the commit returned).
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { DataSource } from "typeorm";
import { migrate } from "../../common/db/data-source";
import { TRANSFER_SCHEMA, transferMigrations } from "../../subgraphs/transfer/persistence";
import { CommitOrderedEventLog1732280000000 } from "../../subgraphs/transfer/persistence/migrations/1732280000000-CommitOrderedEventLog";
import { EventLogCommitTimes1732390000000 } from "../../subgraphs/transfer/persistence/migrations/1732390000000-EventLogCommitTimes";
import { transferMigrationDatabase } from "../helpers/transfers";
import { waitFor } from "../helpers/subscriptions";

const database = transferMigrationDatabase();
const source = database.source;
let scratch: DataSource | undefined;

async function newTransfer(db: DataSource): Promise<string> {
  const [row] = (await db.query(
    `INSERT INTO transfer.transfer (kind, status, client_id, account_id, amount, currency,
                                    idempotency_scope, idempotency_key, request_hash)
     VALUES ('INTERNAL', 'COMPLETED', $1, $2, 1, 'EUR', 's', $3, 'h') RETURNING id`,
    [randomUUID(), randomUUID(), randomUUID()],
  )) as { id: string }[];
  return row.id;
}

const EVENT = `INSERT INTO transfer.transfer_event (transfer_id, sequence, to_status, changed_by)
  SELECT $1, coalesce(max(sequence), 0) + 1, 'COMPLETED', 'test' FROM transfer.transfer_event WHERE transfer_id = $1
  RETURNING id`;

it("When the log is added to a history, then past events are numbered in id order and new ones as they commit, announced with their position; a rolled-back one takes none", async () => {
  const upTo = transferMigrations.indexOf(CommitOrderedEventLog1732280000000) + 1;
  const before = source(transferMigrations.slice(0, upTo - 1));
  await before.initialize();
  await migrate(before, TRANSFER_SCHEMA);
  const [first, second] = [await newTransfer(before), await newTransfer(before)];
  const past: string[] = [];
  for (const id of [first, second, first, second, first]) {
    past.push(((await before.query(EVENT, [id])) as { id: string }[])[0].id);
  }
  await before.destroy();

  scratch = source(transferMigrations.slice(0, upTo));
  await scratch.initialize();
  await migrate(scratch, TRANSFER_SCHEMA);
  const log = (await scratch.query(
    `SELECT position::text, event_id::text FROM transfer.event_log ORDER BY position`,
  )) as { position: string; event_id: string }[];
  expect(log).toEqual(past.map((id, i) => ({ position: String(i + 1), event_id: id })));
  expect(await scratch.query(`SELECT position::text FROM transfer.event_log_head`)).toEqual([
    { position: "5" },
  ]);

  const listener = new pg.Client({ connectionString: database.url() });
  await listener.connect();
  const heard: Array<{ position?: string; transferId: string; sequence: number }> = [];
  listener.on("notification", (message) => heard.push(JSON.parse(message.payload!)));
  await listener.query("LISTEN transfer_events");
  try {
    const rolledBack = new pg.Client({ connectionString: database.url() });
    await rolledBack.connect();
    await rolledBack.query("BEGIN");
    await rolledBack.query(EVENT, [second]);
    await rolledBack.query("ROLLBACK");
    await rolledBack.end();
    await scratch.query(EVENT, [second]);
    await waitFor(() => heard.length === 1);
    expect(heard[0]).toMatchObject({ position: "6", transferId: second, sequence: 3 });

    // Undone: the announcement as before (no position), and no log.
    await scratch.undoLastMigration({ transaction: "each" });
    await scratch.query(EVENT, [first]);
    await waitFor(() => heard.length === 2);
    expect(heard[1]).toMatchObject({ transferId: first, sequence: 4 });
    expect(heard[1].position).toBeUndefined();
    expect(await scratch.query(`SELECT to_regclass('transfer.event_log') IS NULL AS gone`)).toEqual([
      { gone: true },
    ]);
  } finally {
    await listener.end();
  }
});

it("When the commit times are added, then past entries have none and each new one is logged at its commit, after its transaction's start", async () => {
  await scratch?.destroy();
  const upTo = transferMigrations.indexOf(EventLogCommitTimes1732390000000) + 1;
  const before = source(transferMigrations.slice(0, upTo - 1));
  await before.initialize();
  await migrate(before, TRANSFER_SCHEMA);
  const past = await newTransfer(before);
  await before.query(EVENT, [past]);
  await before.destroy();

  scratch = source(transferMigrations.slice(0, upTo));
  await scratch.initialize();
  await migrate(scratch, TRANSFER_SCHEMA);
  const client = new pg.Client({ connectionString: database.url() });
  await client.connect();
  try {
    const id = await newTransfer(scratch);
    await client.query("BEGIN");
    const [{ started }] = (await client.query(`SELECT (extract(epoch FROM now()) * 1000)::float8 AS started`))
      .rows as {
      started: number;
    }[];
    await client.query(EVENT, [id]);
    // The entry is logged at the commit, not when the event was written.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const committing = Date.now();
    await client.query("COMMIT");
    const committed = Date.now();
    const log = (await scratch.query(
      `SELECT e.transfer_id::text AS "transferId", (extract(epoch FROM l.logged_at) * 1000)::float8 AS "loggedAt"
         FROM transfer.event_log l JOIN transfer.transfer_event e ON e.id = l.event_id
        WHERE e.transfer_id = ANY ($1::uuid[]) ORDER BY l.position`,
      [[past, id]],
    )) as { transferId: string; loggedAt: number | null }[];
    expect(log.map((entry) => entry.transferId)).toEqual([past, id]);
    expect(log[0].loggedAt).toBeNull();
    expect(log[1].loggedAt).toBeGreaterThanOrEqual(started + 50);
    expect(log[1].loggedAt).toBeGreaterThanOrEqual(committing - 5);
    expect(log[1].loggedAt).toBeLessThanOrEqual(committed + 5);

    await scratch.undoLastMigration({ transaction: "each" });
    expect(
      await scratch.query(
        `SELECT count(*)::int AS n FROM information_schema.columns WHERE table_schema = 'transfer' AND table_name = 'event_log' AND column_name = 'logged_at'`,
      ),
    ).toEqual([{ n: 0 }]);
  } finally {
    await client.end();
  }
});
