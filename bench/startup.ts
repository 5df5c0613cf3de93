/**
 * `npm run bench:startup`: how long `npm start` (already built) takes to answer its first
 * federated query, on a cold embedded database (initdb included) and on a warm one, and
 * how long Ctrl-C takes to stop everything. Prints one JSON line per run and a summary.
 *
 * Targets (issue 2): warm start within 10 s, cold within 30 s. Absolute times on a shared
 * 2-core machine vary; compare cold/warm ratios from one run.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../common/paths";

const root = projectRoot();
const dataDir = path.join(root, ".data/bench-postgres");
const WARM_RUNS = Number(process.argv[2] ?? 3);

async function firstAnswer(url: string, token: string, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: "{ clients(first: 1) { totalCount } }" }),
      });
      const body = (await response.json()) as { data?: { clients?: { totalCount: number } } };
      if (typeof body.data?.clients?.totalCount === "number") return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("no answer before the deadline");
}

async function run(label: string): Promise<{ label: string; readyMs: number; stopMs: number }> {
  const started = Date.now();
  const child = spawn(process.execPath, [path.join(root, "dist/bin/start.js")], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: "",
      EMBEDDED_PG_DIR: dataDir,
      EMBEDDED_PG_PORT: "54349",
      PORT: "0",
      CLIENT_SUBGRAPH_PORT: "0",
      LEDGER_SUBGRAPH_PORT: "0",
      TRANSFER_SUBGRAPH_PORT: "0",
      LOG_LEVEL: "warn",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const deadline = started + 60_000;
  while (!/Bearer (\S+)/.test(output) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const url = /GraphQL:\s+(\S+)/.exec(output)?.[1];
  const token = /Bearer (\S+)/.exec(output)?.[1];
  if (!url || !token) throw new Error(`start did not print its endpoint:\n${output}`);
  await firstAnswer(url, token, deadline);
  const readyMs = Date.now() - started;

  const stopping = Date.now();
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  child.kill("SIGINT");
  const code = await exited;
  const stopMs = Date.now() - stopping;
  if (code !== 0) throw new Error(`start exited with ${code} on SIGINT`);
  if (fs.existsSync(path.join(dataDir, "postmaster.pid")))
    throw new Error("PostgreSQL left running after SIGINT");
  return { label, readyMs, stopMs };
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(root, "dist/bin/start.js"))) throw new Error("build first: npm run build");
  fs.rmSync(dataDir, { recursive: true, force: true });
  const results = [await run("cold")];
  for (let i = 0; i < WARM_RUNS; i++) results.push(await run("warm"));
  for (const result of results) process.stdout.write(`${JSON.stringify(result)}\n`);
  const warm = results
    .filter((r) => r.label === "warm")
    .map((r) => r.readyMs)
    .sort((a, b) => a - b);
  const median = warm[Math.floor(warm.length / 2)];
  process.stdout.write(
    `cold ready ${results[0].readyMs} ms (target 30000); warm median ${median} ms (target 10000); cold/warm ${(results[0].readyMs / median).toFixed(2)}\n`,
  );
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
