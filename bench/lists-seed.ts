/**
 * Rows for `bench/lists.ts`, written set-based (`generate_series`, one statement per table and
 * range) straight into the subgraphs' tables: clients, client accounts and transfers numbered
 * `n`, with ids derived from `n` (`md5(...)::uuid`) so transfers point at seeded clients and
 * accounts, and `created_at` growing with `n` (a later range never changes the first page).
 *
 * Amounts are not correlated with `n` (so not with creation time): each is drawn from a hash of
 * `n` over a skewed distribution, as real payments are: log-normal (the sum of four uniforms from
 * `md5`, about normal, scaled by 1.6 in `ln`), median 50.00 for 98% of the transfers and 5,000.00
 * for a 2% tail of business payments, in cents, at least 0.01. At 1,000,000 transfers: median
 * about 52, 5% at or above 900.00, 0.65% at or above 10,000.00, 0.5% at or below 1.00, the
 * largest about 850,000.
 */
import { createHash } from "node:crypto";
import { Client } from "pg";

/** Which clients and accounts transfer `n` belongs to: how many of each there are at most. */
const CLIENTS = 100_000;
const ACCOUNTS = 200_000;

/** A UUID (version 4 bits set, as `isUuid` wants) derived from `prefix` and the SQL expression `n`: {@link uuidOf} in SQL. */
const uuid = (prefix: string, n: string) =>
  `overlay(overlay(md5('${prefix}' || ${n}) placing '4' from 13) placing '8' from 17)::uuid`;

/** The id the seed gives row `n` of `prefix` (`client`, `account`, `transfer`). */
export function uuidOf(prefix: string, n: number): string {
  const hex = createHash("md5").update(`${prefix}${n}`).digest("hex");
  const v4 = `${hex.slice(0, 12)}4${hex.slice(13, 16)}8${hex.slice(17)}`;
  return v4.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5");
}

/** Uniform in [0, 1) from 32 bits of `hex` (an md5) from `at`. */
const uniform = (hex: string, at: number) =>
  `('x' || substr(${hex}, ${at}, 8))::bit(32)::bigint / 4294967296.0`;
/** The amount of transfer `n`: see the header. `z` is about standard normal (Irwin-Hall of 4). */
const AMOUNT = `(SELECT greatest(round(exp(ln(median) + 1.6 * z)::numeric, 2), 0.01)
     FROM (SELECT (${[1, 9, 17, 25].map((at) => uniform("h", at)).join(" + ")} - 2) * sqrt(3) AS z,
                  CASE WHEN get_byte(decode(md5('payer' || n), 'hex'), 0) < 5 THEN 5000 ELSE 50 END AS median
             FROM (SELECT md5('amount' || n) AS h) hashed) drawn)`;

const TABLES = {
  clients: (first: number, last: number) => `
    INSERT INTO client.client (id, type, status, risk_level, address_street_line1, address_city, address_zip,
                               address_country, phone_number, email, first_name, last_name, date_of_birth,
                               created_at)
    SELECT ${uuid("client", "n")}, 'individual', (ARRAY['active', 'inactive', 'blocked'])[1 + n % 3],
           (ARRAY['low', 'medium', 'high', 'prohibited'])[1 + n % 4], 'Main Street 1', 'Berlin', '10115', 'DE',
           '+4930123456', 'client' || n || '@example.com', 'First' || n, 'Last' || n, date '1980-01-01',
           timestamptz '2024-01-01 00:00:00+00' + n * interval '1 second'
      FROM generate_series(${first}, ${last}) AS n`,
  accounts: (first: number, last: number) => `
    INSERT INTO ledger.account (id, number, kind, client_id, currency, name, status, created_at)
    SELECT ${uuid("account", "n")}, 'BENCH' || lpad(n::text, 12, '0'), 'CLIENT', ${uuid("client", `(n % ${CLIENTS})`)},
           (ARRAY['EUR', 'USD'])[1 + n % 2], 'Account ' || n, (ARRAY['ACTIVE', 'ACTIVE', 'BLOCKED', 'CLOSED'])[1 + n % 4],
           timestamptz '2024-01-01 00:00:00+00' + n * interval '1 second'
      FROM generate_series(${first}, ${last}) AS n`,
  transfers: (first: number, last: number) => `
    INSERT INTO transfer.transfer (id, kind, status, client_id, account_id, counter_account_id, amount, currency,
                                   reference, idempotency_scope, idempotency_key, request_hash, created_at)
    SELECT ${uuid("transfer", "n")}, (ARRAY['INTERNAL', 'OUTGOING', 'INCOMING', 'FX'])[1 + n % 4],
           (ARRAY['COMPLETED', 'COMPLETED', 'COMPLETED', 'FAILED', 'CANCELLED', 'PROCESSING'])[1 + n % 6],
           ${uuid("client", `(n % ${CLIENTS})`)}, ${uuid("account", `(n % ${ACCOUNTS})`)},
           md5('account' || ((n + 7) % ${ACCOUNTS}))::uuid, ${AMOUNT}, 'EUR',
           'Bench ' || n, 'bench', 'key-' || n, 'hash',
           timestamptz '2024-01-01 00:00:00+00' + n * interval '1 second'
      FROM generate_series(${first}, ${last}) AS n`,
};

export type Table = keyof typeof TABLES;

/**
 * Inserts rows `first..last` of each table named in `ranges`, waits until the subgraphs have
 * folded the counters' deltas into their totals (every `LIST_COUNT_ROLLUP_MS`; they must be
 * running), then VACUUM ANALYZE the tables and the totals: what autovacuum does to tables that
 * have grown (statistics, and the visibility map that makes a count or a covering read
 * index-only). Without it the first minute of pages after a seed is measured against totals the
 * planner takes for empty. Returns the seconds it took and the share of each table's pages the
 * visibility map then holds all-visible (below 1 when a transaction older than the seed's rows was
 * open in the database during the vacuum: every index-only read of those pages visits the heap).
 */
export async function seed(
  databaseUrl: string,
  ranges: Partial<Record<Table, [number, number]>>,
): Promise<{ seconds: number; allVisible: Record<string, number> }> {
  const started = performance.now();
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    for (const [table, [first, last]] of Object.entries(ranges) as Array<[Table, [number, number]]>) {
      if (last >= first) await db.query(TABLES[table](first, last));
    }
    const counters = await counterTotals(db);
    await rolledUp(db, counters);
    const allVisible: Record<string, number> = {};
    for (const table of ["client.client", "ledger.account", "transfer.transfer"]) {
      allVisible[table] = await vacuumed(db, table);
    }
    for (const totals of counters) await db.query(`VACUUM (ANALYZE) ${totals}, ${totals}_delta`);
    return { seconds: (performance.now() - started) / 1000, allVisible };
  } finally {
    await db.end();
  }
}

/**
 * VACUUM ANALYZE `table`, again while the visibility map holds under 99% of its pages all-visible
 * (at most five times, 2 s apart): a transaction of the database that began before the seed's rows
 * committed keeps them from being all-visible until it ends. Each such transaction is noted (stderr)
 * so a run that stays low says why. Returns the share of pages all-visible at the end.
 */
async function vacuumed(db: Client, table: string): Promise<number> {
  let share = 0;
  for (let attempt = 1; attempt <= 5; attempt++) {
    await db.query(`VACUUM (ANALYZE) ${table}`);
    const { rows } = await db.query<{ share: number }>(
      `SELECT relallvisible::float8 / greatest(relpages, 1) AS share FROM pg_class WHERE oid = $1::regclass`,
      [table],
    );
    share = Math.round(rows[0].share * 1000) / 1000;
    if (share >= 0.99 || attempt === 5) break;
    // Only this database's transactions hold its rows back (and prepared ones, and slots).
    const holders = await db.query(
      `SELECT pid::text AS holder, application_name, state, backend_xmin::text AS xmin,
              (now() - xact_start)::text AS open_for, left(query, 120) AS query
         FROM pg_stat_activity
        WHERE datname = current_database() AND backend_xmin IS NOT NULL AND pid <> pg_backend_pid()
       UNION ALL SELECT 'prepared ' || gid, NULL, NULL, transaction::text, (now() - prepared)::text, NULL
         FROM pg_prepared_xacts WHERE database = current_database()
       UNION ALL SELECT 'slot ' || slot_name, NULL, NULL, xmin::text, NULL, NULL
         FROM pg_replication_slots WHERE xmin IS NOT NULL`,
    );
    console.error(
      `${table}: ${share} of pages all-visible after VACUUM; held by ${JSON.stringify(holders.rows)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  return share;
}

/**
 * The list counters' totals tables in the database (each with its `<totals>_delta`), as the build
 * under test made them: a baseline built before a counter was added has not got it, and may have
 * one this build dropped.
 */
async function counterTotals(db: Client): Promise<string[]> {
  const { rows } = await db.query<{ totals: string }>(
    `SELECT n.nspname || '.' || left(c.relname, -6) AS totals
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('client', 'ledger', 'transfer') AND c.relkind = 'r' AND c.relname LIKE '%\\_delta'
        AND to_regclass(n.nspname || '.' || left(c.relname, -6)) IS NOT NULL
      ORDER BY 1`,
  );
  return rows.map((row) => row.totals);
}

/** Waits until the deltas of every counter in `totals` are folded into its totals (at most a minute). */
async function rolledUp(db: Client, totals: readonly string[]): Promise<void> {
  if (!totals.length) return;
  const pending = `SELECT ${totals.map((table) => `(SELECT count(*) FROM ${table}_delta)`).join(" + ")} AS n`;
  for (const until = performance.now() + 60_000; performance.now() < until;) {
    const { rows } = await db.query<{ n: string }>(pending);
    if (rows[0].n === "0") return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the subgraphs did not roll the list counters up within a minute");
}
