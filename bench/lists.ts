/**
 * `npm run bench:lists [-- --seconds N --rounds N --callers N --samples N --dist DIR --profile DIR --small-only --cpu-only --lists NAMES]`
 *
 * What a 20-item list costs (issue 13), with the three subgraphs each in its own process
 * (`dist/subgraphs/<name>/main.js`) on a fresh database (core_banking_bench_lists_<ts>, dropped
 * at the end) of the PostgreSQL named by DATABASE_URL (loopback only):
 *
 * 1. Page latency: `clients`, `transfers` and `accounts` with `first: 20`, for each documented
 *    filter, with and without `totalCount`: the median of `--samples` sequential requests, at
 *    1,000 rows, then again at 100,000 clients, 200,000 accounts and 1,000,000 transfers (seeded
 *    set-based, bench/lists-seed.ts, amounts drawn from a skewed distribution by a hash of the
 *    row number, not growing with creation time). Target: the big table's page within 2x of the
 *    small one's.
 * 2. CPU per request: each subgraph against a minimal `node:http` + `pg` server returning the
 *    same JSON (bench/minimal-list-server.ts; the bench checks the bodies are equal first), under
 *    `--callers` concurrent callers, `--rounds` interleaved rounds of `--seconds` each; node CPU
 *    per request from `/proc/<pid>/stat`. Target: each subgraph at most 2x the minimal server.
 *    Beside them, the floor: Apollo Server as shipped over the same SQL, with no type-graphql or
 *    TypeORM (bench/apollo-list-server.ts): `floorRatio` is what Apollo Server and graphql-js
 *    alone cost over the minimal server, which no subgraph built on them can go under.
 *
 * The services run as deployed (`NODE_ENV=production`, a generated `JWT_SECRET`).
 * `--dist DIR` runs the services of another build (a baseline); `--profile DIR` writes each
 * subgraph's CPU profile there (`--cpu-prof`; summarise with `node dist/bench/profile-top.js`).
 * `--cpu-only` measures the CPU per request alone (no page latencies, no big tables): a profile
 * then shows the CPU rounds and little else. `--lists Transfers` (names comma-separated: `Clients`,
 * `Transfers`, `Accounts`) measures those lists alone, both parts; the seed is the same.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { Agent, request } from "undici";
import { mintToken } from "../common/auth/tokens";
import { loadConfig } from "../common/config";
import { projectRoot } from "../common/paths";
import { seed, uuidOf } from "./lists-seed";
import { type BenchProcess, benchDatabase, cpuMs, freePort, option, percentile, startNode } from "./support";

const SECONDS = Number(option("--seconds", "5"));
const ROUNDS = Number(option("--rounds", "3"));
const CALLERS = Number(option("--callers", "16"));
const SAMPLES = Number(option("--samples", "100"));
const DIST = path.resolve(option("--dist", path.join(projectRoot(), "dist")));
const PROFILE = process.argv.includes("--profile") ? path.resolve(option("--profile", "")) : undefined;
const CPU_ONLY = process.argv.includes("--cpu-only");
const SMALL_ONLY = CPU_ONLY || process.argv.includes("--small-only");

/** Each list: its subgraph, its GraphQL field and node selection, and the documented filters to try. */
const LISTS = {
  Clients: {
    subgraph: "client",
    field: "clients(first: $first, filter: $filter)",
    filterType: "ClientFilterInput",
    nodes: "id type status riskLevel phoneNumber email firstName lastName created",
    filters: {
      none: {},
      status: { status: "BLOCKED" },
      type: { type: "INDIVIDUAL" },
      riskLevel: { riskLevel: "HIGH" },
      search: { search: "last5" },
    } as Record<string, object>,
  },
  Transfers: {
    subgraph: "transfer",
    field: "transfers(first: $first, filter: $filter)",
    filterType: "TransferFilterInput",
    nodes: "id kind status amount currency reference createdAt",
    filters: {
      none: {},
      status: { status: "FAILED" },
      kind: { kind: "OUTGOING" },
      clientId: { clientId: uuidOf("client", 1) },
      accountId: { accountId: uuidOf("account", 8) },
      "from/to": { from: "2024-01-01T00:05:00.000Z", to: "2024-01-01T00:10:00.000Z" },
      // The seed's amounts do not follow creation time (bench/lists-seed.ts): 5% of the transfers
      // are at or above 900.00, 0.65% at or above 10,000.00, 0.5% at or below 1.00, 17% within
      // 100.00-250.00 (the range whose exact count read the most with one-digit buckets, decision
      // 0046), 556 at or above 100,000.00 (a tail the planner misjudges). Those bounds are edges of
      // the counter's buckets; the last range's are not: each bound's rows in its bucket are
      // counted in the index, 15.55 near the middle of [15, 16) (decision 0051).
      minAmount: { minAmount: "900.00" },
      "minAmount rare": { minAmount: "10000.00" },
      "minAmount tail": { minAmount: "100000.00" },
      // 78 of those FAILED: the walk of the order's index checks each amount match's status in the heap.
      "minAmount tail, status": { minAmount: "100000.00", status: "FAILED" },
      maxAmount: { maxAmount: "1.00" },
      "min/maxAmount": { minAmount: "100.00", maxAmount: "250.00" },
      "min/maxAmount unround": { minAmount: "15.55", maxAmount: "123.45" },
    } as Record<string, object>,
  },
  Accounts: {
    subgraph: "ledger",
    field: "accounts(first: $first, filter: $filter)",
    filterType: "AccountFilterInput",
    nodes: "id number currency name status createdAt",
    filters: {
      none: {},
      clientId: { clientId: uuidOf("client", 1) },
      currency: { currency: "USD" },
      status: { status: "BLOCKED" },
    } as Record<string, object>,
  },
};
type ListName = keyof typeof LISTS;
/** The lists measured: `--lists`, or all. */
const MEASURED = (Object.keys(LISTS) as ListName[]).filter(
  (name) => !process.argv.includes("--lists") || (option("--lists", "") || "").split(",").includes(name),
);
if (!MEASURED.length) throw new Error(`--lists takes names among ${Object.keys(LISTS).join(", ")}`);

const queryOf = (name: ListName, counted: boolean) => {
  const list = LISTS[name];
  return `query ${name}($first: Int, $filter: ${list.filterType}) { ${list.field} { nodes { ${list.nodes} } pageInfo { hasNextPage endCursor }${counted ? " totalCount" : ""} } }`;
};

const dispatcher = new Agent({ connections: 64, keepAliveTimeout: 60_000 });

async function post(url: string, token: string, body: object): Promise<{ status: number; text: string }> {
  const response = await request(url, {
    method: "POST",
    dispatcher,
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: response.statusCode, text: await response.body.text() };
}

/** A list request that must succeed: its body. */
async function list(
  url: string,
  token: string,
  name: ListName,
  filter: object,
  counted = false,
): Promise<string> {
  const { status, text } = await post(url, token, {
    query: queryOf(name, counted),
    operationName: name,
    variables: { first: 20, filter },
  });
  if (status !== 200 || text.includes('"errors"'))
    throw new Error(`${name} answered ${status}: ${text.slice(0, 300)}`);
  return text;
}

/** Median milliseconds of `SAMPLES` sequential requests (after 10 unmeasured). */
async function pageLatency(url: string, token: string, name: ListName, filter: object, counted: boolean) {
  for (let i = 0; i < 10; i++) await list(url, token, name, filter, counted);
  const times: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const started = performance.now();
    await list(url, token, name, filter, counted);
    times.push(performance.now() - started);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

type Latencies = Record<string, number>;

async function latencies(urls: Record<string, string>, token: string): Promise<Latencies> {
  const result: Latencies = {};
  for (const name of MEASURED) {
    for (const [filterName, filter] of Object.entries(LISTS[name].filters)) {
      for (const counted of [false, true]) {
        result[`${name} ${filterName}${counted ? " +totalCount" : ""}`] = await pageLatency(
          urls[LISTS[name].subgraph],
          token,
          name,
          filter,
          counted,
        );
      }
    }
  }
  return result;
}

/** Requests answered and CPU ms per request of `target` while `CALLERS` callers loop for `SECONDS`. */
async function cpuRound(target: BenchProcess, url: string, token: string, name: ListName) {
  const body = { query: queryOf(name, false), operationName: name, variables: { first: 20, filter: {} } };
  const until = performance.now() + SECONDS * 1000;
  const before = cpuMs(target.pid);
  let requests = 0;
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (performance.now() < until) {
        const { status } = await post(url, token, body);
        if (status !== 200) throw new Error(`${target.name} answered ${status}`);
        requests++;
      }
    }),
  );
  const cpu = cpuMs(target.pid) - before;
  return { rps: requests / SECONDS, cpuMsPerRequest: cpu / requests };
}

const median = (values: number[]) =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

/** A yardstick server of the CPU comparison: its process and URL. */
interface Yardstick {
  key: "minimal" | "apollo";
  process: BenchProcess;
  url: string;
}

async function cpuComparison(
  subgraphs: Record<string, BenchProcess>,
  urls: Record<string, string>,
  yardsticks: Yardstick[],
  token: string,
) {
  const rows = [];
  for (const name of MEASURED) {
    const subgraph = subgraphs[LISTS[name].subgraph];
    const ours = await list(urls[subgraph.name], token, name, {});
    for (const yardstick of yardsticks) {
      const theirs = await list(yardstick.url, token, name, {});
      if (ours.trimEnd() !== theirs.trimEnd()) {
        const at = [...ours].findIndex((char, i) => char !== theirs[i]);
        throw new Error(
          `${name}: the ${yardstick.key} server's JSON differs at ${at}: ${ours.slice(at, at + 80)} / ${theirs.slice(at, at + 80)}`,
        );
      }
    }
    const targets = [{ key: "subgraph", process: subgraph, url: urls[subgraph.name] }, ...yardsticks];
    const samples = Object.fromEntries(
      targets.map((t) => [t.key, { rps: [] as number[], cpu: [] as number[] }]),
    );
    for (const target of targets) await cpuRound(target.process, target.url, token, name); // warm-up
    for (let i = 0; i < ROUNDS; i++) {
      for (const target of targets) {
        const measured = await cpuRound(target.process, target.url, token, name);
        samples[target.key].rps.push(measured.rps);
        samples[target.key].cpu.push(measured.cpuMsPerRequest);
      }
    }
    const cpu = { subgraph: median(samples.subgraph.cpu), minimal: median(samples.minimal.cpu) };
    const apollo = samples.apollo ? median(samples.apollo.cpu) : undefined;
    rows.push({
      list: `${name} (${subgraph.name})`,
      subgraphCpuMs: round(cpu.subgraph, 3),
      minimalCpuMs: round(cpu.minimal, 3),
      ratio: round(cpu.subgraph / cpu.minimal),
      ...(apollo === undefined
        ? {}
        : { apolloFloorCpuMs: round(apollo, 3), floorRatio: round(apollo / cpu.minimal) }),
      subgraphRps: Math.round(median(samples.subgraph.rps)),
      minimalRps: Math.round(median(samples.minimal.rps)),
      target: cpu.subgraph <= 2 * cpu.minimal ? "ok (<= 2x)" : "MISSED (> 2x)",
    });
  }
  return rows;
}

async function main() {
  // As deployed (Dockerfile): production mode (graphql-js skips its development checks), own secret.
  process.env.NODE_ENV = "production";
  process.env.JWT_SECRET = randomBytes(32).toString("hex");
  const database = await benchDatabase("core_banking_bench_lists");
  const started: BenchProcess[] = [];
  try {
    const config = loadConfig();
    const token = await mintToken(config.auth, { kind: "system", subject: "bench-lists" });
    const ports = { client: await freePort(), ledger: await freePort(), transfer: await freePort() };
    const urls = Object.fromEntries(
      Object.entries(ports).map(([name, port]) => [name, `http://127.0.0.1:${port}/graphql`]),
    );
    const env = {
      DATABASE_URL: database.url,
      HOST: "127.0.0.1",
      CLIENT_SUBGRAPH_PORT: String(ports.client),
      LEDGER_SUBGRAPH_PORT: String(ports.ledger),
      TRANSFER_SUBGRAPH_PORT: String(ports.transfer),
      LEDGER_SUBGRAPH_URL: urls.ledger,
      TRANSFER_WORKER: "false",
    };
    const subgraphs: Record<string, BenchProcess> = {};
    for (const name of ["client", "ledger", "transfer"] as const) {
      subgraphs[name] = await startNode({
        name,
        script: path.join(DIST, `subgraphs/${name}/main.js`),
        env,
        nodeArgs: PROFILE
          ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`, `--cpu-prof-name=${name}.cpuprofile`]
          : [],
        ready: { url: `http://127.0.0.1:${ports[name]}/health` },
      });
      started.push(subgraphs[name]);
    }
    const yardsticks: Yardstick[] = [];
    for (const [key, script] of [
      ["minimal", "minimal-list-server.js"],
      ["apollo", "apollo-list-server.js"],
    ] as const) {
      const port = await freePort();
      const process = await startNode({
        name: key,
        script: path.join(projectRoot(), "dist/bench", script),
        env: { DATABASE_URL: database.url, PORT: String(port) },
        ready: { line: /^listening \d+/m },
      });
      started.push(process);
      yardsticks.push({ key, process, url: `http://127.0.0.1:${port}/graphql` });
    }

    const smallSeed = await seed(database.url, {
      clients: [1, 1000],
      accounts: [1, 1000],
      transfers: [1, 1000],
    });
    note(
      `seeded 1,000 of each (rows, roll-up, vacuum) in ${round(smallSeed.seconds, 1)} s; ${visibility(smallSeed.allVisible)}`,
    );
    const small = CPU_ONLY ? {} : await latencies(urls, token);
    const cpu = await cpuComparison(subgraphs, urls, yardsticks, token);
    note(JSON.stringify({ cpuPerRequest: cpu }));

    let big: Latencies | undefined;
    if (!SMALL_ONLY) {
      const grown = await seed(database.url, {
        clients: [1001, 100_000],
        accounts: [1001, 200_000],
        transfers: [1001, 1_000_000],
      });
      note(
        `seeded 100,000 clients, 200,000 accounts, 1,000,000 transfers (rows, roll-up, vacuum) in ` +
          `${round(grown.seconds, 1)} s; ${visibility(grown.allVisible)}`,
      );
      big = await latencies(urls, token);
    }
    report(small, big, cpu);
  } finally {
    for (const process of started.reverse()) await process.stop().catch(() => undefined);
    await dispatcher.close();
    await database.drop();
  }
}

/** The seed's share of pages all-visible per table, flagged when under 99% (index-only reads then visit the heap). */
function visibility(allVisible: Record<string, number>): string {
  const low = Object.entries(allVisible).filter(([, share]) => share < 0.99);
  const shares = `pages all-visible ${JSON.stringify(allVisible)}`;
  return low.length
    ? `${shares}: NOT VACUUMED WHOLLY, this run's big-table pages are not comparable`
    : shares;
}
function report(small: Latencies, big: Latencies | undefined, cpu: object[]) {
  if (!CPU_ONLY) {
    process.stdout.write(`\nPage latency, first: 20, median of ${SAMPLES} sequential requests (ms)\n`);
    const rows = Object.keys(small).map((key) => ({
      page: key,
      at1k: round(small[key]),
      ...(big ? { atBig: round(big[key]), ratio: round(big[key] / small[key]) } : {}),
      ...(big ? { target: big[key] <= 2 * small[key] ? "ok" : "MISSED" } : {}),
    }));
    console.table(rows);
  }
  process.stdout.write(
    `\nCPU per request, 20-item list, ${CALLERS} callers, median of ${ROUNDS} interleaved rounds\n`,
  );
  console.table(cpu);
}

function note(line: string) {
  process.stderr.write(`${line}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
