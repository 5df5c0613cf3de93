/**
 * `npm run bench:gateways [-- --connections 50] [--seconds 5] [--rounds 3] [--only ours,stock]`
 * `[--workloads federated,list,mutation] [--baseline name=<root of another checkout, built>,...]`
 * `[--cpu-prof <dir>]` (ours and the baseline write a V8 CPU profile there when they stop)
 *
 * Our gateway beside two others on the same subgraph processes and the committed supergraph
 * (issue 13): a stock `@apollo/gateway` in `@apollo/server` with nothing added
 * (bench/gateways/stock.ts) and Hive Gateway (`@graphql-hive/gateway` on Node 22, with subgraph
 * request deduplication off; bench/gateways/gateway.config.mjs). Hive and its Node are
 * installed on demand into bench/gateways/node_modules (its own package.json, never the root's);
 * when that fails the bench says so and compares the other two.
 *
 * One fresh database on the PostgreSQL of DATABASE_URL (default the machine's on 127.0.0.1:5432),
 * dropped at the end; the client, ledger and transfer subgraphs in processes of their own
 * (`dist/.../main.js`, LOG_LEVEL=warn), filled with the demo data (bin/seed.ts) and 20 more
 * internal transfers through a gateway of ours that is stopped before measuring. Ours runs as
 * `npm run start:gateway` does, every feature on (auth, request ids, metrics, limits, its
 * default log level); the others get the supergraph with the subgraphs' URLs written in.
 *
 * Workloads, each with a system token: `federated` (`transfers(first: 20)` with each account's
 * balance and each client's name: three subgraphs), `list` (`clients(first: 20)`: one) and
 * `mutation` (`createPayment` of 0.01 between two random seeded EUR accounts, a fresh
 * idempotency key each). `--connections` callers send one workload to one gateway as fast as it
 * answers for `--seconds`; rounds go over every workload and gateway, the gateways' order
 * rotating round by round. Each run reports requests per second and the gateway process's CPU ms
 * per request (/proc/<pid>/stat); the summary gives each one's median over the rounds and the
 * ratios to ours. Target (issue 13): ours at most half the stock gateway's CPU per request and
 * less than Hive's.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Agent, request } from "undici";
import { mintToken } from "../common/auth/tokens";
import { projectRoot } from "../common/paths";
import { seed } from "../bin/seed";
import { admin, benchAuth, cpuMs, DEPLOYED_ENV, freePort, median, option, waitForHealth } from "./support";

/** `ours`, `stock`, `hive`, or the name of a build of ours in another checkout (`--baseline name=root`). */
type GatewayName = string;

/** `--baseline before=/path,other=/path`: other builds of our gateway, run beside the rest (a before/after). */
function baselines(): Map<string, string> {
  const given = option("--baseline", "");
  return new Map(given ? given.split(",").map((pair) => pair.split("=") as [string, string]) : []);
}

interface Workload {
  name: "federated" | "list" | "mutation";
  /** The request body of the next call. */
  body(): string;
  /** True when the answer is what the workload asked for. */
  ok(status: number, text: string): boolean;
}

const FEDERATED = `query Federated { transfers(first: 20) { nodes { id amount currency status
  account { number balance { available } } client { firstName lastName } } } }`;
const LIST = `query List { clients(first: 20) { nodes { id firstName lastName email status } } }`;
const PAYMENT = `mutation Pay($input: PaymentInput!, $key: String!) {
  createPayment(input: $input, idempotencyKey: $key) { id status } }`;

const hiveDir = () => path.join(projectRoot(), "bench", "gateways");
const hiveNode = () => path.join(hiveDir(), "node_modules", "node", "bin", "node");
const hiveCli = () => path.join(hiveDir(), "node_modules", "@graphql-hive", "gateway", "dist", "bin.js");

/** Installs Hive Gateway and Node 22 into bench/gateways/ unless there; false (and why) when that fails. */
function installHive(): boolean {
  if (fs.existsSync(hiveNode()) && fs.existsSync(hiveCli())) return true;
  process.stderr.write("installing Hive Gateway and Node 22 into bench/gateways/ ...\n");
  const result = spawnSync("npm", ["install", "--no-audit", "--no-fund"], {
    cwd: hiveDir(),
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (result.status === 0 && fs.existsSync(hiveNode()) && fs.existsSync(hiveCli())) return true;
  process.stderr.write("Hive Gateway could not be installed: comparing ours with the stock gateway only\n");
  return false;
}

/** Every child process started, so that the end (or a failure) stops them all. */
const children: ChildProcess[] = [];

function run(command: string, args: string[], env: NodeJS.ProcessEnv, cwd = projectRoot()): ChildProcess {
  const child = spawn(command, args, { env, cwd, stdio: ["ignore", "ignore", "inherit"] });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  await exited;
}

interface Subgraphs {
  env: NodeJS.ProcessEnv;
  urls: Record<"client" | "ledger" | "transfer", string>;
}

/** The three subgraphs over `databaseUrl`, each in its own process. */
async function startSubgraphs(databaseUrl: string): Promise<Subgraphs> {
  const [client, ledger, transfer] = await Promise.all([1, 2, 3].map(freePort));
  const urls = {
    client: `http://127.0.0.1:${client}/graphql`,
    ledger: `http://127.0.0.1:${ledger}/graphql`,
    transfer: `http://127.0.0.1:${transfer}/graphql`,
  };
  const env = {
    ...process.env,
    ...DEPLOYED_ENV,
    DATABASE_URL: databaseUrl,
    HOST: "127.0.0.1",
    TRANSFER_WORKER: "off",
    CLIENT_SUBGRAPH_PORT: String(client),
    LEDGER_SUBGRAPH_PORT: String(ledger),
    TRANSFER_SUBGRAPH_PORT: String(transfer),
    CLIENT_SUBGRAPH_URL: urls.client,
    LEDGER_SUBGRAPH_URL: urls.ledger,
    TRANSFER_SUBGRAPH_URL: urls.transfer,
  };
  const dist = (script: string) => path.join(projectRoot(), "dist", script);
  const quiet = { ...env, LOG_LEVEL: "warn" };
  // The ledger first: it creates the schemas' shared extension and the bank's accounts.
  run(process.execPath, [dist("subgraphs/ledger/main.js")], quiet);
  await waitForHealth(`http://127.0.0.1:${ledger}/health`, 60);
  run(process.execPath, [dist("subgraphs/client/main.js")], quiet);
  run(process.execPath, [dist("subgraphs/transfer/main.js")], quiet);
  await waitForHealth(`http://127.0.0.1:${client}/health`, 60);
  await waitForHealth(`http://127.0.0.1:${transfer}/health`, 60);
  return { env, urls };
}

interface Gateway {
  name: GatewayName;
  url: string;
  child: ChildProcess;
}

/** Starts one gateway over the subgraphs and waits until it answers a query. */
async function startGateway(
  name: GatewayName,
  subgraphs: Subgraphs,
  supergraphFile: string,
  profiled = true,
): Promise<Gateway> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/graphql`;
  let child: ChildProcess;
  if (name === "ours" || baselines().has(name)) {
    const env: NodeJS.ProcessEnv = { ...subgraphs.env, PORT: String(port) };
    delete env.LOG_LEVEL;
    const root = name === "ours" ? projectRoot() : baselines().get(name)!;
    const profile = profiled ? option("--cpu-prof", "") : "";
    const flags = profile
      ? ["--cpu-prof", "--cpu-prof-dir", path.resolve(profile), "--cpu-prof-name", `${name}.cpuprofile`]
      : [];
    child = run(process.execPath, [...flags, path.join(root, "dist", "gateway", "main.js")], env, root);
  } else if (name === "stock") {
    const script = path.join(projectRoot(), "dist", "bench", "gateways", "stock.js");
    // In production mode like ours and Hive (graphql-js skips its development checks).
    child = run(process.execPath, [script, supergraphFile, String(port)], {
      ...process.env,
      NODE_ENV: "production",
    });
  } else {
    const args = [hiveCli(), "supergraph", supergraphFile, "--port", String(port), "--host", "127.0.0.1"];
    args.push("-c", path.join(hiveDir(), "gateway.config.mjs"), "--disable-websockets");
    child = run(hiveNode(), args, { ...process.env, NODE_ENV: "production" }, hiveDir());
  }
  await waitForQuery(url, child);
  return { name, url, child };
}

/** Resolves once `url` answers `{ __typename }` (any gateway: a POST, as the workloads send). */
async function waitForQuery(url: string, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`the gateway at ${url} exited (${child.exitCode})`);
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${await benchToken()}` },
        body: JSON.stringify({ query: "{ __typename }" }),
      });
      if (response.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

let token: Promise<string> | undefined;
/** A system token the services accept, valid for the bench's run. */
function benchToken(): Promise<string> {
  token ??= mintToken(benchAuth(), { kind: "system", subject: "bench" }, "2h");
  return token;
}

/** The committed supergraph with the subgraphs' URLs written in, for the gateways that take no override. */
function supergraphWith(urls: Subgraphs["urls"]): string {
  let sdl = fs.readFileSync(path.join(projectRoot(), "schema", "supergraph.graphql"), "utf8");
  for (const [name, url] of Object.entries(urls)) {
    sdl = sdl.replace(new RegExp(`(@join__graph\\(name: "${name}", url: ")[^"]*`), `$1${url}`);
  }
  const file = path.join(os.tmpdir(), `bench-supergraph-${process.pid}.graphql`);
  fs.writeFileSync(file, sdl);
  return file;
}

/** GraphQL through `url` with the bench's token; the data, or an Error naming the first error. */
async function graphql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${await benchToken()}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

/**
 * The demo data, 20 internal transfers more (so a first page of transfers is full), and the
 * seeded EUR client accounts the mutation pays between; through a gateway of ours stopped after.
 */
async function fillDatabase(
  subgraphs: Subgraphs,
  databaseUrl: string,
  supergraph: string,
): Promise<string[]> {
  const gateway = await startGateway("ours", subgraphs, supergraph, false);
  try {
    await seed({ graphqlUrl: gateway.url, databaseUrl, token: await benchToken() });
    const { accounts } = await graphql<{
      accounts: { nodes: Array<{ id: string; clientId: string | null }> };
    }>(
      gateway.url,
      `
        {
          accounts(filter: { currency: "EUR", status: ACTIVE }, first: 100) {
            nodes {
              id
              clientId
            }
          }
        }
      `,
    );
    const eur = accounts.nodes.filter((account) => account.clientId).map((account) => account.id);
    // Room for every payment of the run in either direction: 100,000.00 each from the settlement account.
    const { settlementAccount } = await graphql<{ settlementAccount: { id: string } }>(
      gateway.url,
      `
        {
          settlementAccount(currency: "EUR") {
            id
          }
        }
      `,
    );
    for (const id of eur) {
      const input = {
        debitAccountId: settlementAccount.id,
        creditAccountId: id,
        amount: "100000.00",
        description: "bench funds",
      };
      await graphql(gateway.url, PAYMENT, { input, key: randomUUID() });
    }
    if (eur.length < 2) throw new Error("the demo data has fewer than two EUR client accounts");
    for (let i = 0; i < 20; i++) {
      await graphql(
        gateway.url,
        `
          mutation ($input: InternalTransferInput!, $key: String!) {
            createInternalTransfer(input: $input, idempotencyKey: $key) {
              id
            }
          }
        `,
        { input: { debitAccountId: eur[0], creditAccountId: eur[1], amount: "0.01" }, key: randomUUID() },
      );
    }
    return eur;
  } finally {
    await stop(gateway.child);
  }
}

function workloads(accounts: string[]): Workload[] {
  const answered = (field: string) => (status: number, text: string) =>
    status === 200 && text.startsWith(`{"data":{"${field}":`) && !text.includes(`"errors":`);
  const federated = JSON.stringify({ query: FEDERATED });
  const list = JSON.stringify({ query: LIST });
  const pick = () => accounts[Math.floor(Math.random() * accounts.length)];
  const payment = () => {
    const debit = pick();
    let credit = pick();
    while (credit === debit) credit = pick();
    const input = { debitAccountId: debit, creditAccountId: credit, amount: "0.01", description: "bench" };
    return JSON.stringify({ query: PAYMENT, variables: { input, key: randomUUID() } });
  };
  return [
    { name: "federated", body: () => federated, ok: answered("transfers") },
    { name: "list", body: () => list, ok: answered("clients") },
    { name: "mutation", body: payment, ok: answered("createPayment") },
  ];
}

interface Run {
  round: number;
  workload: Workload["name"];
  gateway: GatewayName;
  requests: number;
  errors: number;
  requestsPerSecond: number;
  cpuMsPerRequest: number;
  /** Less what the gateway spends idle over the same time (`idleCpuMsPerSecond`). */
  netCpuMsPerRequest: number;
}

/** `connections` callers send `workload` to `gateway` for `ms`: requests, errors and the gateway's CPU. */
async function measure(
  gateway: Gateway,
  workload: Workload,
  connections: number,
  ms: number,
  agent: Agent,
  idleMsPerSecond = 0,
) {
  const headers = { "content-type": "application/json", authorization: `Bearer ${await benchToken()}` };
  const cpuBefore = cpuMs(gateway.child.pid!);
  const started = performance.now();
  const deadline = started + ms;
  let requests = 0;
  let errors = 0;
  let firstError: string | undefined;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const response = await request(gateway.url, {
          method: "POST",
          headers,
          body: workload.body(),
          dispatcher: agent,
        });
        const text = await response.body.text();
        if (workload.ok(response.statusCode, text)) requests++;
        else {
          errors++;
          firstError ??= `${response.statusCode} ${text.slice(0, 300)}`;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuMs(gateway.child.pid!) - cpuBefore;
  if (firstError)
    process.stderr.write(`${gateway.name} ${workload.name}: ${errors} errors, first: ${firstError}\n`);
  return {
    requests,
    errors,
    requestsPerSecond: requests / seconds,
    cpuMsPerRequest: cpu / Math.max(requests, 1),
    netCpuMsPerRequest: Math.max(0, cpu - idleMsPerSecond * seconds) / Math.max(requests, 1),
  };
}

const fixed = (value: number, digits = 3) => Number(value.toFixed(digits));

/** Per workload: each gateway's medians over the rounds, and ours against the others (per-round ratios' medians). */
function summarize(runs: Run[], names: GatewayName[]) {
  const summary: Record<string, unknown> = {};
  for (const workload of new Set(runs.map((run) => run.workload))) {
    const of = (gateway: GatewayName) => runs.filter((r) => r.workload === workload && r.gateway === gateway);
    const entry: Record<string, unknown> = {};
    for (const name of names) {
      entry[name] = {
        requestsPerSecond: Math.round(median(of(name).map((r) => r.requestsPerSecond))),
        cpuMsPerRequest: fixed(median(of(name).map((r) => r.cpuMsPerRequest))),
        netCpuMsPerRequest: fixed(median(of(name).map((r) => r.netCpuMsPerRequest))),
        errors: of(name).reduce((sum, r) => sum + r.errors, 0),
      };
    }
    for (const other of names.filter((name) => name !== "ours")) {
      const ratios = of("ours").map((r, i) => r.cpuMsPerRequest / of(other)[i].cpuMsPerRequest);
      entry[`cpuOursTo_${other}`] = fixed(median(ratios));
      const net = of("ours").map((r, i) => r.netCpuMsPerRequest / of(other)[i].netCpuMsPerRequest);
      entry[`netCpuOursTo_${other}`] = fixed(median(net));
    }
    summary[workload] = entry;
  }
  return summary;
}

async function main(): Promise<void> {
  const connections = Number(option("--connections", "50"));
  const seconds = Number(option("--seconds", "5"));
  const rounds = Number(option("--rounds", "3"));
  const wanted = option("--only", "ours,stock,hive").split(",") as GatewayName[];
  const names = wanted.filter((name) => name !== "hive" || installHive());
  names.push(...baselines().keys());
  const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const database = `core_banking_bench_${Date.now()}`;
  await admin(adminUrl, `CREATE DATABASE ${database}`);
  const databaseUrl = new URL(adminUrl);
  databaseUrl.pathname = `/${database}`;
  let supergraph: string | undefined;
  try {
    const subgraphs = await startSubgraphs(databaseUrl.toString());
    supergraph = supergraphWith(subgraphs.urls);
    const accounts = await fillDatabase(subgraphs, databaseUrl.toString(), supergraph);
    const gateways: Gateway[] = [];
    // One after the other: each start compiles the supergraph, which would slow the others'.
    for (const name of names) gateways.push(await startGateway(name, subgraphs, supergraph));
    const agent = new Agent({ connections, pipelining: 1 });
    const only = option("--workloads", "federated,list,mutation").split(",");
    const loads = workloads(accounts).filter((workload) => only.includes(workload.name));
    // Warm-up (JIT, query plans, pools), not counted.
    for (const workload of loads)
      for (const gateway of gateways) await measure(gateway, workload, connections, 2_000, agent);
    // What each gateway spends doing nothing (timers, pools): at low rates it weighs on CPU per request.
    const idleBefore = gateways.map((gateway) => cpuMs(gateway.child.pid!));
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    const idleCpuMsPerSecond: Record<string, number> = Object.fromEntries(
      gateways.map((gateway, i) => [gateway.name, fixed((cpuMs(gateway.child.pid!) - idleBefore[i]) / 10)]),
    );
    const runs: Run[] = [];
    for (let round = 1; round <= rounds; round++) {
      for (const workload of loads) {
        // The order rotates round by round, so each gateway goes first as often as the others.
        const order = gateways.map((_, i) => gateways[(i + round - 1) % gateways.length]);
        for (const gateway of order) {
          const idle = idleCpuMsPerSecond[gateway.name];
          const result = await measure(gateway, workload, connections, seconds * 1000, agent, idle);
          const entry: Run = { round, workload: workload.name, gateway: gateway.name, ...result };
          runs.push(entry);
          process.stdout.write(
            `${JSON.stringify({ ...entry, requestsPerSecond: Math.round(entry.requestsPerSecond), cpuMsPerRequest: fixed(entry.cpuMsPerRequest), netCpuMsPerRequest: fixed(entry.netCpuMsPerRequest) })}\n`,
          );
        }
      }
    }
    await agent.close();
    const summary = summarize(runs, names);
    process.stdout.write(
      `${JSON.stringify({ connections, seconds, rounds, gateways: names, idleCpuMsPerSecond, summary }, null, 2)}\n`,
    );
  } finally {
    await Promise.all(children.map(stop));
    if (supergraph) fs.rmSync(supergraph, { force: true });
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
