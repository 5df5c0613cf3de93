/**
 * `npm run bench:idle [-- --seconds 30 --settle 40 --rounds 3 --base DIR]`
 *
 * What the services cost with nothing to do: the three subgraphs and the gateway, each in its own
 * process as deployed (`NODE_ENV=production`, background jobs and the transfer worker on), on a
 * fresh database of the PostgreSQL named by DATABASE_URL (loopback only). After one federated
 * query and `--settle` seconds, each process's CPU over `--seconds` from `/proc/<pid>/stat`, in
 * ms of CPU per second, and that of the database's PostgreSQL backends.
 *
 * `--base DIR` runs another build's `dist` too (a baseline), on its own database, alternated
 * with this build's for `--rounds` rounds: compare the two within one run (decision 0056).
 */
import path from "node:path";
import { mintToken } from "../common/auth/tokens";
import { projectRoot } from "../common/paths";
import {
  type BenchProcess,
  benchAuth,
  benchDatabase,
  cpuMs,
  DEPLOYED_ENV,
  freePort,
  median,
  option,
  postgresCpuSince,
  sleep,
  startNode,
} from "./support";

const SECONDS = Number(option("--seconds", "30"));
const SETTLE = Number(option("--settle", "40"));
const ROUNDS = Number(option("--rounds", "3"));
const BASE = process.argv.includes("--base") ? path.resolve(option("--base", "")) : undefined;
const SERVICES = ["client", "ledger", "transfer", "gateway"] as const;

type Figures = Record<(typeof SERVICES)[number] | "postgres", number>;

const note = (line: string) => process.stderr.write(`${line}\n`);

/** Starts the four services of `dist` on a fresh database, measures them idle, stops them. */
async function idleRun(dist: string): Promise<Figures> {
  const database = await benchDatabase("core_banking_bench_idle");
  const started: BenchProcess[] = [];
  try {
    const ports = { client: 0, ledger: 0, transfer: 0, gateway: 0 };
    for (const name of SERVICES) ports[name] = await freePort();
    const env = {
      ...DEPLOYED_ENV,
      DATABASE_URL: database.url,
      PORT: String(ports.gateway),
      CLIENT_SUBGRAPH_PORT: String(ports.client),
      LEDGER_SUBGRAPH_PORT: String(ports.ledger),
      TRANSFER_SUBGRAPH_PORT: String(ports.transfer),
      CLIENT_SUBGRAPH_URL: `http://127.0.0.1:${ports.client}/graphql`,
      LEDGER_SUBGRAPH_URL: `http://127.0.0.1:${ports.ledger}/graphql`,
      TRANSFER_SUBGRAPH_URL: `http://127.0.0.1:${ports.transfer}/graphql`,
    };
    // One after the other: each migrates its own schema, and the ledger's jobs ask the transfer subgraph.
    const processes = {} as Record<(typeof SERVICES)[number], BenchProcess>;
    for (const name of SERVICES) {
      const script = name === "gateway" ? "gateway/main.js" : `subgraphs/${name}/main.js`;
      processes[name] = await startNode({
        name,
        script: path.join(dist, script),
        env,
        ready: { url: `http://127.0.0.1:${ports[name]}/health` },
      });
      started.push(processes[name]);
    }
    const token = await mintToken(benchAuth(), { kind: "system", subject: "bench" });
    const response = await fetch(`http://127.0.0.1:${ports.gateway}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: "{ clients(first: 1) { totalCount } }" }),
    });
    const body = (await response.json()) as { data?: unknown };
    if (!body.data) throw new Error(`the gateway did not answer: ${JSON.stringify(body)}`);
    await sleep(SETTLE * 1000);
    // The database's own backends only: the shared processes (WAL writer, checkpointer...) also
    // serve whatever else runs on the server, which would drown an idle figure.
    const name = new URL(database.url).pathname.slice(1);
    const postgres = postgresCpuSince(name, { shared: false });
    const cpu = (): Figures => ({
      client: cpuMs(processes.client.pid),
      ledger: cpuMs(processes.ledger.pid),
      transfer: cpuMs(processes.transfer.pid),
      gateway: cpuMs(processes.gateway.pid),
      postgres: postgres(),
    });
    const before = cpu();
    await sleep(SECONDS * 1000);
    const after = cpu();
    const perSecond = (key: keyof Figures) => Math.round(((after[key] - before[key]) / SECONDS) * 100) / 100;
    return {
      client: perSecond("client"),
      ledger: perSecond("ledger"),
      transfer: perSecond("transfer"),
      gateway: perSecond("gateway"),
      postgres: perSecond("postgres"),
    };
  } finally {
    for (const process of started.reverse()) await process.stop().catch(() => undefined);
    await database
      .drop()
      .catch((error: unknown) => note(`dropping the bench database failed: ${String(error)}`));
  }
}

async function main(): Promise<void> {
  const builds = [{ label: "this build", dist: path.join(projectRoot(), "dist") }];
  if (BASE) builds.push({ label: `base ${BASE}`, dist: BASE });
  const runs = new Map<string, Figures[]>(builds.map((b) => [b.label, []]));
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 ? [...builds].reverse() : builds;
    for (const build of order) {
      const figures = await idleRun(build.dist);
      note(`round ${round + 1}, ${build.label}: CPU ms/s ${JSON.stringify(figures)}`);
      runs.get(build.label)!.push(figures);
    }
  }
  process.stdout.write(
    `\n== idle CPU, ms per second (medians of ${ROUNDS} round(s), ${SECONDS} s each) ==\n`,
  );
  process.stdout.write(
    `| build | ${SERVICES.join(" | ")} | node total | postgres |\n|---|${"---|".repeat(SERVICES.length + 2)}\n`,
  );
  for (const [label, figures] of runs) {
    const of = (key: keyof Figures) => median(figures.map((f) => f[key]));
    const total = median(figures.map((f) => SERVICES.reduce((sum, s) => sum + f[s], 0)));
    process.stdout.write(
      `| ${label} | ${SERVICES.map((s) => of(s).toFixed(1)).join(" | ")} | ${total.toFixed(1)} | ${of("postgres").toFixed(1)} |\n`,
    );
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
