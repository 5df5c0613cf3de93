/** What the benches that start whole stacks share: options, ports, the admin database, health waits. */
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import { Client as PgClient } from "pg";
import { type AuthConfig, loadConfig } from "../common/config";
import { isLoopback } from "../common/loopback";

/** `--name value` from the command line, or `fallback`. */
export function option(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A port nothing listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on("error", reject);
  });
}

/** Runs one statement (CREATE or DROP DATABASE) on the server's admin database. */
export async function admin(url: string, sql: string): Promise<void> {
  const client = new PgClient({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Resolves once `url` answers 2xx (or, with `anyAnswer`, answers at all: a server without a
 * health route), polling every 100 ms for up to `seconds`.
 */
export async function waitForHealth(url: string, seconds = 30, anyAnswer = false): Promise<void> {
  for (let i = 0; i < seconds * 10; i++) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (anyAnswer || response.ok) return;
    } catch {
      // not up yet
    }
    await sleep(100);
  }
  throw new Error(`${url} did not come up`);
}

// ---------------------------------------------------------------------------------------------
// CPU from /proc (Linux)

const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
/** User plus system CPU time of a process so far, in ms (/proc/<pid>/stat fields 14 and 15); 0 once it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

const SHARED_POSTGRES_PROCESS =
  /: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|archiver|stats collector)\s*$/;

/**
 * The PostgreSQL processes that serve `database`: its backends and (unless `shared` is false) the
 * shared ones (postmaster, WAL writer, checkpointer...); other databases' backends (someone
 * else's tests) are left out.
 */
export function postgresPids(database: string, { shared: withShared = true } = {}): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "postgres") continue;
      const title = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ");
      const shared = !title.startsWith("postgres:") || SHARED_POSTGRES_PROCESS.test(title);
      if ((withShared && shared) || title.includes(` ${database} `)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * PostgreSQL's CPU ms for `database` from now on ({@link postgresPids}): call the result for the
 * time spent since. Per process, so one that ends meanwhile does not subtract its whole life from
 * the others; one that started meanwhile counts whole (a pid whose time went down is another
 * process now); one that ended is missed, its time gone with it: the figure errs low.
 */
export function postgresCpuSince(database: string, options?: { shared?: boolean }): () => number {
  const sample = () => new Map(postgresPids(database, options).map((pid) => [pid, cpuMs(pid)]));
  const start = sample();
  return () =>
    [...sample()].reduce((sum, [pid, ms]) => {
      const before = start.get(pid) ?? 0;
      return sum + (ms >= before ? ms - before : ms);
    }, 0);
}

/** Resident memory of a process in KiB, if it still runs. */
export function rssKiB(pid: number): number | undefined {
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

/** The `p`th percentile (0..100) of ascending `sorted` values (NaN when empty). */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/** A bench database on the server of DATABASE_URL (default local, loopback only): its URL and `drop()`. */
export async function benchDatabase(prefix: string): Promise<{ url: string; drop(): Promise<void> }> {
  const adminUrl = new URL(process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres");
  if (!isLoopback(adminUrl.hostname)) throw new Error("benches only run against a loopback PostgreSQL");
  const name = `${prefix}_${Date.now()}`;
  await admin(adminUrl.href, `CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl.href);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    drop: () => admin(adminUrl.href, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** A Node process the bench started: its pid, its output's tail, and `stop()` (SIGTERM, then SIGKILL). */
export interface BenchProcess {
  name: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node <script>` (a file under dist/) with `env` added, and waits for `ready` (a line of
 * its output, or a health URL). `nodeArgs` go before the script (`--cpu-prof`...).
 */
export async function startNode(options: {
  name: string;
  script: string;
  env: Record<string, string>;
  nodeArgs?: string[];
  ready: { line: RegExp } | { url: string };
}): Promise<BenchProcess> {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), options.script], {
    env: { ...process.env, LOG_LEVEL: "warn", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tail = "";
  let sawLine: () => void = () => undefined;
  const lineSeen = new Promise<void>((resolve) => (sawLine = resolve));
  const collect = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4000);
    if ("line" in options.ready && options.ready.line.test(tail)) sawLine();
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    if (!(await Promise.race([exited.then(() => true), sleep(20_000).then(() => false)])))
      child.kill("SIGKILL");
    await exited;
  };
  try {
    const ready = "url" in options.ready ? waitForHealth(options.ready.url, 60) : lineSeen;
    await Promise.race([
      ready,
      exited.then(() => {
        throw new Error(`${options.name} exited before it was ready:\n${tail}`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { name: options.name, pid: child.pid!, stop };
}

/** The median of `values` (NaN when empty). */
export function median(values: number[]): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * What the services are run with in a bench, as deployed (the Dockerfile): `NODE_ENV=production`,
 * so graphql-js skips its development checks (its multi-realm `instanceOf` alone was 5-40% of a
 * profile), with a secret generated for this run. {@link benchAuth} mints tokens it accepts.
 */
export const DEPLOYED_ENV = {
  NODE_ENV: "production",
  JWT_SECRET: randomBytes(32).toString("hex"),
  /** For `/metrics` (`authorization: Bearer ...`), closed otherwise in production. */
  OPS_TOKEN: randomBytes(16).toString("hex"),
} as const;

/** The services' token settings under {@link DEPLOYED_ENV}, for `mintToken`. */
export function benchAuth(): AuthConfig {
  return loadConfig({ ...DEPLOYED_ENV }).auth;
}
