/**
 * `npm run bench:subscriptions [-- --events N (20)] [--sizes 100,1000] [--idle 10000]`
 *
 * Transfer status subscriptions through the gateway (issue 5). The client, ledger and transfer
 * subgraphs and the gateway run as four processes of their own (`dist/.../main.js`) against a
 * fresh database on the PostgreSQL named by DATABASE_URL (default the machine's on
 * 127.0.0.1:5432), dropped at the end.
 *
 * For each size N: N graphql-ws connections to the gateway, each with one subscription to the
 * same account's transfers selecting a field of another subgraph (the account's available
 * balance, from the ledger). Then 3 warm-up transfers (not counted) and `--events` internal
 * transfers, 100 ms apart, each committing two status changes a few ms apart. Latency is from the event's `changedAt` (PostgreSQL's clock at the start of the
 * committing transaction: a little before the commit, so the figure errs high) to its arrival.
 * Then `--idle` connections with one subscription each and no traffic: the gateway's resident
 * memory (VmRSS) before and after, per subscriber. Targets: p99 < 25 ms at 1,000 subscribers;
 * 10,000 idle subscribers within 200 MB.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import WebSocket from "ws";
import { mintToken } from "../common/auth/tokens";
import { loadConfig } from "../common/config";
import { projectRoot } from "../common/paths";
import { admin, freePort, option, sleep, waitForHealth } from "./support";

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

async function main(): Promise<void> {
  const events = Number(option("--events", "20"));
  const sizes = option("--sizes", "100,1000").split(",").map(Number);
  const idle = Number(option("--idle", "10000"));
  const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `core_banking_bench_${Date.now()}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const [clientPort, ledgerPort, transferPort, gatewayPort] = await Promise.all([1, 2, 3, 4].map(freePort));
  const env = {
    ...process.env,
    NODE_ENV: "development",
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
    // Every subscriber here is the one "bench" token: the per-caller limits would refuse all but a few.
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
    const open = async () =>
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
            i: { clientId: randomUUID(), currency: "EUR", name: "bench" },
          },
        )
      ).openAccount.id as string;
    const [from, to] = [await open(), await open()];
    const settlement = (
      await graphql(`
        {
          settlementAccount(currency: "EUR") {
            id
          }
        }
      `)
    ).settlementAccount.id;
    await graphql(
      `
        mutation ($i: PaymentInput!, $k: String!) {
          createPayment(input: $i, idempotencyKey: $k) {
            id
          }
        }
      `,
      {
        i: { debitAccountId: settlement, creditAccountId: from, amount: "100000.00", description: "bench" },
        k: randomUUID(),
      },
    );

    /**
     * Opens `count` sockets speaking graphql-transport-ws by hand, each with one subscription.
     * A message is only timestamped on arrival (parsed after the run), so the bench's own
     * processing adds as little as possible to the latency it measures.
     */
    const subscribeMany = async (
      count: number,
      record: (arrivedAt: number, data: WebSocket.RawData) => void,
    ) => {
      const opened: WebSocket[] = [];
      for (let i = 0; i < count; i += 200) {
        await Promise.all(
          Array.from(
            { length: Math.min(200, count - i) },
            () =>
              new Promise<void>((resolve, reject) => {
                const socket = new WebSocket(`ws://127.0.0.1:${gatewayPort}/graphql`, "graphql-transport-ws");
                opened.push(socket);
                let acknowledged = false;
                socket.on("open", () =>
                  socket.send(
                    JSON.stringify({
                      type: "connection_init",
                      payload: { authorization: `Bearer ${token}` },
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
                          sequence status changedAt transfer { account { balance { available } } } } }`,
                        variables: { a: from },
                      },
                    }),
                  );
                  resolve();
                });
                socket.on("error", reject);
              }),
          ),
        );
      }
      await sleep(500); // the subscriptions reach the subgraph
      return opened;
    };

    /** Commit-to-arrival of every `next` message recorded. */
    const latenciesOf = (arrivals: Array<[number, WebSocket.RawData]>): number[] =>
      arrivals
        .map(([arrivedAt, data]) => {
          const message = JSON.parse(String(data)) as {
            type: string;
            payload?: { data?: { transferStatusChanged?: { changedAt: string } } };
          };
          const changedAt = message.payload?.data?.transferStatusChanged?.changedAt;
          return message.type === "next" && changedAt ? arrivedAt - Date.parse(changedAt) : NaN;
        })
        .filter((latency) => !Number.isNaN(latency))
        .sort((a, b) => a - b);

    const transfer = () =>
      graphql(
        `
          mutation ($i: InternalTransferInput!, $k: String!) {
            createInternalTransfer(input: $i, idempotencyKey: $k) {
              id
            }
          }
        `,
        { i: { debitAccountId: from, creditAccountId: to, amount: "0.01" }, k: randomUUID() },
      );
    for (const size of sizes) {
      let arrivals: Array<[number, WebSocket.RawData]> = [];
      const clients = await subscribeMany(size, (arrivedAt, data) => arrivals.push([arrivedAt, data]));
      // Warm-up (query plans, connections, JIT), not counted.
      for (let i = 0; i < 3; i++) {
        await transfer();
        await sleep(100);
      }
      await sleep(1_000);
      arrivals = [];
      for (let i = 0; i < events; i++) {
        await transfer();
        await sleep(100);
      }
      await sleep(2_000);
      const latencies = latenciesOf(arrivals);
      const expected = size * events * 2;
      process.stdout.write(
        `${JSON.stringify({
          subscribers: size,
          delivered: latencies.length,
          expected,
          p50ms: percentile(latencies, 50),
          p99ms: percentile(latencies, 99),
          maxMs: latencies.at(-1),
          gatewayRssMb: Math.round(rssMb(gateway.pid!)),
        })}\n`,
      );
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

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
