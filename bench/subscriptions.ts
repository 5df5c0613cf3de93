/**
 * `npm run bench:subscriptions [-- --events N (20)] [--sizes 100,1000] [--idle 10000]
 *   [--tokens same|distinct|clients:100] [--rates 20,50,100]`
 *
 * Transfer status subscriptions through the gateway (issues 5 and 12). The client, ledger and
 * transfer subgraphs and the gateway run as four processes of their own (`dist/.../main.js`)
 * against a fresh database on the PostgreSQL named by DATABASE_URL (default the machine's on
 * 127.0.0.1:5432), dropped at the end.
 *
 * The services run as deployed (`NODE_ENV=production`, bench/support.ts `DEPLOYED_ENV`). `--tokens`
 * says whose tokens the subscribers hold, each minted with `mintToken` and the run's secret:
 * - `same` (the default): every subscriber holds the one system token `bench`;
 * - `distinct`: subscriber i holds a system token of its own (subject `bench-operator-i`). They
 *   all subscribe to the same account's transfers, so they share one upstream stream (decision
 *   0027): `upstreamSubscriptions` should read 1;
 * - `clients:C`: C clients with one account each; subscriber i is a front-office user of client
 *   i mod C (subject `bench-user-i`, token with that `clientId`) subscribed to its client's account.
 *   Each transfer moves money between two of these accounts (debit client 2k mod C, credit
 *   2k+1 mod C), so the subscribers of both clients hear of it; the others of none. One upstream
 *   stream per client is expected.
 *
 * For each size N: N graphql-ws connections to the gateway, each with one subscription to an
 * account's transfers selecting a field of another subgraph (the transfer's account's available
 * balance, from the ledger; null for the credited side, which does not see the payer's account,
 * decision 0026). Then 3 warm-up transfers (not counted) and `--events` internal transfers, each
 * started 100 ms after the previous one returned and committing two status changes a few ms apart
 * (so under 20 events/s: `eventsPerSecond` reports the rate achieved). Latency is from the event's
 * commit to its arrival: the subscription selects the event's `position`, and after the run the
 * bench reads when the commit trigger logged each position (`transfer.event_log.logged_at`,
 * PostgreSQL's clock just before the commit's WAL flush, so the figure errs a little high;
 * migration 1732390000000). Until session 9 it was reckoned from `changedAt`, the transaction's
 * start, which added the transaction's own statements (2.8-4.4 ms at p50, decision 0049). Each run also reports the gateway's own share from its
 * `/metrics`: the mean time of an event's query (`resolveMeanMs`, once per shared stream) and of
 * writing it to every subscriber of its stream (`deliveryMeanMs`), and the mean time of the
 * query's fetch from the ledger (`ledgerFetchMeanMs`; the transfer subgraph's fetches also
 * carry the bench's own transfers, so they are not shown). The gateway's `/metrics` (with the run's `OPS_TOKEN`)
 * gives its client and upstream subscription counts while the N are connected.
 *
 * Before each size, its floor: the same N sockets of this bench, the same pacing and the same
 * reckoning, served by a bare `ws` server that writes one prebuilt message to every socket
 * (bench/broadcast-floor.ts; its `changedAt` is the moment of writing). `floorP50ms`/`floorP99ms`
 * are what this machine alone costs (its loopback writes and this bench's reads of N sockets, on
 * the same two cores); `p99OverFloor` is the run's p99 over the floor's, a ratio from one run.
 * The floor writes every event to all N sockets, as `same` and `distinct` do; with `clients:C` an
 * event reaches only its two clients' subscribers (2N/C), so there the floor is far harsher
 * than the run and the ratio understates the relay's share.
 *
 * `--rates` (events per second, ascending): after that run, for each rate, transfers are started
 * on a fixed schedule (two events each) for 5 s whatever the earlier ones' progress, and the
 * highest rate whose p99 stays under 100 ms is reported (the ramp stops at the first over it).
 *
 * Then `--idle` connections with one subscription each and no traffic, with the same kind of
 * tokens: the gateway's resident memory (VmRSS) before and after, per subscriber. Targets: p99 <
 * 25 ms at 1,000 subscribers, the same whatever the tokens; under 20 KB per idle subscriber.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Client as PgClient } from "pg";
import WebSocket from "ws";
import { mintToken } from "../common/auth/tokens";
import { loadConfig } from "../common/config";
import { projectRoot } from "../common/paths";
import { admin, DEPLOYED_ENV, freePort, option, percentile, sleep, waitForHealth } from "./support";

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** Reads `--tokens`: `same`, `distinct` or `clients:C`. */
function tokensOption(): { mode: "same" | "distinct" } | { mode: "clients"; clients: number } {
  const value = option("--tokens", "same");
  if (value === "same" || value === "distinct") return { mode: value };
  const clients = /^clients:(\d+)$/.exec(value);
  if (clients && Number(clients[1]) > 0) return { mode: "clients", clients: Number(clients[1]) };
  throw new Error(`--tokens takes same, distinct or clients:C, not ${value}`);
}

async function main(): Promise<void> {
  const events = Number(option("--events", "20"));
  const sizes = option("--sizes", "100,1000").split(",").map(Number);
  const idle = Number(option("--idle", "10000"));
  const tokens = tokensOption();
  const rates = option("--rates", "")
    .split(",")
    .filter(Boolean)
    .map(Number)
    .sort((a, b) => a - b);
  const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `core_banking_bench_${Date.now()}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const [clientPort, ledgerPort, transferPort, gatewayPort] = await Promise.all([1, 2, 3, 4].map(freePort));
  const env = {
    ...process.env,
    ...DEPLOYED_ENV,
    DATABASE_URL: url.toString(),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    TRANSFER_WORKER: "off",
    CLIENT_SUBGRAPH_PORT: String(clientPort),
    LEDGER_SUBGRAPH_PORT: String(ledgerPort),
    TRANSFER_SUBGRAPH_PORT: String(transferPort),
    CLIENT_SUBGRAPH_URL: `http://127.0.0.1:${clientPort}/graphql`,
    LEDGER_SUBGRAPH_URL: `http://127.0.0.1:${ledgerPort}/graphql`,
    TRANSFER_SUBGRAPH_URL: `http://127.0.0.1:${transferPort}/graphql`,
    PORT: String(gatewayPort),
    // With `--tokens same` every subscriber is the one "bench" token, and with `clients:C` a
    // client's users are counted together: the per-caller limits would refuse all but a few.
    WS_MAX_CONNECTIONS_PER_CALLER: "1000000",
    WS_MAX_SUBSCRIPTIONS_PER_CALLER: "10000000",
  };
  const children: ChildProcess[] = [];
  const run = (script: string) => {
    const child = spawn(process.execPath, [path.join(projectRoot(), "dist", script)], {
      env,
      stdio: "inherit",
    });
    children.push(child);
    return child;
  };
  const sockets: WebSocket[] = [];
  try {
    // The ledger first: it creates the schemas' shared extension and bank accounts.
    run("subgraphs/ledger/main.js");
    await waitForHealth(`http://127.0.0.1:${ledgerPort}/health`);
    run("subgraphs/client/main.js");
    run("subgraphs/transfer/main.js");
    await waitForHealth(`http://127.0.0.1:${clientPort}/health`);
    await waitForHealth(`http://127.0.0.1:${transferPort}/health`);
    const gateway = run("gateway/main.js");
    await waitForHealth(`http://127.0.0.1:${gatewayPort}/health`);

    const config = loadConfig(env);
    const token = await mintToken(config.auth, { kind: "system", subject: "bench" });
    const graphql = async (query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(`http://127.0.0.1:${gatewayPort}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: any; errors?: unknown };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const open = async (clientId: string = randomUUID()) =>
      (
        await graphql(
          `
            mutation ($i: OpenAccountInput!) {
              openAccount(input: $i) {
                id
              }
            }
          `,
          {
            i: { clientId, currency: "EUR", name: "bench" },
          },
        )
      ).openAccount.id as string;
    const settlement = (
      await graphql(`
        {
          settlementAccount(currency: "EUR") {
            id
          }
        }
      `)
    ).settlementAccount.id;
    const fund = (account: string, amount: string) =>
      graphql(
        `
          mutation ($i: PaymentInput!, $k: String!) {
            createPayment(input: $i, idempotencyKey: $k) {
              id
            }
          }
        `,
        {
          i: { debitAccountId: settlement, creditAccountId: account, amount, description: "bench" },
          k: randomUUID(),
        },
      );

    /**
     * Who subscribes and what moves. `tokenOf(i)` and `accountOf(i)`: subscriber i's token and the
     * account it watches; `move(k)`: the accounts of the k-th transfer; `hearers(k)`: how many of
     * the first `size` subscribers it reaches.
     */
    let tokenOf: (i: number) => Promise<string>;
    let accountOf: (i: number) => string;
    let move: (k: number) => { debit: string; credit: string };
    let hearers: (k: number, size: number) => number;
    if (tokens.mode === "clients") {
      const count = tokens.clients;
      const clientIds = Array.from({ length: count }, () => randomUUID());
      const accounts: string[] = [];
      for (const clientId of clientIds) accounts.push(await open(clientId));
      for (let i = 0; i < count; i += 10)
        await Promise.all(accounts.slice(i, i + 10).map((a) => fund(a, "1000.00")));
      tokenOf = (i) =>
        mintToken(config.auth, {
          kind: "client",
          subject: `bench-user-${i}`,
          clientId: clientIds[i % count],
        });
      accountOf = (i) => accounts[i % count];
      const sides = (k: number) => [(2 * k) % count, (2 * k + 1) % count];
      move = (k) => {
        const [debit, credit] = sides(k);
        return { debit: accounts[debit], credit: accounts[credit] };
      };
      // Subscribers of client c among the first `size`: those i < size with i mod count = c.
      const ofClient = (c: number, size: number) => Math.floor(size / count) + (c < size % count ? 1 : 0);
      hearers = (k, size) =>
        new Set(sides(k)).size === 1
          ? ofClient(sides(k)[0], size)
          : sides(k).reduce((sum, c) => sum + ofClient(c, size), 0);
    } else {
      const [from, to] = [await open(), await open()];
      await fund(from, "100000.00");
      tokenOf =
        tokens.mode === "same"
          ? () => Promise.resolve(token)
          : (i) => mintToken(config.auth, { kind: "system", subject: `bench-operator-${i}` });
      accountOf = () => from;
      move = () => ({ debit: from, credit: to });
      hearers = (_k, size) => size;
    }

    /**
     * Opens `count` sockets speaking graphql-transport-ws by hand, each with one subscription.
     * A message is only timestamped on arrival (parsed after the run), so the bench's own
     * processing adds as little as possible to the latency it measures.
     */
    const subscribeMany = async (
      count: number,
      record: (arrivedAt: number, data: WebSocket.RawData) => void,
      url = `ws://127.0.0.1:${gatewayPort}/graphql`,
    ) => {
      const opened: WebSocket[] = [];
      for (let i = 0; i < count; i += 200) {
        await Promise.all(
          Array.from({ length: Math.min(200, count - i) }, async (_, j) => {
            const bearer = await tokenOf(i + j);
            const account = accountOf(i + j);
            return new Promise<void>((resolve, reject) => {
              const socket = new WebSocket(url, "graphql-transport-ws");
              opened.push(socket);
              let acknowledged = false;
              socket.on("open", () =>
                socket.send(
                  JSON.stringify({
                    type: "connection_init",
                    payload: { authorization: `Bearer ${bearer}` },
                  }),
                ),
              );
              socket.on("message", (data) => {
                if (acknowledged) return record(Date.now(), data);
                if ((JSON.parse(String(data)) as { type: string }).type !== "connection_ack") return;
                acknowledged = true;
                socket.send(
                  JSON.stringify({
                    id: "1",
                    type: "subscribe",
                    payload: {
                      query: `subscription($a: ID) { transferStatusChanged(accountId: $a) {
                          position sequence status changedAt transfer { account { balance { available } } } } }`,
                      variables: { a: account },
                    },
                  }),
                );
                resolve();
              });
              socket.on("error", reject);
            });
          }),
        );
      }
      await sleep(500); // the subscriptions reach the subgraph
      return opened;
    };

    /** The gateway's subscription gauges, from its `/metrics`. */
    const gatewayCounts = async () => {
      const text = await (
        await fetch(`http://127.0.0.1:${gatewayPort}/metrics`, {
          headers: { authorization: `Bearer ${DEPLOYED_ENV.OPS_TOKEN}` },
        })
      ).text();
      // A sample line: `name{service="gateway"} value` (the registry's default label).
      const gauge = (metric: string) =>
        Number(new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1] ?? NaN);
      const histogram = (metric: string) => ({
        sum: gauge(`${metric}_sum`),
        count: gauge(`${metric}_count`),
      });
      // A subgraph's fetches from the gateway: `name{subgraph="...",outcome="ok",...} value`.
      const fetches = (subgraph: string) => {
        const of = (suffix: string) =>
          Number(
            new RegExp(
              `^subgraph_fetch_duration_seconds_${suffix}\\{(?=[^}]*subgraph="${subgraph}")(?=[^}]*outcome="ok")[^}]*\\} (\\S+)$`,
              "m",
            ).exec(text)?.[1] ?? 0,
          );
        return { sum: of("sum"), count: of("count") };
      };
      return {
        subscriptions: gauge("graphql_subscriptions_active"),
        upstreamSubscriptions: gauge("gateway_upstream_subscriptions"),
        resolution: histogram("gateway_subscription_event_resolution_seconds"),
        delivery: histogram("gateway_subscription_delivery_seconds"),
        ledgerFetch: fetches("ledger"),
      };
    };
    type Counts = Awaited<ReturnType<typeof gatewayCounts>>;
    /**
     * The gateway's own share of the latency between two scrapes: the mean time of an event's
     * query (once per stream) and of writing it to every subscriber of its stream.
     */
    const gatewayShare = (before: Counts, after: Counts) => {
      const mean = (key: "resolution" | "delivery" | "ledgerFetch") =>
        Number(
          (((after[key].sum - before[key].sum) / (after[key].count - before[key].count)) * 1000).toFixed(1),
        );
      return {
        resolveMeanMs: mean("resolution"),
        ledgerFetchMeanMs: mean("ledgerFetch"),
        deliveryMeanMs: mean("delivery"),
      };
    };

    type Event = { position?: string; changedAt: string };
    const parsed = (arrivals: Array<[number, WebSocket.RawData]>) =>
      arrivals.map(([arrivedAt, data]) => {
        const message = JSON.parse(String(data)) as {
          type: string;
          payload?: { data?: { transferStatusChanged?: Event }; errors?: unknown };
        };
        const event = message.type === "next" ? message.payload?.data?.transferStatusChanged : undefined;
        return { arrivedAt, event, failed: message.type !== "next" || message.payload?.errors !== undefined };
      });

    /**
     * When each event of `arrivals` was logged by the commit trigger (`event_log.logged_at`, just
     * before the commit's WAL flush), by position, in ms since the epoch.
     */
    const loggedAt = async (arrivals: Array<[number, WebSocket.RawData]>) => {
      const positions = [...new Set(parsed(arrivals).flatMap(({ event }) => event?.position ?? []))];
      const db = new PgClient({ connectionString: url.toString() });
      await db.connect();
      try {
        const { rows } = await db.query<{ position: string; ms: string }>(
          `SELECT position::text, extract(epoch FROM logged_at) * 1000 AS ms
             FROM transfer.event_log WHERE position = ANY ($1::bigint[]) AND logged_at IS NOT NULL`,
          [positions],
        );
        return new Map(rows.map((row) => [row.position, Number(row.ms)]));
      } finally {
        await db.end();
      }
    };

    /**
     * Latency of every `next` message recorded, and how many were errors: from the event's commit
     * (`committed`, by position: the run's events) or from its `changedAt` (the floor's, which is
     * the moment it was written).
     */
    const latenciesOf = (arrivals: Array<[number, WebSocket.RawData]>, committed?: Map<string, number>) => {
      let errors = 0;
      const latencies = parsed(arrivals)
        .map(({ arrivedAt, event, failed }) => {
          if (failed) errors++;
          if (!event) return NaN;
          if (!committed) return arrivedAt - Date.parse(event.changedAt);
          const at = event.position === undefined ? undefined : committed.get(event.position);
          return at === undefined ? NaN : Math.round((arrivedAt - at) * 10) / 10;
        })
        .filter((latency) => !Number.isNaN(latency))
        .sort((a, b) => a - b);
      return { latencies, errors };
    };

    /**
     * The machine's floor for `size` subscribers: the same sockets, pacing and latency reckoning,
     * written by a bare ws server (bench/broadcast-floor.ts) with no relay behind it.
     */
    const floorServer = await startFloor(children);
    const floor = async (size: number) => {
      let arrivals: Array<[number, WebSocket.RawData]> = [];
      const clients = await subscribeMany(
        size,
        (arrivedAt, data) => arrivals.push([arrivedAt, data]),
        floorServer.url,
      );
      for (let i = 0; i < 3; i++) await floorServer.event();
      await sleep(1_000);
      arrivals = [];
      for (let i = 0; i < events; i++) {
        // Two events a few ms apart, then the pause between transfers, as below.
        await floorServer.event();
        await sleep(5);
        await floorServer.event();
        await sleep(100);
      }
      await sleep(2_000);
      const { latencies } = latenciesOf(arrivals);
      for (const socket of clients) socket.close();
      await sleep(1_000);
      return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
    };

    let transfers = 0;
    /** Starts the next transfer; returns its index (for {@link hearers}) and its completion. */
    const transfer = () => {
      const k = transfers++;
      const { debit, credit } = move(k);
      return {
        k,
        done: graphql(
          `
            mutation ($i: InternalTransferInput!, $k: String!) {
              createInternalTransfer(input: $i, idempotencyKey: $k) {
                id
              }
            }
          `,
          { i: { debitAccountId: debit, creditAccountId: credit, amount: "0.01" }, k: randomUUID() },
        ),
      };
    };
    for (const size of sizes) {
      const floorOf = await floor(size);
      let arrivals: Array<[number, WebSocket.RawData]> = [];
      const clients = await subscribeMany(size, (arrivedAt, data) => arrivals.push([arrivedAt, data]));
      const counts = await gatewayCounts();
      // Warm-up (query plans, connections, JIT), not counted.
      for (let i = 0; i < 3; i++) {
        await transfer().done;
        await sleep(100);
      }
      await sleep(1_000);
      arrivals = [];
      let expected = 0;
      const measuredFrom = await gatewayCounts();
      const startedAt = Date.now();
      for (let i = 0; i < events; i++) {
        const { k, done } = transfer();
        await done;
        expected += hearers(k, size) * 2;
        await sleep(100);
      }
      const seconds = (Date.now() - startedAt) / 1000;
      await sleep(2_000);
      const { latencies, errors } = latenciesOf(arrivals, await loggedAt(arrivals));
      process.stdout.write(
        `${JSON.stringify({
          tokens: option("--tokens", "same"),
          subscribers: size,
          eventsPerSecond: Number(((events * 2) / seconds).toFixed(1)),
          delivered: latencies.length,
          expected,
          errors,
          p50ms: percentile(latencies, 50),
          p99ms: percentile(latencies, 99),
          maxMs: latencies.at(-1),
          floorP50ms: floorOf.p50,
          floorP99ms: floorOf.p99,
          p99OverFloor: Number((percentile(latencies, 99) / floorOf.p99).toFixed(2)),
          ...gatewayShare(measuredFrom, await gatewayCounts()),
          gatewaySubscriptions: counts.subscriptions,
          upstreamSubscriptions: counts.upstreamSubscriptions,
          gatewayRssMb: Math.round(rssMb(gateway.pid!)),
        })}\n`,
      );

      let sustained: number | undefined;
      for (const rate of rates) {
        // Two events per transfer; started on schedule, not after the previous one ends.
        const interval = 2_000 / rate;
        const count = Math.max(1, Math.round(5_000 / interval));
        await sleep(1_000);
        arrivals = [];
        const pending: Array<Promise<unknown>> = [];
        let expectedAtRate = 0;
        const rateFrom = await gatewayCounts();
        const begin = Date.now();
        for (let i = 0; i < count; i++) {
          await sleep(Math.max(0, begin + i * interval - Date.now()));
          const { k, done } = transfer();
          expectedAtRate += hearers(k, size) * 2;
          pending.push(done);
        }
        await Promise.all(pending);
        await sleep(2_000);
        const atRate = latenciesOf(arrivals, await loggedAt(arrivals));
        const p99 = percentile(atRate.latencies, 99);
        process.stdout.write(
          `${JSON.stringify({
            tokens: option("--tokens", "same"),
            subscribers: size,
            eventsPerSecond: rate,
            delivered: atRate.latencies.length,
            expected: expectedAtRate,
            errors: atRate.errors,
            p50ms: percentile(atRate.latencies, 50),
            p99ms: p99,
            maxMs: atRate.latencies.at(-1),
            ...gatewayShare(rateFrom, await gatewayCounts()),
          })}\n`,
        );
        if (!(p99 < 100) || atRate.latencies.length < expectedAtRate) break;
        sustained = rate;
      }
      if (rates.length) {
        process.stdout.write(
          `${JSON.stringify({ subscribers: size, eventsPerSecondBeforeP99Over100ms: sustained ?? null })}\n`,
        );
      }
      for (const socket of clients) socket.close();
      await sleep(1_000);
    }

    if (idle > 0) {
      const before = rssMb(gateway.pid!);
      sockets.push(...(await subscribeMany(idle, () => undefined)));
      await sleep(5_000);
      const after = rssMb(gateway.pid!);
      process.stdout.write(
        `${JSON.stringify({
          tokens: option("--tokens", "same"),
          idleSubscribers: idle,
          gatewayRssBeforeMb: Math.round(before),
          gatewayRssAfterMb: Math.round(after),
          extraMb: Math.round(after - before),
          perSubscriberKb: Number((((after - before) * 1024) / idle).toFixed(1)),
        })}\n`,
      );
    }
  } finally {
    for (const socket of sockets) socket.close();
    for (const child of children.reverse()) child.kill("SIGTERM");
    await sleep(1_000);
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
}

/** Starts bench/broadcast-floor.ts: its URL, and `event()`, which resolves once it wrote one to every socket. */
async function startFloor(children: ChildProcess[]): Promise<{ url: string; event: () => Promise<void> }> {
  const port = await freePort();
  const script = path.join(projectRoot(), "dist", "bench", "broadcast-floor.js");
  const child = spawn(process.execPath, [script, String(port)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once("message", () => resolve());
    child.once("exit", (code) => reject(new Error(`the floor server exited (${code})`)));
  });
  return {
    url: `ws://127.0.0.1:${port}`,
    event: () =>
      new Promise<void>((resolve) => {
        child.once("message", () => resolve());
        child.send("event");
      }),
  };
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
