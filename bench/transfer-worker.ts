/**
 * `npm run bench:transfers [-- --transfers N (300)] [--rail-ms MS (20)]`
 *
 * How fast the background worker drains a queue of confirmed outgoing transfers (issue 4), with
 * one orchestrator instance and with two racing on the same queue. In one process, against a
 * fresh database on the PostgreSQL named by DATABASE_URL (default the machine's on 127.0.0.1:5432),
 * dropped at the end: the ledger subgraph and one or two transfer subgraphs (workers off; the bench
 * calls `engine.runDue` in a loop per instance, batches of 10), the simulated rail answering after
 * `--rail-ms`. Each round queues N transfers (create + confirm through the transfer subgraph's
 * GraphQL), then times the drain from PROCESSING to COMPLETED.
 *
 * Prints one JSON line per round and the ratio two/one instances, then checks that every transfer
 * was sent to the rail once and that the ledger sums to zero; any FAIL exits non-zero.
 */
import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { Client } from "pg";
import { mintToken } from "../common/auth/tokens";
import { loadConfig } from "../common/config";
import { log } from "../common/log";
import { startLedgerSubgraph } from "../subgraphs/ledger/server";
import { SimulatedRail } from "../subgraphs/transfer/rail/payment-rail";
import { startTransferSubgraph, type TransferSubgraph } from "../subgraphs/transfer/server";

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} needs a number`);
  return value;
}

async function admin(url: string, sql: string, values: unknown[] = []) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows;
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  log.level = process.env.LOG_LEVEL || "silent";
  const transfers = option("--transfers", 300);
  const railMs = option("--rail-ms", 20);
  const adminUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/postgres";
  const name = `core_banking_bench_${Date.now()}`;
  await admin(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const config = loadConfig({
    NODE_ENV: "production",
    JWT_SECRET: randomUUID(),
    HOST: "127.0.0.1",
    LEDGER_SUBGRAPH_PORT: "0",
    TRANSFER_SUBGRAPH_PORT: "0",
    LEDGER_CURRENCIES: "EUR",
    TRANSFER_WORKER: "off",
  });
  const rail = new SimulatedRail({ delayMs: railMs, rejectRate: 0 });
  const ledger = await startLedgerSubgraph(config, databaseUrl);
  const instances: TransferSubgraph[] = [];
  let failed = false;
  try {
    instances.push(await startTransferSubgraph(config, databaseUrl, ledger.url, rail));
    instances.push(await startTransferSubgraph(config, databaseUrl, ledger.url, rail));
    const token = await mintToken(config.auth, { kind: "system", subject: "bench" });
    const call = async (target: string, query: string, variables: Record<string, unknown>) => {
      const response = await fetch(target, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as { data?: any; errors?: unknown[] };
      if (body.errors) throw new Error(JSON.stringify(body.errors));
      return body.data;
    };
    const clientId = randomUUID();
    const account = (
      await call(ledger.url, `mutation($i: OpenAccountInput!) { openAccount(input: $i) { id } }`, {
        i: { clientId, currency: "EUR", name: "bench" },
      })
    ).openAccount.id as string;
    const settlement = (await call(ledger.url, `{ settlementAccount(currency: "EUR") { id } }`, {}))
      .settlementAccount.id;
    await call(
      ledger.url,
      `mutation($i: PaymentInput!, $k: String!) { createPayment(input: $i, idempotencyKey: $k) { id } }`,
      {
        i: {
          debitAccountId: settlement,
          creditAccountId: account,
          amount: "1000000.00",
          description: "bench",
        },
        k: randomUUID(),
      },
    );
    const recipientId = (
      await call(instances[0].url, `mutation($i: AddRecipientInput!) { addRecipient(input: $i) { id } }`, {
        i: { clientId, name: "Bench Recipient", iban: "DE89370400440532013000", currency: "EUR" },
      })
    ).addRecipient.id as string;

    const queue = async (): Promise<string[]> => {
      const ids: string[] = [];
      for (let i = 0; i < transfers; i++) {
        const created = await call(
          instances[0].url,
          `mutation($i: OutgoingTransferInput!, $k: String!) { createOutgoingTransfer(input: $i, idempotencyKey: $k) { id } }`,
          { i: { accountId: account, recipientId, amount: "1.00" }, k: randomUUID() },
        );
        const id = created.createOutgoingTransfer.id as string;
        const [{ code }] = await admin(
          databaseUrl,
          `SELECT payload->>'code' AS code FROM transfer.notification_outbox WHERE payload->>'transferId' = $1`,
          [id],
        );
        await call(
          instances[0].url,
          `mutation($id: ID!, $c: String!) { confirmTransfer(id: $id, code: $c) { status } }`,
          {
            id,
            c: code,
          },
        );
        ids.push(id);
      }
      return ids;
    };
    const drain = async (instance: TransferSubgraph, subject: string) => {
      while ((await instance.engine.runDue(subject, 10)) > 0);
    };

    const rates: Record<string, number> = {};
    for (const round of [
      { name: "one instance", runners: [instances[0]] },
      { name: "two instances", runners: instances },
    ]) {
      const ids = await queue();
      const started = performance.now();
      await Promise.all(round.runners.map((instance, i) => drain(instance, `bench-worker-${i}`)));
      const seconds = (performance.now() - started) / 1000;
      const [{ done }] = await admin(
        databaseUrl,
        `SELECT count(*)::int AS done FROM transfer.transfer WHERE id = ANY ($1) AND status = 'COMPLETED'`,
        [ids],
      );
      rates[round.name] = done / seconds;
      const sentOnce = ids.every((id) => rail.sends.get(id) === 1);
      failed ||= done !== ids.length || !sentOnce;
      process.stdout.write(
        `${JSON.stringify({ round: round.name, transfers: ids.length, completed: done, seconds: Number(seconds.toFixed(2)), perSecond: Math.round(done / seconds), railMs, sentOnce })}\n`,
      );
    }
    const [{ unbalanced }] = await admin(
      databaseUrl,
      `SELECT count(*)::int AS unbalanced FROM (SELECT currency FROM ledger.entry GROUP BY currency HAVING sum(amount) <> 0) t`,
    );
    failed ||= unbalanced !== 0;
    process.stdout.write(
      `two/one instances: ${(rates["two instances"] / rates["one instance"]).toFixed(2)}; ledger balanced: ${unbalanced === 0 ? "PASS" : "FAIL"}\n`,
    );
  } finally {
    for (const instance of instances) await instance.stop();
    await ledger.stop();
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  if (failed) process.exit(1);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
