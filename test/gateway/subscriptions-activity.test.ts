/**
 * Real-time balances through the gateway (decision 0030), with real graphql-ws clients: the
 * ledger's accountActivity, relayed from the ledger subgraph (the supergraph names it), each
 * posted entry and hold with the balances after it, resolved through the supergraph (the
 * account's client's name from the client subgraph); resumed from a sequence with every missed
 * activity once, also after the ledger restarted; FORBIDDEN for another client's account; any
 * account for a system caller; in commit order under concurrent payments.
 */
import { randomUUID } from "node:crypto";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import pg from "pg";
import { mintToken } from "../../common/auth/tokens";
import { startGateway } from "../../gateway/server";
import { startLedgerSubgraph } from "../../subgraphs/ledger/server";
import {
  CREATE_DRAFT,
  CREATE_PAYMENT,
  fund,
  openAccount,
  paymentInput,
  settlementAccountId,
  transition,
} from "../helpers/ledger";
import { startTcpProxy } from "../helpers/faults";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { disposeClients, sleep, waitFor, watch } from "../helpers/subscriptions";

let stack: Stack;
let wsUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startStack();
  wsUrl = stack.gateway.url.replace(/^http/, "ws");
});
afterEach(async () => {
  await disposeClients(clients, stack.gateway);
});
afterAll(() => stack.stop());

function connect(token: string, url = wsUrl): Client {
  const client = createClient({
    url,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

const ACTIVITY = `subscription Activity($accountId: ID!, $afterSequence: ID) {
  accountActivity(accountId: $accountId, afterSequence: $afterSequence) {
    accountId sequence kind paymentId postedChange pendingChange
    balance { posted pending available currency }
    account { number client { firstName } }
  }
}`;

interface Activity {
  accountId: string;
  sequence: string;
  kind: string;
  paymentId: string | null;
  postedChange: string;
  pendingChange: string;
  balance: { posted: string; pending: string; available: string; currency: string };
  account: { number: string; client: { firstName: string } | null };
}

/** What matters of an activity: its kind, changes and balances after it. */
const summary = (a: Activity) =>
  `${a.sequence} ${a.kind} ${a.postedChange}/${a.pendingChange} -> ${a.balance.posted} ${a.balance.pending} ${a.balance.available}`;

async function pay(from: string, to: string, amount: string): Promise<string> {
  const result = await stack.graphql(CREATE_PAYMENT, {
    input: paymentInput(from, to, amount),
    key: randomUUID(),
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.createPayment.id as string;
}

async function draft(from: string, to: string, amount: string): Promise<string> {
  const result = await stack.graphql(CREATE_DRAFT, {
    input: paymentInput(from, to, amount),
    key: randomUUID(),
  });
  if (result.errors) throw new Error(JSON.stringify(result.errors));
  return result.data!.createDraftPayment.id as string;
}

/** Waits until the ledger holds `count` more open activity streams than `before`. */
const streamsOpen = (before: number, count = 1) =>
  waitFor(() => stack.ledger.activity.size >= before + count);

describe("accountActivity through the gateway", () => {
  it("When a payment is posted and holds are placed, released and posted, then the owner hears each with the balances after it, and the account's client by name", async () => {
    const clientId = await importClient(stack, { firstName: "Erika" });
    const account = await openAccount(stack, { clientId });
    const payee = await openAccount(stack, { clientId: await importClient(stack) });
    const before = stack.ledger.activity.size;
    const owner = watch<Activity>(
      connect(await stack.clientToken(clientId)),
      ACTIVITY,
      { accountId: account.id },
      "accountActivity",
    );
    await streamsOpen(before);

    await fund(stack, account.id, "100.00");
    const released = await draft(account.id, payee.id, "30.00");
    expect((await transition(stack, "pend", released)).errors).toBeUndefined();
    expect((await transition(stack, "cancel", released)).errors).toBeUndefined();
    const posted = await draft(account.id, payee.id, "25.50");
    expect((await transition(stack, "pend", posted)).errors).toBeUndefined();
    expect((await transition(stack, "post", posted)).errors).toBeUndefined();
    await owner.until(5);
    await sleep(200);

    expect(owner.errors).toEqual([]);
    expect(owner.events.map(summary)).toEqual([
      "1 ENTRY_POSTED 100.00/0.00 -> 100.00 0.00 100.00",
      "2 HOLD_PLACED 0.00/30.00 -> 100.00 30.00 70.00",
      "3 HOLD_RELEASED 0.00/-30.00 -> 100.00 0.00 100.00",
      "4 HOLD_PLACED 0.00/25.50 -> 100.00 25.50 74.50",
      "5 HOLD_POSTED -25.50/-25.50 -> 74.50 0.00 74.50",
    ]);
    expect(owner.events.map((a) => a.paymentId).slice(1)).toEqual([released, released, posted, posted]);
    expect(owner.events[0]).toMatchObject({
      accountId: account.id,
      balance: { currency: "EUR" },
      account: { number: account.number, client: { firstName: "Erika" } },
    });
  });

  it("When a subscriber resumes after the last sequence it saw, then it gets every activity it missed once, in order, and then live ones", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    const token = await stack.clientToken(account.clientId);
    const before = stack.ledger.activity.size;
    const first = watch<Activity>(connect(token), ACTIVITY, { accountId: account.id }, "accountActivity");
    await streamsOpen(before);
    await fund(stack, account.id, "10.00");
    await fund(stack, account.id, "20.00");
    await first.until(2);
    const lastSeen = first.events[1].sequence;
    await disposeClients(clients, stack.gateway);

    await fund(stack, account.id, "1.00");
    await fund(stack, account.id, "2.00");
    await fund(stack, account.id, "3.00");
    const resumed = watch<Activity>(
      connect(token),
      ACTIVITY,
      { accountId: account.id, afterSequence: lastSeen },
      "accountActivity",
    );
    await resumed.until(3);
    await fund(stack, account.id, "4.00");
    await resumed.until(4);
    await sleep(300);

    expect(resumed.errors).toEqual([]);
    expect(resumed.events.map((a) => `${a.sequence} ${a.postedChange} -> ${a.balance.posted}`)).toEqual([
      "3 1.00 -> 31.00",
      "4 2.00 -> 33.00",
      "5 3.00 -> 36.00",
      "6 4.00 -> 40.00",
    ]);
  });

  it("When an app reads an account's balance with its activitySequence and subscribes after it, then it follows the balance from that read with nothing missed or repeated", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    const token = await stack.clientToken(account.clientId);
    await fund(stack, account.id, "10.00");
    const snapshot = await stack.graphql(
      `query($id: ID!) { account(id: $id) { activitySequence balance { posted available } } }`,
      { id: account.id },
      { token },
    );
    expect(snapshot.data!.account).toEqual({
      activitySequence: "1",
      balance: { posted: "10.00", available: "10.00" },
    });
    await fund(stack, account.id, "5.00"); // after the read, before the subscription

    const afterSequence = snapshot.data!.account.activitySequence;
    const watcher = watch<Activity>(
      connect(token),
      ACTIVITY,
      { accountId: account.id, afterSequence },
      "accountActivity",
    );
    await watcher.until(1);
    await fund(stack, account.id, "1.00");
    await watcher.until(2);
    await sleep(200);
    expect(watcher.events.map((a) => `${a.sequence} ${a.balance.posted}`)).toEqual(["2 15.00", "3 16.00"]);
  });

  it("When a front-office caller names another client's account or a bank account, then it is FORBIDDEN; a system caller sees any account (ACCOUNT_NOT_FOUND for none)", async () => {
    const mine = await openAccount(stack, { clientId: await importClient(stack) });
    const theirs = await openAccount(stack, { clientId: await importClient(stack) });
    const settlement = await settlementAccountId(stack);
    const token = await stack.clientToken(mine.clientId);
    const refused = watch(connect(token), ACTIVITY, { accountId: theirs.id }, "accountActivity");
    const bank = watch(connect(token), ACTIVITY, { accountId: settlement }, "accountActivity");
    const unknown = watch(connect(token), ACTIVITY, { accountId: randomUUID() }, "accountActivity");
    await waitFor(() => refused.completed() && bank.completed() && unknown.completed());
    for (const watcher of [refused, bank, unknown]) {
      expect(watcher.events).toEqual([]);
      expect(watcher.errors).toEqual([
        expect.objectContaining({ extensions: expect.objectContaining({ code: "FORBIDDEN" }) }),
      ]);
    }

    const missing = watch(
      connect(stack.systemToken),
      ACTIVITY,
      { accountId: randomUUID() },
      "accountActivity",
    );
    await waitFor(missing.completed);
    expect(missing.errors).toEqual([
      expect.objectContaining({ extensions: expect.objectContaining({ code: "ACCOUNT_NOT_FOUND" }) }),
    ]);

    const before = stack.ledger.activity.size;
    const system = connect(stack.systemToken);
    const client = watch<Activity>(system, ACTIVITY, { accountId: theirs.id }, "accountActivity");
    const bankSide = watch<Activity>(system, ACTIVITY, { accountId: settlement }, "accountActivity");
    await streamsOpen(before, 2);
    await fund(stack, theirs.id, "7.00");
    await client.until(1);
    await bankSide.until(1);
    expect(client.events[0]).toMatchObject({
      kind: "ENTRY_POSTED",
      postedChange: "7.00",
      balance: { posted: "7.00" },
    });
    expect(bankSide.events[0]).toMatchObject({
      kind: "ENTRY_POSTED",
      postedChange: "-7.00",
      account: { client: null },
    });
  });

  it("When payments into one account commit concurrently, then its activity arrives once each, numbered without gap, each balance the previous one plus its change", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    const before = stack.ledger.activity.size;
    const watcher = watch<Activity>(
      connect(stack.systemToken),
      ACTIVITY,
      { accountId: account.id },
      "accountActivity",
    );
    await streamsOpen(before);
    const settlement = await settlementAccountId(stack);
    await Promise.all(Array.from({ length: 20 }, (_, i) => pay(settlement, account.id, `${i + 1}.00`)));
    await watcher.until(20);
    await sleep(200);

    expect(watcher.events.map((a) => a.sequence)).toEqual(
      Array.from({ length: 20 }, (_, i) => String(i + 1)),
    );
    let posted = 0;
    for (const activity of watcher.events) {
      posted += Number(activity.postedChange);
      expect(Number(activity.balance.posted)).toBe(posted);
    }
    expect(posted).toBe(210);
  });

  it("When operators with different system tokens, and two users of one client, watch an account, then each group shares one upstream subscription", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    const operators = await Promise.all(
      ["ops-1", "ops-2"].map((subject) => mintToken(stack.config.auth, { kind: "system", subject })),
    );
    const users = await Promise.all(
      ["user-a", "user-b"].map((subject) =>
        mintToken(stack.config.auth, { kind: "client", subject, clientId: account.clientId }),
      ),
    );
    const before = stack.ledger.activity.size;
    const watchers = [...operators, ...users].map((token) =>
      watch<Activity>(connect(token), ACTIVITY, { accountId: account.id }, "accountActivity"),
    );
    await streamsOpen(before, 2);
    expect(stack.gateway.subscriptions.stats()).toMatchObject({ subscriptions: 4, upstreamSubscriptions: 2 });
    await fund(stack, account.id, "3.00");
    for (const watcher of watchers) await watcher.until(1);
    await sleep(200);
    expect(stack.ledger.activity.size).toBe(before + 2);
    expect(watchers.map((w) => w.events.map(summary))).toEqual(
      Array(4).fill(["1 ENTRY_POSTED 3.00/0.00 -> 3.00 0.00 3.00"]),
    );
  });

  it("When the ledger's LISTEN connection is lost, then what committed meanwhile still arrives, once and in order", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    const before = stack.ledger.activity.size;
    const watcher = watch<Activity>(
      connect(stack.systemToken),
      ACTIVITY,
      { accountId: account.id },
      "accountActivity",
    );
    await streamsOpen(before);
    await fund(stack, account.id, "1.00");
    await watcher.until(1);
    const admin = new pg.Client({ connectionString: stack.databaseUrl });
    await admin.connect();
    try {
      const killed = await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE application_name = 'listen:ledger_activity' AND datname = current_database()`,
      );
      expect(killed.rowCount).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // Committed while no LISTEN connection hears them (it comes back after a backoff).
    await fund(stack, account.id, "2.00");
    await fund(stack, account.id, "3.00");
    await watcher.until(3);
    await fund(stack, account.id, "4.00");
    await watcher.until(4);
    await sleep(300);
    expect(watcher.errors).toEqual([]);
    expect(watcher.events.map((a) => `${a.sequence} ${a.balance.posted}`)).toEqual([
      "1 1.00",
      "2 3.00",
      "3 6.00",
      "4 10.00",
    ]);
  });

  it("When a ledger instance's first subscriber is paid while that instance's LISTEN is under way, then the subscriber still gets the payment, once", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    // A ledger instance of its own (it LISTENs from its first subscription on: decision 0054),
    // whose connections pass a proxy that holds its LISTEN back.
    const proxy = await startTcpProxy(stack.databaseUrl);
    const ledger = await startLedgerSubgraph(stack.config, proxy.url);
    const gateway = await startGateway(stack.config, {
      subgraphUrls: { client: stack.client.url, ledger: ledger.url, transfer: stack.transfer.url },
    });
    try {
      const listen = proxy.intercept("LISTEN ledger_activity", "hold");
      const watcher = watch<Activity>(
        connect(stack.systemToken, gateway.url.replace(/^http/, "ws")),
        ACTIVITY,
        { accountId: account.id },
        "accountActivity",
      );
      await listen.seen;
      await fund(stack, account.id, "1.00"); // through the stack's ledger, while this one's LISTEN waits
      listen.release();
      await watcher.until(1);
      await fund(stack, account.id, "2.00");
      await watcher.until(2);
      await sleep(300);
      expect(watcher.errors).toEqual([]);
      expect(watcher.events.map((a) => `${a.sequence} ${a.balance.posted}`)).toEqual(["1 1.00", "2 3.00"]);
    } finally {
      await disposeClients(clients);
      await gateway.stop();
      await ledger.stop();
      await proxy.close();
    }
  });

  it("When a ledger instance restarts, then its subscription ends SUBSCRIPTION_INTERRUPTED, and resuming from the last sequence gets what was missed meanwhile once", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    const token = await stack.clientToken(account.clientId);
    const config = stack.config;
    // A ledger instance of its own behind a gateway of its own; payments go through the stack's
    // ledger (another instance on the same database), which keeps working meanwhile.
    let ledger = await startLedgerSubgraph(config, stack.databaseUrl);
    const port = ledger.port;
    const gateway = await startGateway(config, {
      subgraphUrls: { client: stack.client.url, ledger: ledger.url, transfer: stack.transfer.url },
    });
    const url = gateway.url.replace(/^http/, "ws");
    try {
      const watcher = watch<Activity>(
        connect(token, url),
        ACTIVITY,
        { accountId: account.id },
        "accountActivity",
      );
      await waitFor(() => ledger.activity.size === 1);
      await fund(stack, account.id, "5.00");
      await watcher.until(1);

      await ledger.stop();
      await waitFor(watcher.completed);
      expect(watcher.errors).toEqual([
        expect.objectContaining({ extensions: { code: "SUBSCRIPTION_INTERRUPTED" } }),
      ]);
      await fund(stack, account.id, "6.00");
      await fund(stack, account.id, "7.00");
      ledger = await startLedgerSubgraph(
        { ...config, subgraphs: { ...config.subgraphs, ledger: { ...config.subgraphs.ledger, port } } },
        stack.databaseUrl,
      );

      const afterSequence = watcher.events[0].sequence;
      const resumed = watch<Activity>(
        connect(token, url),
        ACTIVITY,
        { accountId: account.id, afterSequence },
        "accountActivity",
      );
      await resumed.until(2);
      await fund(stack, account.id, "8.00");
      await resumed.until(3);
      await sleep(300);
      expect(resumed.errors).toEqual([]);
      expect(resumed.events.map((a) => `${a.sequence} ${a.balance.posted}`)).toEqual([
        "2 11.00",
        "3 18.00",
        "4 26.00",
      ]);
    } finally {
      await disposeClients(clients);
      await gateway.stop();
      await ledger.stop();
    }
  });
});
