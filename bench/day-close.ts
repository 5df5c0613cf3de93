/**
 * `npm run bench:day-close [-- --accounts N --entries N]`
 *
 * Closes one business day of 1,000,000 entries over 10,000 accounts (issue 15) on a fresh
 * database of the PostgreSQL named by DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres),
 * created as core_banking_bench_dayclose_<timestamp> and dropped at the end, also on failure.
 *
 * Seeding is set-based (generate_series; triggers off while seeding): the accounts, a day of
 * transactions of two entries each spread over the day in Europe/London, and the accounts' posted
 * balances from their entries. The close is the ledger's own `ledger.close_business_day`: one
 * statement over every account. Prints the close's time, the rows it wrote, the node process's
 * peak RSS, and PostgreSQL's side: the backend's peak RSS (VmHWM, when the server runs on this
 * machine) and the temporary bytes the close spilled.
 */
import fs from "node:fs";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { createDataSource, migrate } from "../common/db/data-source";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "../subgraphs/ledger/persistence";
import { admin, option } from "./support";

const DAY = "2026-01-15";
const ZONE = "Europe/London";

async function seed(db: Client, accounts: number, entries: number): Promise<void> {
  const transactions = Math.floor(entries / 2);
  await db.query(`SET session_replication_role = replica`);
  await db.query(
    `INSERT INTO ledger.account (id, number, kind, client_id, currency, name, overdraft_limit, created_at)
     SELECT gen_random_uuid(), lpad(i::text, 12, '0'), 'CLIENT', gen_random_uuid(), 'EUR', 'bench', 1000000000000,
            $1::date - 1
       FROM generate_series(1, $2) i`,
    [DAY, accounts],
  );
  await db.query(
    `CREATE TEMP TABLE ids AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM ledger.account WHERE kind = 'CLIENT'`,
  );
  await db.query(`CREATE INDEX ON ids (n)`);
  await db.query(
    `CREATE TEMP TABLE txs AS
     SELECT i, gen_random_uuid() AS id,
            ($1::date::timestamp AT TIME ZONE $2) + (i * (86400.0 / $3)) * interval '1 second' AS at
       FROM generate_series(0, $3 - 1) i`,
    [DAY, ZONE, transactions],
  );
  await db.query(
    `INSERT INTO ledger.ledger_transaction (id, kind, created_at) SELECT id, 'IMMEDIATE', at FROM txs`,
  );
  await db.query(
    `INSERT INTO ledger.entry (transaction_id, account_id, currency, amount, balance_after)
     SELECT t.id, CASE WHEN leg = 0 THEN a.id ELSE b.id END, 'EUR',
            CASE WHEN leg = 0 THEN -(1 + t.i % 1000) ELSE 1 + t.i % 1000 END, 0
       FROM txs t
       CROSS JOIN generate_series(0, 1) leg
       JOIN ids a ON a.n = t.i % $1
       JOIN ids b ON b.n = (t.i % $1 + 1 + (t.i / $1) % ($1 - 1)) % $1`,
    [accounts],
  );
  await db.query(
    `UPDATE ledger.account a SET posted = s.total
       FROM (SELECT account_id, sum(amount) AS total FROM ledger.entry GROUP BY account_id) s
      WHERE s.account_id = a.id`,
  );
  await db.query(`SET session_replication_role = DEFAULT`);
  await db.query(`ANALYZE`);
}

/** Peak resident memory of a process on this machine, in MiB (undefined elsewhere). */
function peakRssMiB(pid: number): number | undefined {
  try {
    const line = fs
      .readFileSync(`/proc/${pid}/status`, "utf8")
      .split("\n")
      .find((l) => l.startsWith("VmHWM:"));
    return line ? Math.round(Number(line.split(/\s+/)[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const accounts = Number(option("--accounts", "10000"));
  const entries = Number(option("--entries", "1000000"));
  const adminUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `core_banking_bench_dayclose_${Date.now()}`;
  await admin(adminUrl, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    const { dataSource } = createDataSource({
      url: url.toString(),
      schema: LEDGER_SCHEMA,
      entities: ledgerEntities,
      migrations: ledgerMigrations,
    });
    await dataSource.initialize();
    await migrate(dataSource, LEDGER_SCHEMA);
    await dataSource.destroy();

    const db = new Client({ connectionString: url.toString() });
    await db.connect();
    const seedStart = performance.now();
    await seed(db, accounts, entries);
    const seedMs = performance.now() - seedStart;
    const { rows: pidRows } = await db.query(`SELECT pg_backend_pid() AS pid`);
    const backend = Number(pidRows[0].pid);
    const temp = async () =>
      Number(
        (await db.query(`SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()`)).rows[0]
          .temp_bytes,
      );
    const tempBefore = await temp();
    const backendBefore = peakRssMiB(backend);
    const start = performance.now();
    const { rows } = await db.query(`SELECT * FROM ledger.close_business_day($1, $2, 'bench')`, [DAY, ZONE]);
    const closeMs = performance.now() - start;
    await new Promise((resolve) => setTimeout(resolve, 600)); // pg_stat_database is updated asynchronously
    const { rows: check } = await db.query(
      `SELECT count(*)::int AS rows, sum(entry_count)::bigint AS entries, sum(closing)::bigint AS closing_sum
         FROM ledger.daily_balance WHERE business_day = $1`,
      [DAY],
    );
    const result = {
      bench: "day-close",
      accounts,
      entries,
      seedSeconds: +(seedMs / 1000).toFixed(1),
      closeSeconds: +(closeMs / 1000).toFixed(2),
      closed: rows[0],
      stored: check[0],
      nodePeakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      postgresBackendPeakRssMiB: { before: backendBefore, after: peakRssMiB(backend) },
      postgresTempBytes: (await temp()) - tempBefore,
      statements: 1,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (check[0].rows !== accounts || Number(check[0].entries) !== Math.floor(entries / 2) * 2) {
      throw new Error("the close did not store every account's day");
    }
    await db.end();
  } finally {
    await admin(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
