/**
 * `npm run bench:event-log [-- --seconds N --writers 1,8]`
 *
 * What the commit-ordered event log (decision 0028, migration 1732280000000) costs a write.
 * Against a fresh database on the PostgreSQL named by DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres; created as core_banking_bench_<timestamp>, dropped
 * at the end), migrated with the transfer subgraph's migrations. Each writer loops the
 * transaction a status change is (`recordMove`): update one transfer row of its own, insert its
 * next history entry, commit; which fires the triggers. Two schemes, alternated in rounds so
 * that neither gets the warmer table:
 *   before: the previous migration (an AFTER INSERT trigger announcing with pg_notify);
 *   log:    the position assigned at commit under the one-row counter (`event_log_head`), a row
 *           in `event_log`, and the same announcement.
 * Prints one JSON line per scheme and writer count (commits/s, p50 and p99 commit latency in
 * ms) and the ratio log/before.
 */
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { createDataSource, migrate } from "../common/db/data-source";
import { TRANSFER_SCHEMA, transferEntities, transferMigrations } from "../subgraphs/transfer/persistence";
import { admin, option } from "./support";

const SECONDS = Number(option("--seconds", "5"));
const WRITERS = option("--writers", "1,8").split(",").map(Number);
const ROUNDS = Number(option("--rounds", "2"));
const TRANSFERS_PER_WRITER = 20;

type Scheme = "before" | "log";

async function main(): Promise<void> {
  const base = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `core_banking_bench_${Date.now()}`;
  await admin(base, `CREATE DATABASE ${name}`);
  const url = new URL(base);
  url.pathname = `/${name}`;
  try {
    const { dataSource } = createDataSource({
      url: url.toString(),
      schema: TRANSFER_SCHEMA,
      entities: transferEntities,
      migrations: transferMigrations,
    });
    await dataSource.initialize();
    await migrate(dataSource, TRANSFER_SCHEMA);
    const transfers = await seed(url.toString(), Math.max(...WRITERS) * TRANSFERS_PER_WRITER);
    const results: Record<string, { perSecond: number; p50: number; p99: number }[]> = {};
    for (let round = 0; round < ROUNDS; round++) {
      for (const scheme of ["before", "log"] as const) {
        await useScheme(dataSource.createQueryRunner(), scheme);
        for (const writers of WRITERS) {
          const result = await run(url.toString(), transfers, writers);
          (results[`${scheme} ${writers}`] ??= []).push(result);
          console.log(JSON.stringify({ round, scheme, writers, ...result }));
        }
      }
    }
    await useScheme(dataSource.createQueryRunner(), "log");
    await dataSource.destroy();
    for (const writers of WRITERS) {
      const mean = (scheme: Scheme) => {
        const runs = results[`${scheme} ${writers}`];
        return runs.reduce((sum, r) => sum + r.perSecond, 0) / runs.length;
      };
      console.log(
        JSON.stringify({
          writers,
          beforePerSecond: Math.round(mean("before")),
          logPerSecond: Math.round(mean("log")),
          ratio: Number((mean("log") / mean("before")).toFixed(3)),
        }),
      );
    }
  } finally {
    await admin(base, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** Switches the triggers between the two schemes (the log migration's up and down, minus its tables). */
async function useScheme(
  runner: ReturnType<import("typeorm").DataSource["createQueryRunner"]>,
  scheme: Scheme,
) {
  await runner.connect();
  try {
    await runner.query(`DROP TRIGGER IF EXISTS transfer_event_log ON transfer.transfer_event`);
    await runner.query(`DROP TRIGGER IF EXISTS transfer_event_announce ON transfer.transfer_event`);
    if (scheme === "log") {
      await runner.query(`
        UPDATE transfer.event_log_head SET position = (SELECT coalesce(max(position), 0) FROM transfer.event_log)`);
      await runner.query(`
        CREATE CONSTRAINT TRIGGER transfer_event_log AFTER INSERT ON transfer.transfer_event
        DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION transfer.log_event()`);
    } else {
      await runner.query(`
        CREATE TRIGGER transfer_event_announce AFTER INSERT ON transfer.transfer_event
        FOR EACH ROW EXECUTE FUNCTION transfer.announce_event()`);
    }
  } finally {
    await runner.release();
  }
}

/** Transfers to move, with their first history entry. */
async function seed(url: string, count: number): Promise<string[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO transfer.transfer (kind, status, client_id, account_id, counter_account_id, amount, currency,
           idempotency_scope, idempotency_key, request_hash)
         VALUES ('INTERNAL', 'CREATED', $1, $2, $3, 1, 'EUR', 'bench', $4, 'bench') RETURNING id`,
        [randomUUID(), randomUUID(), randomUUID(), randomUUID()],
      );
      await client.query(
        `INSERT INTO transfer.transfer_event (transfer_id, sequence, to_status, changed_by) VALUES ($1, 1, 'CREATED', 'bench')`,
        [rows[0].id],
      );
      ids.push(rows[0].id);
    }
    return ids;
  } finally {
    await client.end();
  }
}

/** `writers` connections, each moving its own transfers for SECONDS. */
async function run(url: string, transfers: string[], writers: number) {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1_000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      const client = new Client({ connectionString: url });
      await client.connect();
      const mine = transfers.slice(w * TRANSFERS_PER_WRITER, (w + 1) * TRANSFERS_PER_WRITER);
      try {
        for (let i = 0; performance.now() < deadline; i++) {
          const id = mine[i % mine.length];
          const began = performance.now();
          await client.query("BEGIN");
          await client.query(`UPDATE transfer.transfer SET updated_at = now() WHERE id = $1`, [id]);
          await client.query(
            `INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, changed_by)
             SELECT $1, max(sequence) + 1, 'CREATED', 'CREATED', 'bench' FROM transfer.transfer_event WHERE transfer_id = $1`,
            [id],
          );
          await client.query("COMMIT");
          latencies.push(performance.now() - began);
        }
      } finally {
        await client.end();
      }
    }),
  );
  latencies.sort((x, y) => x - y);
  const at = (q: number) => Number(latencies[Math.floor(q * (latencies.length - 1))].toFixed(2));
  return { perSecond: Math.round(latencies.length / SECONDS), p50: at(0.5), p99: at(0.99) };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
