/**
 * What the gateway's subscriptions do when the transfer subgraph fails under them: a subgraph
 * process that freezes (SIGSTOP) is noticed within about two keep-alive intervals and its
 * subscriptions end with SUBSCRIPTION_INTERRUPTED; an event whose query fails is tried again,
 * and one that keeps failing ends the subscription the same way, never as a null event.
 */
import { randomUUID } from "node:crypto";
import type { Client } from "graphql-ws";
import { type GatewayServer, startGateway } from "../../gateway/server";
import { EVENT_RESOLUTION_ATTEMPTS } from "../../gateway/subscriptions/relay";
import { type SubgraphProxy, startSubgraphProxy } from "../helpers/faults";
import { fund, openAccount } from "../helpers/ledger";
import { type ServiceProcess, startServiceProcess } from "../helpers/processes";
import { type Stack, startStack, testConfig } from "../helpers/stack";
import { connectClient, disposeClients, sleep, waitFor, watch } from "../helpers/subscriptions";
import { READ_TRANSFER, sql } from "../helpers/transfers";

let stack: Stack;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await disposeClients(clients);
});
afterAll(() => stack.stop());

function connect(gateway: GatewayServer): Client {
  return connectClient(gateway, stack.systemToken, clients);
}

/** An internal transfer between two new accounts; it runs to COMPLETED at once, a burst of events. */
async function internalTransfer(from: { id: string }): Promise<string> {
  const to = await openAccount(stack);
  const result = await stack.graphql(
    `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id } }`,
    { input: { debitAccountId: from.id, creditAccountId: to.id, amount: "1.00" }, key: randomUUID() },
  );
  if (!result.data?.createInternalTransfer) throw new Error(JSON.stringify(result.errors));
  return result.data.createInternalTransfer.id as string;
}

async function history(id: string): Promise<Array<[number, string]>> {
  const read = await stack.graphql(READ_TRANSFER, { id });
  return read.data!.transfer.statusHistory.map((h: any) => [h.sequence, h.to]);
}

const WITH_TRANSFER = `subscription($accountId: ID) {
  transferStatusChanged(accountId: $accountId) { transferId sequence status transfer { id amount } }
}`;

describe("a transfer subgraph process that freezes", () => {
  const keepAliveMs = 1_000;
  let frozen: ServiceProcess;
  let gateway: GatewayServer;
  beforeAll(async () => {
    frozen = await startServiceProcess("subgraphs/transfer/main.ts", {
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      TRANSFER_SUBGRAPH_PORT: "0",
      DATABASE_URL: stack.databaseUrl,
      LEDGER_SUBGRAPH_URL: stack.ledger.url,
      JWT_SECRET: stack.config.auth.jwtSecret,
      TRANSFER_WORKER: "off",
      RAIL_DELAY_MS: "0",
    });
    const config = testConfig();
    config.subscriptions = { ...config.subscriptions, keepAliveMs };
    gateway = await startGateway(config, {
      subgraphUrls: { client: stack.client.url, ledger: stack.ledger.url, transfer: frozen.url },
    });
  });
  afterAll(async () => {
    await disposeClients(clients);
    await frozen?.kill(); // thaws it first
    await gateway?.stop();
  });

  it("When the transfer subgraph's process is stopped (SIGSTOP), then its subscriptions end with SUBSCRIPTION_INTERRUPTED within about two keep-alive intervals", async () => {
    const account = await openAccount(stack);
    await fund(stack, account.id, "10.00");
    const watcher = watch(connect(gateway), WITH_TRANSFER, { accountId: account.id });
    await waitFor(() => gateway.subscriptions.stats().upstreamSubscriptions === 1);
    // Live through the child process first: an event arrives, resolved through its HTTP too.
    const id = await internalTransfer(account);
    await watcher.until(1);
    expect(watcher.events[0]).toMatchObject({ transferId: id, transfer: { id, amount: "1.00" } });

    frozen.freeze();
    const frozenAt = Date.now();
    await waitFor(watcher.completed, 10 * keepAliveMs);
    const noticedAfterMs = Date.now() - frozenAt;
    expect(watcher.errors).toEqual([
      expect.objectContaining({ extensions: { code: "SUBSCRIPTION_INTERRUPTED" } }),
    ]);
    expect(noticedAfterMs).toBeLessThan(3 * keepAliveMs);
    await waitFor(() => gateway.subscriptions.stats().upstreamConnections === 0);
  });
});

/**
 * An event query that goes out whole: the client's variable in the selection keeps the transfer
 * subgraph's part from being answered by the event itself (decision 0048), so the proxy in front
 * of that subgraph sees every event's query.
 */
const QUERIED_WHOLE = `subscription($accountId: ID, $withTransfer: Boolean = true) {
  transferStatusChanged(accountId: $accountId) { transferId sequence status transfer @include(if: $withTransfer) { id amount } }
}`;

describe("an event whose query fails", () => {
  let proxy: SubgraphProxy;
  let gateway: GatewayServer;
  beforeAll(async () => {
    proxy = await startSubgraphProxy(stack.transfer.url);
    gateway = await startGateway(testConfig(), {
      subgraphUrls: { client: stack.client.url, ledger: stack.ledger.url, transfer: proxy.url },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await proxy.close();
  });
  afterEach(async () => {
    proxy.failNext("transferStatusEvent", 0);
    await disposeClients(clients, gateway);
  });

  async function listening(accountId: string) {
    const before = stack.transfer.events.size;
    const watcher = watch(connect(gateway), QUERIED_WHOLE, { accountId });
    await waitFor(() => stack.transfer.events.size === before + 1);
    return watcher;
  }

  it("When resolving an event fails once, then it is resolved again and delivered whole, never as a null event", async () => {
    const account = await openAccount(stack);
    await fund(stack, account.id, "10.00");
    const watcher = await listening(account.id);
    const failedBefore = proxy.failed();
    proxy.failNext("transferStatusEvent", 1);

    const id = await internalTransfer(account);
    const recorded = await history(id);
    await watcher.until(recorded.length);
    await sleep(200);
    expect(proxy.failed()).toBe(failedBefore + 1);
    expect(watcher.errors).toEqual([]);
    expect(watcher.results.every((result) => result.data?.transferStatusChanged)).toBe(true);
    expect(watcher.events.map((e) => [e.sequence, e.status])).toEqual(recorded);
    for (const event of watcher.events) expect(event.transfer).toEqual({ id, amount: "1.00" });
    expect(watcher.completed()).toBe(false);
  });

  it("When resolving an event keeps failing, then it is tried a few times and the subscription ends with SUBSCRIPTION_INTERRUPTED, no null event delivered", async () => {
    const account = await openAccount(stack);
    await fund(stack, account.id, "10.00");
    const id = await internalTransfer(account);
    const [last] = (await history(id)).slice(-1);
    const watcher = await listening(account.id);
    const failedBefore = proxy.failed();
    proxy.failNext("transferStatusEvent", 1_000);

    // One more status event of that transfer, committed as any runner would.
    await sql(
      stack,
      `INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, changed_by)
       VALUES ($1, $2, 'COMPLETED', 'COMPLETED', 'probe')`,
      [id, last[0] + 1],
    );
    await waitFor(watcher.completed);
    expect(watcher.results).toEqual([]);
    expect(watcher.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining(id),
        extensions: { code: "SUBSCRIPTION_INTERRUPTED" },
      }),
    ]);
    expect(proxy.failed() - failedBefore).toBe(EVENT_RESOLUTION_ATTEMPTS);
    await waitFor(() => gateway.subscriptions.stats().upstreamSubscriptions === 0);
  });
});

describe("an event whose other subgraph's part fails", () => {
  let proxy: SubgraphProxy;
  let gateway: GatewayServer;
  beforeAll(async () => {
    proxy = await startSubgraphProxy(stack.ledger.url);
    gateway = await startGateway(testConfig(), {
      subgraphUrls: { client: stack.client.url, ledger: proxy.url, transfer: stack.transfer.url },
    });
  });
  afterAll(async () => {
    await gateway.stop();
    await proxy.close();
  });
  afterEach(async () => {
    proxy.failNext("_entities", 0);
    await disposeClients(clients, gateway);
  });

  it("When the ledger's part of an event fails, then that event still comes, its transfer part from the event and the error in place of the balance, and the stream goes on", async () => {
    const account = await openAccount(stack);
    await fund(stack, account.id, "10.00");
    const before = stack.transfer.events.size;
    const watcher = watch(
      connect(gateway),
      `subscription($accountId: ID) {
        transferStatusChanged(accountId: $accountId) { transferId sequence status transfer { id amount account { id balance { currency } } } }
      }`,
      { accountId: account.id },
    );
    await waitFor(() => stack.transfer.events.size === before + 1);
    const failedBefore = proxy.failed();
    proxy.failNext("_entities", 1);

    const id = await internalTransfer(account);
    const recorded = await history(id);
    await watcher.until(recorded.length);
    await sleep(200);
    expect(proxy.failed()).toBe(failedBefore + 1);
    // A partial answer, as for a query: the part that failed is null with its error.
    expect(watcher.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: "SUBGRAPH_UNAVAILABLE" }) }),
    ]);
    expect(watcher.events.map((e) => [e.sequence, e.status])).toEqual(recorded);
    const [first, ...rest] = watcher.events;
    expect(first.transfer).toMatchObject({ id, amount: "1.00" });
    expect(first.transfer.account?.balance ?? null).toBeNull();
    for (const event of rest) {
      expect(event.transfer).toEqual({
        id,
        amount: "1.00",
        account: { id: account.id, balance: { currency: "EUR" } },
      });
    }
    expect(watcher.completed()).toBe(false);
  });
});
