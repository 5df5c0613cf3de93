/**
 * Issue 12: subscribers share work by what authorisation depends on (every system caller; the
 * front-office callers of one client), whatever their tokens, while the stream's borrowed token
 * moves on when its owner leaves or before it expires; and a subscriber that stops reading is
 * ended with SUBSCRIPTION_INTERRUPTED while one on the same stream keeps receiving.
 */
import { randomUUID } from "node:crypto";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { mintToken } from "../../common/auth/tokens";
import { type GatewayServer, startGateway } from "../../gateway/server";
import { fund, openAccount } from "../helpers/ledger";
import { importClient, type Stack, startStack, testConfig } from "../helpers/stack";
import { connectClient, disposeClients, sleep, waitFor, watch } from "../helpers/subscriptions";
import { READ_TRANSFER } from "../helpers/transfers";

let stack: Stack;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await disposeClients(clients, stack.gateway, 10_000);
});
afterAll(() => stack.stop());

function connect(token: string, gateway: GatewayServer = stack.gateway): Client {
  return connectClient(gateway, token, clients);
}

const operator = (expiresIn = "1h") =>
  mintToken(stack.config.auth, { kind: "system", subject: `operator-${randomUUID()}` }, expiresIn);
const user = (clientId: string) =>
  mintToken(stack.config.auth, { kind: "client", subject: `user-${randomUUID()}`, clientId });

const WATCH = `subscription { transferStatusChanged { transferId sequence status } }`;

/** A funded account of a new client. */
async function fundedAccount(clientId?: string) {
  const account = await openAccount(stack, { clientId: clientId ?? (await importClient(stack)) });
  await fund(stack, account.id, "100.00");
  return account;
}

/** An internal transfer from `from` to a new account; it runs to COMPLETED at once. */
async function internalTransfer(from: { id: string }): Promise<string> {
  const to = await openAccount(stack);
  const result = await stack.graphql(
    `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id } }`,
    { input: { debitAccountId: from.id, creditAccountId: to.id, amount: "1.00" }, key: randomUUID() },
  );
  if (!result.data?.createInternalTransfer) throw new Error(JSON.stringify(result.errors));
  return result.data.createInternalTransfer.id as string;
}

async function history(id: string): Promise<Array<[string, number, string]>> {
  const read = await stack.graphql(READ_TRANSFER, { id });
  return read.data!.transfer.statusHistory.map((h: any) => [id, h.sequence, h.to]);
}

const asEvents = (events: any[], ids: string[]) =>
  events.filter((e) => ids.includes(e.transferId)).map((e) => [e.transferId, e.sequence, e.status]);

async function streams(expected: { upstreamSubscriptions: number; upstreamConnections: number }) {
  await waitFor(() => {
    const stats = stack.gateway.subscriptions.stats();
    return (
      stats.upstreamSubscriptions === expected.upstreamSubscriptions &&
      stats.upstreamConnections === expected.upstreamConnections
    );
  }, 10_000);
}

describe("sharing by what authorisation depends on", () => {
  it("When two operators with different system tokens subscribe, then they share one upstream stream and both receive every event", async () => {
    const [first, second] = await Promise.all([operator(), operator()]);
    const watchers = [watch(connect(first), WATCH), watch(connect(second), WATCH)];
    await waitFor(() => stack.gateway.subscriptions.stats().subscriptions === 2);
    await streams({ upstreamSubscriptions: 1, upstreamConnections: 1 });

    const account = await fundedAccount();
    const id = await internalTransfer(account);
    const recorded = await history(id);
    for (const watcher of watchers) {
      await waitFor(() => asEvents(watcher.events, [id]).length >= recorded.length);
      await sleep(100);
      expect(asEvents(watcher.events, [id])).toEqual(recorded);
      expect(watcher.errors).toEqual([]);
    }
    expect(stack.gateway.subscriptions.stats().upstreamSubscriptions).toBe(1);
  });

  it("When two users of one client subscribe, then they share; a user of another client does not, and sees only its own", async () => {
    const [mine, theirs] = await Promise.all([importClient(stack), importClient(stack)]);
    const [a, b, other] = await Promise.all([user(mine), user(mine), user(theirs)]);
    const same = [watch(connect(a), WATCH), watch(connect(b), WATCH)];
    await waitFor(() => stack.gateway.subscriptions.stats().subscriptions === 2);
    await streams({ upstreamSubscriptions: 1, upstreamConnections: 1 });
    const outsider = watch(connect(other), WATCH);
    await streams({ upstreamSubscriptions: 2, upstreamConnections: 2 });

    const id = await internalTransfer(await fundedAccount(mine));
    const recorded = await history(id);
    for (const watcher of same) await watcher.until(recorded.length);
    await sleep(300);
    for (const watcher of same) expect(asEvents(watcher.events, [id])).toEqual(recorded);
    expect(outsider.events.filter((e: any) => e.transferId === id)).toEqual([]);
  });

  it("When the operator whose token the stream uses leaves, then the stream moves to another's token and the others keep receiving", async () => {
    const [first, second] = await Promise.all([operator(), operator("2h")]);
    const firstClient = connect(first);
    watch(firstClient, WATCH);
    await streams({ upstreamSubscriptions: 1, upstreamConnections: 1 });
    const staying = watch(connect(second), WATCH);
    await waitFor(() => stack.gateway.subscriptions.stats().subscriptions === 2);

    await firstClient.dispose();
    // The new upstream subscription opens at once; the old one goes after the overlap.
    await waitFor(() => stack.gateway.subscriptions.stats().subscriptions === 1);
    await streams({ upstreamSubscriptions: 1, upstreamConnections: 1 });

    const id = await internalTransfer(await fundedAccount());
    const recorded = await history(id);
    await staying.until(recorded.length);
    await sleep(200);
    expect(asEvents(staying.events, [id])).toEqual(recorded);
    expect(staying.errors).toEqual([]);
  });

  it("When the token the stream uses is about to expire, then the stream moves to a later one before, with nothing lost or repeated, and keeps going after the first socket closes with 4403", async () => {
    // HANDOVER_LEAD_MS is 10 s: a token of 12 s is handed over about 2 s after it opened the stream.
    const [brief, lasting] = await Promise.all([operator("12s"), operator("2h")]);
    const closed = new Promise<number>((resolve) => {
      const client = createClient({
        url: stack.gateway.url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${brief}` },
        lazy: false,
        retryAttempts: 0,
        onNonLazyError: () => undefined,
        on: { closed: (event) => resolve((event as { code: number }).code) },
      });
      clients.push(client);
      watch(client, WATCH);
    });
    await streams({ upstreamSubscriptions: 1, upstreamConnections: 1 });
    const staying = watch(connect(lasting), WATCH);
    await waitFor(() => stack.gateway.subscriptions.stats().subscriptions === 2);

    const account = await fundedAccount();
    const ids: string[] = [];
    const deadline = Date.now() + 13_000;
    while (Date.now() < deadline) {
      ids.push(await internalTransfer(account)); // across the handover and the expiry
      await sleep(1_000);
    }
    expect(await closed).toBe(4403);
    ids.push(await internalTransfer(account));
    const recorded = (await Promise.all(ids.map(history))).flat();
    await waitFor(() => asEvents(staying.events, ids).length >= recorded.length, 10_000);
    await sleep(300);
    expect(asEvents(staying.events, ids)).toEqual(recorded);
    expect(staying.errors).toEqual([]);
    expect(stack.gateway.subscriptions.stats()).toMatchObject({
      subscriptions: 1,
      upstreamSubscriptions: 1,
      upstreamConnections: 1,
    });
  }, 40_000);
});

describe("a bounded backlog per subscriber", () => {
  const MAX_BACKLOG_BYTES = 64 * 1024;
  const SLOW_SUBSCRIPTIONS = 20;
  let gateway: GatewayServer;
  beforeAll(async () => {
    const config = testConfig();
    config.subscriptions = {
      ...config.subscriptions,
      maxPerConnection: SLOW_SUBSCRIPTIONS,
      maxBacklogBytes: MAX_BACKLOG_BYTES,
    };
    gateway = await startGateway(config, {
      subgraphUrls: { client: stack.client.url, ledger: stack.ledger.url, transfer: stack.transfer.url },
    });
  });
  afterAll(() => gateway.stop());

  const FIELDS =
    "id kind type status clientId accountId amount currency paymentId railReference counterpartyName";
  // About 10 KB per event (29 aliases: the event query aliases its root too, 30 in all), so that the slow socket's operating-system buffers (a few MB) fill soon.
  const BULKY = `subscription { transferStatusChanged { transferId sequence status
    ${Array.from({ length: 29 }, (_, i) => `t${i}: transfer { ${FIELDS} }`).join("\n")} } }`;

  it("When a consumer stops reading, then it is ended with SUBSCRIPTION_INTERRUPTED naming WS_MAX_BACKLOG_BYTES, while a fast one on the same stream keeps receiving promptly", async () => {
    const token = await operator();
    const fast = watch(connect(token, gateway), BULKY);
    const slow = new WebSocket(gateway.url.replace(/^http/, "ws"), "graphql-transport-ws");
    const messages: any[] = [];
    let binaryFrames = 0;
    slow.on("message", (data, isBinary) => {
      if (isBinary) binaryFrames++;
      messages.push(JSON.parse(String(data)));
    });
    await new Promise((resolve) => slow.once("open", resolve));
    slow.send(JSON.stringify({ type: "connection_init", payload: { token } }));
    await waitFor(() => messages.some((m) => m.type === "connection_ack"));
    for (let i = 0; i < SLOW_SUBSCRIPTIONS; i++) {
      slow.send(JSON.stringify({ id: `s${i}`, type: "subscribe", payload: { query: BULKY } }));
    }
    await waitFor(() => gateway.subscriptions.stats().subscriptions === 1 + SLOW_SUBSCRIPTIONS);
    expect(gateway.subscriptions.stats().upstreamSubscriptions).toBe(1);
    slow.pause(); // stops reading: its socket buffers fill, then the gateway's

    const account = await fundedAccount();
    const ids: string[] = [];
    while (gateway.subscriptions.stats().subscriptions > 1 && ids.length < 60) {
      ids.push(await internalTransfer(account));
    }
    expect(fast.errors).toEqual([]);
    expect(gateway.subscriptions.stats().subscriptions).toBe(1);

    const started = Date.now();
    ids.push(await internalTransfer(account));
    const recorded = (await Promise.all(ids.map(history))).flat();
    await waitFor(() => asEvents(fast.events, ids).length >= recorded.length, 10_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(asEvents(fast.events, ids)).toEqual(recorded);
    expect(fast.errors).toEqual([]);

    slow.resume();
    await waitFor(() => messages.filter((m) => m.type === "error").length === SLOW_SUBSCRIPTIONS, 10_000);
    for (const message of messages.filter((m) => m.type === "error")) {
      expect(message.payload).toEqual([
        expect.objectContaining({
          extensions: { code: "SUBSCRIPTION_INTERRUPTED" },
          message: expect.stringContaining("WS_MAX_BACKLOG_BYTES"),
        }),
      ]);
    }
    // Every subscription of the socket got its own `next` messages (each id's bytes are built once
    // per result and shared by the sockets using that id), as text frames like any graphql-ws message.
    const nexts = messages.filter((m) => m.type === "next");
    expect(new Set(nexts.map((m) => m.id))).toEqual(
      new Set(Array.from({ length: SLOW_SUBSCRIPTIONS }, (_, i) => `s${i}`)),
    );
    expect(nexts.every((m) => m.payload.data.transferStatusChanged.t0.id)).toBe(true);
    expect(binaryFrames).toBe(0);
    slow.terminate();
    await disposeClients(clients, gateway);
  }, 60_000);
});
