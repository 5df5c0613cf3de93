/**
 * `npm run build && node dist/bench/ledger-payments.js [--seconds N] [--warmup N] [--soak SECONDS]`
 *
 * Immediate payments per second through the general ledger subgraph (issue 3), run as its own
 * process (`dist/subgraphs/ledger/main.js`) against a fresh database on the PostgreSQL named by
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres; loopback only). The
 * database is created as core_banking_bench_<timestamp> and dropped at the end, also on failure.
 *
 * Setup: 1,000 EUR client accounts (overdraft 0), each funded with 1,000,000.00 from the EUR
 * settlement account. Scenarios, each for a fixed time, every caller looping `createPayment`
 * of 0.01 with a fresh idempotency key:
 *   a) 8 callers, random distinct pair out of 1,000 accounts;  b) 32 callers, same;
 *   c) 8 callers, one hot pair (A -> B);                        d) 32 callers, same.
 * Afterwards the invariants are checked in SQL; any FAIL exits non-zero.
 *
 * `--soak SECONDS` runs scenario (b) for that long instead, sampling the ledger process's
 * VmRSS every 5 s, and compares the first minute with the last.
 *
 * Prints one JSON line per scenario (stdout) and a summary against the issue's targets:
 * >= 1000/s with 32 callers over 1,000 accounts, >= 500/s with a hot pair. The bench process,
 * the ledger process and PostgreSQL share the machine's cores; the CPU split per scenario
 * (from /proc) is printed so the figures can be read with that in mind.
 */
import { isLoopback } from "../common/loopback";
import { freePort, sleep } from "./support";
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { mintToken } from "../common/auth/tokens";
import { loadConfig } from "../common/config";
import { projectRoot } from "../common/paths";

// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  seconds: number;
  warmupSeconds: number;
  soakSeconds: number | undefined;
  accounts: number;
}

function parseOptions(argv: string[]): Options {
  const options: Options = { seconds: 15, warmupSeconds: 2, soakSeconds: undefined, accounts: 1000 };
  const number = (name: string, value: string | undefined, min: number): number => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) throw new Error(`${name} needs a number >= ${min}`);
    return parsed;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--seconds") options.seconds = number(arg, argv[++i], 1);
    else if (arg === "--warmup") options.warmupSeconds = number(arg, argv[++i], 0);
    else if (arg === "--soak") options.soakSeconds = number(arg, argv[++i], 10);
    else if (arg === "--accounts") options.accounts = Math.floor(number(arg, argv[++i], 2));
    else if (arg === "--help" || arg === "-h") {
      process.stdout.write(
        "usage: node dist/bench/ledger-payments.js [--seconds N (15)] [--warmup N (2)] [--soak SECONDS] [--accounts N (1000)]\n",
      );
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Set by SIGINT/SIGTERM: every loop ends early and the cleanup still runs. */
let interrupted = false;

function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** Runs `task(i)` for i in [0, count) with at most `concurrency` in flight. */
async function inParallel<T>(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<T>,
): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      if (interrupted) throw new Error("interrupted");
      const i = next++;
      results[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return results;
}

function percentile(sorted: Float64Array, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

const round = (value: number, digits = 1) => Number(value.toFixed(digits));

// ---------------------------------------------------------------------------------------------
// CPU accounting from /proc (Linux): machine, ledger process, PostgreSQL processes, this process

const CLOCK_TICKS = 100; // USER_HZ on Linux

interface Ticks {
  user: number;
  system: number;
}

function processTicks(pid: number): Ticks | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]), system: Number(fields[12]) }; // utime, stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}

/**
 * Ticks used by the PostgreSQL processes that serve the bench: backends connected to `database`
 * (the ledger's pool persists across a scenario) plus the shared ones (postmaster, WAL writer,
 * checkpointer...). Backends of other databases (someone else's tests) are left out.
 */
function postgresTicks(database: string): Map<number, Ticks> {
  const result = new Map<number, Ticks>();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync("/proc");
  } catch {
    return result;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      const shared = !title.startsWith("postgres:") || SHARED_POSTGRES_PROCESS.test(title);
      if (!shared && !title.includes(` ${database} `)) continue;
      const ticks = processTicks(Number(entry));
      if (ticks !== undefined) result.set(Number(entry), ticks);
    } catch {
      // gone meanwhile
    }
  }
  return result;
}

const SHARED_POSTGRES_PROCESS =
  /: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|stats collector)\s*$/;

function machineTicks(): { busy: number; iowait: number; total: number } {
  try {
    const line = fs.readFileSync("/proc/stat", "utf8").split("\n")[0];
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = values[3];
    const iowait = values[4];
    return { busy: total - idle - iowait, iowait, total };
  } catch {
    return { busy: 0, iowait: 0, total: 0 };
  }
}

interface CpuSnapshot {
  at: number;
  machine: ReturnType<typeof machineTicks>;
  ledger: Ticks | undefined;
  postgres: Map<number, Ticks>;
  self: NodeJS.CpuUsage;
}

function cpuSnapshot(ledgerPid: number | undefined, database: string): CpuSnapshot {
  return {
    at: performance.now(),
    machine: machineTicks(),
    ledger: ledgerPid ? processTicks(ledgerPid) : undefined,
    postgres: postgresTicks(database),
    self: process.cpuUsage(),
  };
}

/**
 * CPU used between two snapshots, in percent of one core (200 = both cores of a 2-core machine);
 * `...SysPct` is the part spent in the kernel (socket writes and wake-ups, fsync).
 */
function cpuBetween(before: CpuSnapshot, after: CpuSnapshot) {
  const seconds = (after.at - before.at) / 1000;
  const pct = (ticks: number) => round((ticks / CLOCK_TICKS / seconds) * 100);
  let postgresUser = 0;
  let postgresSystem = 0;
  for (const [pid, ticks] of after.postgres) {
    const earlier = before.postgres.get(pid) ?? { user: 0, system: 0 };
    postgresUser += ticks.user - earlier.user;
    postgresSystem += ticks.system - earlier.system;
  }
  const ledger =
    before.ledger && after.ledger
      ? { user: after.ledger.user - before.ledger.user, system: after.ledger.system - before.ledger.system }
      : undefined;
  const benchUs = after.self.user + after.self.system - (before.self.user + before.self.system);
  const benchSysUs = after.self.system - before.self.system;
  const machineTotal = after.machine.total - before.machine.total;
  // Everything else on the machine (another build or test run skews the figures), in % of one core.
  const machineBusyCores = machineTotal
    ? ((after.machine.busy - before.machine.busy) / machineTotal) * os.availableParallelism()
    : NaN;
  const ours =
    (ledger ? ledger.user + ledger.system : 0) / CLOCK_TICKS / seconds +
    (postgresUser + postgresSystem) / CLOCK_TICKS / seconds +
    benchUs / 1e6 / seconds;
  return {
    ledgerPct: ledger ? pct(ledger.user + ledger.system) : null,
    ledgerSysPct: ledger ? pct(ledger.system) : null,
    postgresPct: pct(postgresUser + postgresSystem),
    postgresSysPct: pct(postgresSystem),
    benchPct: round((benchUs / 1e6 / seconds) * 100),
    benchSysPct: round((benchSysUs / 1e6 / seconds) * 100),
    otherPct: Number.isNaN(machineBusyCores) ? null : round(Math.max(0, machineBusyCores - ours) * 100),
    machineBusyPct: machineTotal
      ? round(((after.machine.busy - before.machine.busy) / machineTotal) * 100)
      : null,
    machineIowaitPct: machineTotal
      ? round(((after.machine.iowait - before.machine.iowait) / machineTotal) * 100)
      : null,
  };
}

function rssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Database lifecycle

function adminUrl(): URL {
  const url = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  if (!isLoopback(url.hostname)) {
    throw new Error(`the bench only talks to a local PostgreSQL; DATABASE_URL names ${url.hostname}`);
  }
  return url;
}

async function createDatabase(admin: URL, name: string): Promise<string> {
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(admin.toString());
  url.pathname = `/${name}`;
  return url.toString();
}

async function dropDatabase(admin: URL, name: string): Promise<void> {
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

async function serverSettings(databaseUrl: string): Promise<Record<string, string>> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
        WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'commit_delay', 'shared_buffers', 'max_connections')
        ORDER BY name`,
    );
    return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// The ledger process

interface LedgerProcess {
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

async function startLedger(root: string, databaseUrl: string): Promise<LedgerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(root, "dist/subgraphs/ledger/main.js")], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      LEDGER_SUBGRAPH_PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "warn",
      LEDGER_CURRENCIES: "EUR",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  const forward = (chunk: Buffer) => {
    const text = chunk.toString();
    tail = (tail + text).slice(-4000);
    for (const line of text.split("\n")) if (line.trim()) note(`[ledger] ${line}`);
  };
  child.stdout!.on("data", forward);
  child.stderr!.on("data", forward);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killed = await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)]);
    if (!killed) {
      note("ledger did not stop within 20 s of SIGTERM; sending SIGKILL");
      child.kill("SIGKILL");
      await exited;
    }
  };

  const deadline = Date.now() + 60_000;
  try {
    while (true) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `ledger exited (${child.exitCode ?? child.signalCode}) before answering /health:\n${tail}`,
        );
      }
      if (interrupted) throw new Error("interrupted");
      if (Date.now() > deadline) throw new Error(`ledger /health did not answer within 60 s:\n${tail}`);
      try {
        const response = await fetch(`http://127.0.0.1:${port}/health`, {
          signal: AbortSignal.timeout(2000),
        });
        if (response.ok) break;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, port, stop };
}

// ---------------------------------------------------------------------------------------------
// GraphQL

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
}

class LedgerApi {
  readonly url: string;
  constructor(
    port: number,
    private readonly token: string,
  ) {
    this.url = `http://127.0.0.1:${port}/graphql`;
  }

  async request<T>(query: string, variables: Record<string, unknown>, timeoutMs = 30_000) {
    const response = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${this.token}` },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    let body: GraphQLResponse<T>;
    try {
      body = JSON.parse(text) as GraphQLResponse<T>;
    } catch {
      body = { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 200)}` }] };
    }
    if (!response.ok && !body.errors?.length) body.errors = [{ message: `HTTP ${response.status}` }];
    return body;
  }

  /** The data, or an Error naming the first GraphQL error. */
  async must<T>(query: string, variables: Record<string, unknown>): Promise<T> {
    const body = await this.request<T>(query, variables);
    if (body.errors?.length || !body.data) throw new Error(`GraphQL error: ${JSON.stringify(body.errors)}`);
    return body.data;
  }
}

const OPEN_ACCOUNT = `mutation($input: OpenAccountInput!) { openAccount(input: $input) { id } }`;
const SETTLEMENT = `query($c: String!) { settlementAccount(currency: $c) { id } }`;
// Only the payment's own columns: the bench measures posting, not nested resolvers.
const CREATE_PAYMENT = `mutation($input: PaymentInput!, $key: String!) {
  createPayment(input: $input, idempotencyKey: $key) { id status }
}`;

function describeError(errors: NonNullable<GraphQLResponse<unknown>["errors"]>): string {
  const first = errors[0];
  return first.extensions?.code ? `${first.extensions.code}: ${first.message}` : first.message;
}

// ---------------------------------------------------------------------------------------------
// Scenarios

interface ScenarioResult {
  scenario: string;
  callers: number;
  accounts: number;
  seconds: number;
  successes: number;
  errors: number;
  /** Requests whose outcome is unknown (client timeout or connection failure): they may have committed. */
  unknown: number;
  paymentsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  errorMessages: Record<string, number>;
  cpu: ReturnType<typeof cpuBetween>;
}

interface Scenario {
  name: string;
  callers: number;
  /** Picks [debit, credit] for the next payment. */
  pick: () => [string, string];
  accountCount: number;
}

/** The processes whose CPU a scenario reports: the ledger's, and PostgreSQL's for this database. */
interface Watched {
  ledgerPid: number | undefined;
  database: string;
}

async function runScenario(
  api: LedgerApi,
  scenario: Scenario,
  seconds: number,
  watched: Watched,
  onTick?: (elapsedMs: number) => void,
): Promise<ScenarioResult> {
  const latencies: number[] = [];
  const errorMessages = new Map<string, number>();
  let successes = 0;
  let errors = 0;
  let unknown = 0;
  const started = performance.now();
  const end = started + seconds * 1000;
  const before = cpuSnapshot(watched.ledgerPid, watched.database);

  const caller = async () => {
    while (!interrupted && performance.now() < end) {
      const [debitAccountId, creditAccountId] = scenario.pick();
      const t0 = performance.now();
      try {
        const body = await api.request<{ createPayment: { id: string; status: string } }>(CREATE_PAYMENT, {
          input: { debitAccountId, creditAccountId, amount: "0.01", description: `bench ${scenario.name}` },
          key: randomUUID(),
        });
        latencies.push(performance.now() - t0);
        if (body.errors?.length || body.data?.createPayment?.status !== "POSTED") {
          errors++;
          const message = body.errors?.length
            ? describeError(body.errors)
            : `unexpected answer ${JSON.stringify(body.data)}`;
          errorMessages.set(message, (errorMessages.get(message) ?? 0) + 1);
        } else {
          successes++;
        }
      } catch (error) {
        latencies.push(performance.now() - t0);
        unknown++;
        const message = `request failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        errorMessages.set(message, (errorMessages.get(message) ?? 0) + 1);
      }
    }
  };

  const ticker = onTick ? setInterval(() => onTick(performance.now() - started), 1000) : undefined;
  try {
    await Promise.all(Array.from({ length: scenario.callers }, caller));
  } finally {
    if (ticker) clearInterval(ticker);
  }
  const elapsed = (performance.now() - started) / 1000;
  const after = cpuSnapshot(watched.ledgerPid, watched.database);
  const sorted = Float64Array.from(latencies).sort();
  return {
    scenario: scenario.name,
    callers: scenario.callers,
    accounts: scenario.accountCount,
    seconds: round(elapsed, 2),
    successes,
    errors,
    unknown,
    paymentsPerSecond: round(successes / elapsed),
    p50Ms: round(percentile(sorted, 50), 2),
    p99Ms: round(percentile(sorted, 99), 2),
    maxMs: round(sorted.length ? sorted[sorted.length - 1] : NaN, 2),
    errorMessages: Object.fromEntries([...errorMessages].slice(0, 5)),
    cpu: cpuBetween(before, after),
  };
}

function randomPair(ids: string[]): () => [string, string] {
  return () => {
    const a = Math.floor(Math.random() * ids.length);
    let b = Math.floor(Math.random() * (ids.length - 1));
    if (b >= a) b++;
    return [ids[a], ids[b]];
  };
}

// ---------------------------------------------------------------------------------------------
// Invariants

interface Invariant {
  name: string;
  pass: boolean;
  detail: string;
}

async function checkInvariants(
  databaseUrl: string,
  expectedPosted: number,
  unknownOutcomes: number,
): Promise<Invariant[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const results: Invariant[] = [];
    const q = async <T extends Record<string, unknown>>(sql: string) => (await client.query<T>(sql)).rows;

    const postedByCurrency = await q<{ currency: string; total: string; accounts: string }>(
      `SELECT currency, sum(posted)::text AS total, count(*)::text AS accounts
         FROM ledger.account GROUP BY currency ORDER BY currency`,
    );
    results.push({
      name: "sum of account.posted per currency = 0",
      pass: postedByCurrency.length > 0 && postedByCurrency.every((r) => r.total === "0"),
      detail: postedByCurrency.map((r) => `${r.currency}: ${r.total} over ${r.accounts} accounts`).join("; "),
    });

    const entriesByCurrency = await q<{ currency: string; total: string; entries: string }>(
      `SELECT currency, sum(amount)::text AS total, count(*)::text AS entries
         FROM ledger.entry GROUP BY currency ORDER BY currency`,
    );
    results.push({
      name: "sum of entry.amount per currency = 0",
      pass: entriesByCurrency.length > 0 && entriesByCurrency.every((r) => r.total === "0"),
      detail: entriesByCurrency.map((r) => `${r.currency}: ${r.total} over ${r.entries} entries`).join("; "),
    });

    const [unbalanced] = await q<{ count: string }>(
      `SELECT count(*)::text AS count FROM (
         SELECT transaction_id FROM ledger.entry GROUP BY transaction_id, currency HAVING sum(amount) <> 0
       ) t`,
    );
    results.push({
      name: "every ledger transaction's entries sum to 0",
      pass: unbalanced.count === "0",
      detail: `${unbalanced.count} unbalanced transactions`,
    });

    const [overdrawn] = await q<{ count: string; lowest: string | null }>(
      `SELECT count(*)::text AS count, min(posted - pending + overdraft_limit)::text AS lowest
         FROM ledger.account WHERE kind = 'CLIENT' AND posted - pending + overdraft_limit < 0`,
    );
    results.push({
      name: "no CLIENT account with posted - pending + overdraft_limit < 0",
      pass: overdrawn.count === "0",
      detail: `${overdrawn.count} overdrawn accounts${overdrawn.lowest ? ` (lowest available ${overdrawn.lowest})` : ""}`,
    });

    const [drifted] = await q<{ count: string; accounts: string }>(
      `SELECT count(*) FILTER (WHERE a.posted <> COALESCE(e.total, 0))::text AS count, count(*)::text AS accounts
         FROM ledger.account a
         LEFT JOIN (SELECT account_id, sum(amount) AS total FROM ledger.entry GROUP BY account_id) e
           ON e.account_id = a.id`,
    );
    results.push({
      name: "every account's stored posted = sum of its entries",
      pass: drifted.count === "0",
      detail: `${drifted.count} of ${drifted.accounts} accounts differ`,
    });

    const [payments] = await q<{ posted: string; other: string; transactions: string }>(
      `SELECT count(*) FILTER (WHERE status = 'POSTED')::text AS posted,
              count(*) FILTER (WHERE status <> 'POSTED')::text AS other,
              (SELECT count(*) FROM ledger.ledger_transaction)::text AS transactions
         FROM ledger.payment`,
    );
    const posted = Number(payments.posted);
    const postedOk =
      unknownOutcomes === 0
        ? posted === expectedPosted
        : posted >= expectedPosted && posted <= expectedPosted + unknownOutcomes;
    results.push({
      name: "POSTED payments = successes counted + setup fundings",
      pass: postedOk && payments.other === "0",
      detail:
        `${posted} POSTED in the database, ${expectedPosted} counted` +
        (unknownOutcomes ? ` (+ up to ${unknownOutcomes} requests of unknown outcome)` : "") +
        `; ${payments.other} in another status; ${payments.transactions} ledger transactions`,
    });
    return results;
  } finally {
    await client.end();
  }
}

// ---------------------------------------------------------------------------------------------
// Main

/** Largest rise of the ledger's average RSS from the soak's first minute to its last. */
const SOAK_MAX_GROWTH_PERCENT = 10;
let soakFailed = false;

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const root = projectRoot();
  if (!fs.existsSync(path.join(root, "dist/subgraphs/ledger/main.js"))) {
    throw new Error("build first: npm run build");
  }
  const config = loadConfig();
  const admin = adminUrl();
  const databaseName = `core_banking_bench_${Date.now()}`;

  let ledger: LedgerProcess | undefined;
  let databaseCreated = false;
  let exitCode = 0;
  try {
    const databaseUrl = await createDatabase(admin, databaseName);
    databaseCreated = true;
    const settings = await serverSettings(databaseUrl);
    note(`database ${databaseName} created; PostgreSQL ${JSON.stringify(settings)}`);

    const startedAt = performance.now();
    ledger = await startLedger(root, databaseUrl);
    const ledgerPid = ledger.child.pid;
    const watched: Watched = { ledgerPid, database: databaseName };
    note(
      `ledger subgraph pid ${ledgerPid} ready on port ${ledger.port} in ${Math.round(performance.now() - startedAt)} ms`,
    );

    const token = await mintToken(config.auth, { kind: "system", subject: "bench" });
    const api = new LedgerApi(ledger.port, token);

    // Setup: accounts, then one funding each from the settlement account.
    const setupStarted = performance.now();
    const settlement = (
      await api.must<{ settlementAccount: { id: string } | null }>(SETTLEMENT, { c: "EUR" })
    ).settlementAccount;
    if (!settlement) throw new Error("no EUR settlement account");
    const accountIds = await inParallel(options.accounts, 16, async (i) => {
      const data = await api.must<{ openAccount: { id: string } }>(OPEN_ACCOUNT, {
        input: { clientId: randomUUID(), currency: "EUR", name: `bench account ${i}`, overdraftLimit: "0" },
      });
      return data.openAccount.id;
    });
    const openedMs = performance.now() - setupStarted;
    await inParallel(accountIds.length, 16, async (i) => {
      const data = await api.must<{ createPayment: { status: string } }>(CREATE_PAYMENT, {
        input: {
          debitAccountId: settlement.id,
          creditAccountId: accountIds[i],
          amount: "1000000.00",
          description: "bench funding",
        },
        key: randomUUID(),
      });
      if (data.createPayment.status !== "POSTED")
        throw new Error(`funding ended ${data.createPayment.status}`);
    });
    const fundings = accountIds.length;
    note(
      `setup: ${accountIds.length} accounts opened in ${Math.round(openedMs)} ms, funded in ${Math.round(performance.now() - setupStarted - openedMs)} ms`,
    );

    const [hotA, hotB] = accountIds;
    const spread = randomPair(accountIds);
    const hot = (): [string, string] => [hotA, hotB];
    const results: ScenarioResult[] = [];
    let successes = 0;
    let unknown = 0;
    const account = (r: ScenarioResult) => {
      successes += r.successes;
      unknown += r.unknown;
    };

    let soak:
      | { samples: Array<{ t: number; rssKiB: number }>; firstMinuteKiB: number; lastMinuteKiB: number }
      | undefined;

    if (options.warmupSeconds > 0 && !interrupted) {
      const warm = await runScenario(
        api,
        { name: "warmup", callers: 8, pick: spread, accountCount: accountIds.length },
        options.warmupSeconds,
        watched,
      );
      account(warm);
      note(`warmup: ${warm.paymentsPerSecond}/s over ${warm.seconds} s (not reported)`);
    }

    if (options.soakSeconds === undefined) {
      const scenarios: Scenario[] = [
        { name: "a: 8 callers, 1000 accounts", callers: 8, pick: spread, accountCount: accountIds.length },
        { name: "b: 32 callers, 1000 accounts", callers: 32, pick: spread, accountCount: accountIds.length },
        { name: "c: 8 callers, hot pair", callers: 8, pick: hot, accountCount: 2 },
        { name: "d: 32 callers, hot pair", callers: 32, pick: hot, accountCount: 2 },
      ];
      for (const scenario of scenarios) {
        if (interrupted) break;
        note(`running ${scenario.name} for ${options.seconds} s`);
        const result = await runScenario(api, scenario, options.seconds, watched);
        account(result);
        results.push(result);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      }
    } else {
      const samples: Array<{ t: number; rssKiB: number }> = [];
      const sample = (elapsedMs: number) => {
        const rss = ledgerPid ? rssKiB(ledgerPid) : undefined;
        if (rss !== undefined) samples.push({ t: round(elapsedMs / 1000, 0), rssKiB: rss });
      };
      sample(0);
      let lastSample = 0;
      note(`soak: scenario b (32 callers, 1000 accounts) for ${options.soakSeconds} s, VmRSS every 5 s`);
      const result = await runScenario(
        api,
        {
          name: "soak b: 32 callers, 1000 accounts",
          callers: 32,
          pick: spread,
          accountCount: accountIds.length,
        },
        options.soakSeconds,
        watched,
        (elapsedMs) => {
          if (elapsedMs - lastSample >= 5000) {
            lastSample = Math.floor(elapsedMs / 5000) * 5000;
            sample(elapsedMs);
            const last = samples[samples.length - 1];
            if (last) note(`  t=${last.t}s VmRSS ${(last.rssKiB / 1024).toFixed(1)} MiB`);
          }
        },
      );
      sample(result.seconds * 1000);
      account(result);
      results.push(result);
      const duration = result.seconds;
      const avg = (list: typeof samples) =>
        list.length ? list.reduce((s, x) => s + x.rssKiB, 0) / list.length : NaN;
      const first = samples.filter((s) => s.t <= 60);
      const last = samples.filter((s) => s.t >= duration - 60);
      soak = { samples, firstMinuteKiB: Math.round(avg(first)), lastMinuteKiB: Math.round(avg(last)) };
      process.stdout.write(`${JSON.stringify({ ...result, rss: soak })}\n`);
    }

    // Invariants
    const invariants = await checkInvariants(databaseUrl, successes + fundings, unknown);
    const finalRss = ledgerPid ? rssKiB(ledgerPid) : undefined;

    // Summary
    const lines: string[] = ["", "== ledger payments bench =="];
    lines.push(
      `PostgreSQL ${settings.server_version}, synchronous_commit=${settings.synchronous_commit}, fsync=${settings.fsync}; ` +
        `${accountIds.length} EUR accounts; amount 0.01 per payment; ledger VmRSS at end ${finalRss !== undefined ? `${(finalRss / 1024).toFixed(1)} MiB` : "n/a"}`,
    );
    for (const r of results) {
      lines.push(
        `${r.scenario.padEnd(34)} ${String(r.paymentsPerSecond).padStart(8)}/s  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms  max ${r.maxMs} ms  ` +
          `ok ${r.successes}  errors ${r.errors}${r.unknown ? `  unknown ${r.unknown}` : ""}`,
      );
      lines.push(
        `${"".padEnd(34)} CPU (% of one core, kernel part in brackets): ledger ${r.cpu.ledgerPct ?? "n/a"} (${r.cpu.ledgerSysPct ?? "n/a"}), ` +
          `postgres ${r.cpu.postgresPct} (${r.cpu.postgresSysPct}), bench ${r.cpu.benchPct} (${r.cpu.benchSysPct}), ` +
          `other processes ${r.cpu.otherPct ?? "n/a"}; ` +
          `machine busy ${r.cpu.machineBusyPct ?? "n/a"}%, iowait ${r.cpu.machineIowaitPct ?? "n/a"}%`,
      );
      for (const [message, count] of Object.entries(r.errorMessages)) {
        lines.push(`${"".padEnd(34)} error x${count}: ${message}`);
      }
    }
    if (soak) {
      lines.push(
        `soak VmRSS samples (s: MiB): ${soak.samples.map((s) => `${s.t}: ${(s.rssKiB / 1024).toFixed(1)}`).join(", ")}`,
      );
      const growth = ((soak.lastMinuteKiB - soak.firstMinuteKiB) / soak.firstMinuteKiB) * 100;
      // Garbage collection swings RSS by tens of MiB; a leak shows as the last minute's average
      // climbing past the first's. 10% over 5 minutes is the line drawn here.
      const flat = growth <= SOAK_MAX_GROWTH_PERCENT;
      lines.push(
        `${flat ? "PASS" : "FAIL"} soak VmRSS first minute avg ${(soak.firstMinuteKiB / 1024).toFixed(1)} MiB, last minute avg ${(soak.lastMinuteKiB / 1024).toFixed(1)} MiB (${growth >= 0 ? "+" : ""}${growth.toFixed(1)}%, limit +${SOAK_MAX_GROWTH_PERCENT}%)`,
      );
      if (!flat) soakFailed = true;
    } else {
      const target = (name: string, min: number) => {
        const r = results.find((x) => x.scenario.startsWith(name));
        if (!r) return `${name}: not run`;
        return `${r.scenario}: ${r.paymentsPerSecond}/s vs target >= ${min}/s: ${r.paymentsPerSecond >= min ? "MET" : "MISSED"}`;
      };
      lines.push("targets (issue 3):");
      lines.push(`  ${target("b:", 1000)}`);
      lines.push(`  ${target("c:", 500)}`);
      lines.push(`  ${target("d:", 500)}`);
    }
    lines.push("invariants:");
    for (const inv of invariants) lines.push(`  ${inv.pass ? "PASS" : "FAIL"} ${inv.name}: ${inv.detail}`);
    process.stdout.write(`${lines.join("\n")}\n`);
    if (invariants.some((inv) => !inv.pass) || soakFailed) exitCode = 1;
    if (interrupted) exitCode = exitCode || 130;
  } finally {
    if (ledger) {
      await ledger.stop().catch((error: unknown) => note(`stopping the ledger failed: ${String(error)}`));
    }
    if (databaseCreated) {
      await dropDatabase(admin, databaseName).then(
        () => note(`database ${databaseName} dropped`),
        (error: unknown) => note(`dropping ${databaseName} failed: ${String(error)}`),
      );
    }
  }
  return exitCode;
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (interrupted) return;
    interrupted = true;
    note(`${signal}: finishing the current requests, then cleaning up`);
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
