import { randomUUID } from "node:crypto";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { PaymentStatus } from "../../subgraphs/ledger/domain/payment-status";
import { TransferStatus } from "../../subgraphs/transfer/domain/transfer-status";
import { fund, openAccount } from "../helpers/ledger";
import { sample, scrape } from "../helpers/ops";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { watch } from "../helpers/subscriptions";

const OK = `query OpsSettlement { settlementAccount(currency: "EUR") { id } }`;
const FAILS = `query OpsReport($id: ID!) { transactionReport(accountId: $id) { accountId } }`;

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition did not hold in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe("Metrics", () => {
  let stack: Stack;
  /** A graphql-ws client of the gateway with the stack's system token. */
  const systemClient = () =>
    createClient({
      url: stack.gateway.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.systemToken}` },
      retryAttempts: 0,
    });
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(() => stack.stop());

  it("When a query succeeds and another fails, then the gateway and the ledger each count one more of each operation, labelled ok and with the error code, and time them", async () => {
    const before = { gateway: await scrape(stack.gateway.url), ledger: await scrape(stack.ledger.url) };

    expect((await stack.graphql(OK)).errors).toBeUndefined();
    const failed = await stack.graphql(FAILS, { id: randomUUID() });
    expect(failed.errors?.[0].extensions?.code).toBe("ACCOUNT_NOT_FOUND");

    const after = { gateway: await scrape(stack.gateway.url), ledger: await scrape(stack.ledger.url) };
    const increase = (service: "gateway" | "ledger", name: string, labels: Record<string, string>) =>
      sample(after[service], name, labels) - sample(before[service], name, labels);
    const ok = { operation: "OpsSettlement", outcome: "ok" };
    const notFound = { operation: "OpsReport", outcome: "ACCOUNT_NOT_FOUND" };
    for (const labels of [ok, notFound]) {
      expect(increase("gateway", "graphql_requests_total", { service: "gateway", ...labels })).toBe(1);
      expect(increase("gateway", "graphql_request_duration_seconds_count", labels)).toBe(1);
      expect(sample(after.gateway, "graphql_request_duration_seconds_sum", labels)).toBeGreaterThan(0);
    }
    // The ledger sees the gateway's fetch, named after the client's operation.
    expect(
      increase("ledger", "graphql_requests_total", {
        service: "ledger",
        operation: "OpsSettlement__ledger__0",
        outcome: "ok",
      }),
    ).toBe(1);
    expect(
      increase("ledger", "graphql_requests_total", {
        operation: "OpsReport__ledger__0",
        outcome: "ACCOUNT_NOT_FOUND",
      }),
    ).toBe(1);
    // Subgraph fetch latency at the gateway.
    const fetches = (outcome: string) =>
      increase("gateway", "subgraph_fetch_duration_seconds_count", { subgraph: "ledger", outcome });
    expect(fetches("ok")).toBe(1);
    expect(fetches("ACCOUNT_NOT_FOUND")).toBe(1);
  });

  it("When a request has no bearer token, then it is counted as refused, UNAUTHENTICATED, never under a name the caller chose", async () => {
    const labels = { operation: "refused", outcome: "UNAUTHENTICATED" };
    const before = sample(await scrape(stack.gateway.url), "graphql_requests_total", labels);
    const refused = await stack.graphql(OK, {}, { token: null });
    expect(refused.status).toBe(401);
    const after = await scrape(stack.gateway.url);
    expect(sample(after, "graphql_requests_total", labels)).toBe(before + 1);
    expect(after).not.toMatch(/operation="OpsSettlement",outcome="UNAUTHENTICATED"/);
  });

  it("When a payment is posted, then ledger_payments counts one more POSTED, and every payment and transfer status is listed", async () => {
    const account = await openAccount(stack);
    const before = await scrape(stack.ledger.url);
    await fund(stack, account.id, "10.00");
    const after = await scrape(stack.ledger.url);
    expect(sample(after, "ledger_payments", { status: "POSTED" })).toBe(
      sample(before, "ledger_payments", { status: "POSTED" }) + 1,
    );
    for (const status of Object.values(PaymentStatus)) {
      expect(after).toMatch(
        new RegExp(`^ledger_payments\\{status="${status}",service="ledger"\\} \\d+$`, "m"),
      );
    }
    const transfers = await scrape(stack.transfer.url);
    for (const status of Object.values(TransferStatus)) {
      expect(transfers).toMatch(
        new RegExp(`^transfer_transfers\\{status="${status}",service="transfer"\\} \\d+$`, "m"),
      );
    }
  });

  it("When a subscription is open, then the gateway's graphql_subscriptions_active counts it", async () => {
    const client = systemClient();
    try {
      const before = sample(await scrape(stack.gateway.url), "graphql_subscriptions_active");
      client.subscribe(
        { query: `subscription { transferStatusChanged(clientId: "${randomUUID()}") { sequence } }` },
        { next: () => undefined, error: () => undefined, complete: () => undefined },
      );
      await waitFor(() => stack.gateway.subscriptions.stats().subscriptions === before + 1);
      const text = await scrape(stack.gateway.url);
      expect(sample(text, "graphql_subscriptions_active", { service: "gateway" })).toBe(before + 1);
      expect(sample(text, "graphql_ws_connections")).toBeGreaterThanOrEqual(1);
    } finally {
      await client.dispose();
    }
  });

  it("When a relayed subscription event is delivered, then the gateway times its query and its delivery once each", async () => {
    const payer = await openAccount(stack, { clientId: await importClient(stack) });
    const payee = await openAccount(stack, { clientId: await importClient(stack) });
    await fund(stack, payer.id, "20.00");
    const client = systemClient();
    try {
      const listening = stack.transfer.events.size;
      const events = watch(
        client,
        `subscription($accountId: ID) { transferStatusChanged(accountId: $accountId) { sequence transfer { account { balance { available } } } } }`,
        { accountId: payer.id },
      );
      await waitFor(() => stack.transfer.events.size >= listening + 1);
      const before = await scrape(stack.gateway.url);
      const created = await stack.graphql(
        `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { status } }`,
        { input: { debitAccountId: payer.id, creditAccountId: payee.id, amount: "5.00" }, key: randomUUID() },
        { token: await stack.clientToken(payer.clientId) },
      );
      expect(created.data?.createInternalTransfer.status).toBe("COMPLETED");
      await events.until(2);
      const after = await scrape(stack.gateway.url);
      for (const histogram of [
        "gateway_subscription_event_resolution_seconds",
        "gateway_subscription_delivery_seconds",
      ]) {
        expect(sample(after, `${histogram}_count`) - sample(before, `${histogram}_count`)).toBe(2);
        expect(sample(after, `${histogram}_sum`)).toBeGreaterThan(sample(before, `${histogram}_sum`));
      }
    } finally {
      await client.dispose();
    }
  });

  it("When each service is scraped, then it shows its database pool (subgraphs) and the process, every series labelled with the service", async () => {
    for (const [service, url] of Object.entries({
      client: stack.client.url,
      ledger: stack.ledger.url,
      transfer: stack.transfer.url,
    })) {
      const text = await scrape(url);
      expect(sample(text, "db_pool_max_connections", { service })).toBe(stack.config.databasePoolSize);
      expect(sample(text, "db_pool_connections", { service })).toBeGreaterThanOrEqual(1);
      expect(text).toMatch(/^db_pool_idle_connections\{service="\w+"\} \d+$/m);
      expect(text).toMatch(/^db_pool_waiting_requests\{service="\w+"\} \d+$/m);
      expect(sample(text, "process_resident_memory_bytes", { service })).toBeGreaterThan(0);
      const unlabelled = text
        .split("\n")
        .filter((line) => line && !line.startsWith("#") && !line.includes(`service="${service}"`));
      expect(unlabelled).toEqual([]);
    }
    const gateway = await scrape(stack.gateway.url);
    expect(sample(gateway, "process_resident_memory_bytes", { service: "gateway" })).toBeGreaterThan(0);
    expect(gateway).toMatch(/^# TYPE subgraph_fetch_duration_seconds histogram$/m);
  });

  it("When the event loop stalls for 300 ms between two scrapes, then the lag gauges show the stall and, for the ticks on time, a lag near 0 (the monitor's interval taken out)", async () => {
    const lag = (text: string, statistic: string) =>
      sample(text, `nodejs_eventloop_lag_${statistic}_seconds`, { service: "ledger" });
    await scrape(stack.ledger.url); // each scrape starts the next reading afresh
    await new Promise((resolve) => setTimeout(resolve, 600));
    const stalled = Date.now() + 300;
    while (Date.now() < stalled); // the services share this process's event loop
    await new Promise((resolve) => setTimeout(resolve, 600));
    const text = await scrape(stack.ledger.url);
    expect(lag(text, "max")).toBeGreaterThanOrEqual(0.2);
    expect(lag(text, "max")).toBeLessThan(2);
    // Twenty-odd ticks came on time: with the 50 ms interval left in, these would read 0.05.
    expect(lag(text, "p50")).toBeLessThan(0.03);
    expect(lag(text, "min")).toBeLessThan(0.03);
    expect(lag(text, "min")).toBeGreaterThanOrEqual(0);
    expect(lag(text, "mean")).toBeGreaterThan(0);
  });
});
