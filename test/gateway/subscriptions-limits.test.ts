/**
 * The limits of the gateway's graphql-ws endpoint: connections per gateway and per caller (token
 * subject), operations per connection and per caller (and per client for front-office tokens),
 * and client keep-alive. A refused connection closes with 1013 (try again later), which
 * graphql-ws clients retry; a refused operation answers TOO_MANY_SUBSCRIPTIONS.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { mintToken } from "../../common/auth/tokens";
import { type GatewayServer, startGateway } from "../../gateway/server";
import { ConnectionRegistry } from "../../gateway/subscriptions/connections";
import { type Stack, startStack, testConfig } from "../helpers/stack";
import {
  connectClient,
  disposeClients,
  idle,
  sleep,
  STATUS_CHANGED,
  waitFor,
  watch,
} from "../helpers/subscriptions";

const LIMITS = {
  maxConnections: 4,
  maxPerConnection: 2,
  maxConnectionsPerCaller: 2,
  maxPerCaller: 3,
  keepAliveMs: 100,
  maxBacklogEvents: 1_000,
  maxBacklogBytes: 4 * 1024 * 1024,
};

let stack: Stack;
let gateway: GatewayServer;
let url: string;
const clients: Client[] = [];
const rawSockets: WebSocket[] = [];
beforeAll(async () => {
  stack = await startStack();
  gateway = await startGateway(
    { ...testConfig(), subscriptions: LIMITS },
    { subgraphUrls: { client: stack.client.url, ledger: stack.ledger.url, transfer: stack.transfer.url } },
  );
  url = gateway.url.replace(/^http/, "ws");
});
afterEach(async () => {
  await disposeClients(clients);
  for (const socket of rawSockets.splice(0)) socket.terminate();
  await waitFor(() => idle(gateway));
});
afterAll(async () => {
  await gateway.stop();
  await stack.stop();
});

function connect(token: string): Client {
  return connectClient(gateway, token, clients);
}

/** A raw socket that sends connection_init with `token`: resolves "ack" (socket left open) or how it closed. */
function initialise(token: string) {
  return new Promise<"ack" | { code: number; reason: string }>((resolve) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    rawSockets.push(socket);
    socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: { token } })));
    socket.on("message", (data) => {
      if (JSON.parse(String(data)).type === "connection_ack") resolve("ack");
    });
    socket.on("close", (code, reason) => resolve({ code, reason: String(reason) }));
  });
}

/** A raw socket that opens and says nothing (it holds a connection until connection_init times out). */
function openSilently() {
  return new Promise<WebSocket>((resolve) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    rawSockets.push(socket);
    socket.on("open", () => resolve(socket));
  });
}

const frontOffice = (clientId: string, subject = `user-${randomUUID()}`) =>
  mintToken(stack.config.auth, { kind: "client", subject, clientId });

describe("limits per connection and per gateway", () => {
  it("When a connection asks for more subscriptions than allowed, then that one is refused naming the limit", async () => {
    const client = connect(stack.systemToken);
    const first = watch(client, STATUS_CHANGED, { clientId: randomUUID() });
    const second = watch(client, STATUS_CHANGED, { clientId: randomUUID() });
    await waitFor(() => gateway.subscriptions.stats().subscriptions === 2);
    const third = watch(client, STATUS_CHANGED, { clientId: randomUUID() });
    await waitFor(() => third.completed());
    expect(third.errors[0]).toMatchObject({
      message: expect.stringContaining("WS_MAX_SUBSCRIPTIONS_PER_CONNECTION"),
      extensions: { code: "TOO_MANY_SUBSCRIPTIONS" },
    });
    expect(first.completed() || second.completed()).toBe(false);
  });

  it("When the gateway holds its maximum of connections, then a new one is closed with 1013 naming the limit", async () => {
    await Promise.all([1, 2, 3, 4].map(openSilently));
    const refused = await new Promise<{ code: number; reason: string }>((resolve) => {
      const socket = new WebSocket(url, "graphql-transport-ws");
      socket.on("close", (code, reason) => resolve({ code, reason: String(reason) }));
    });
    expect(refused).toEqual({ code: 1013, reason: expect.stringContaining("(WS_MAX_CONNECTIONS)") });
  });

  it("When the gateway is full, then a graphql-ws client that retries is refused with 1013 and connects once a socket is free", async () => {
    const open = await Promise.all([1, 2, 3, 4].map(openSilently));
    const closes: number[] = [];
    let connected = false;
    const client = createClient({
      url,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.systemToken}` },
      lazy: false,
      retryAttempts: 20,
      retryWait: async () => {
        await sleep(50);
      },
      on: {
        closed: (event) => closes.push((event as { code: number }).code),
        connected: () => (connected = true),
      },
    });
    clients.push(client);
    await waitFor(() => closes.length >= 2);
    expect(connected).toBe(false);
    open[0].terminate();
    await waitFor(() => connected);
    expect(new Set(closes)).toEqual(new Set([1013]));
  });

  it("When a socket stops answering pings, then it is terminated; one that answers stays", async () => {
    const open = (autoPong: boolean) =>
      new Promise<{ socket: WebSocket; closedWith: () => number | undefined }>((resolve) => {
        let code: number | undefined;
        const socket = new WebSocket(url, "graphql-transport-ws", { autoPong });
        rawSockets.push(socket);
        socket.on("close", (closed) => (code = closed));
        socket.on("open", () => {
          socket.send(JSON.stringify({ type: "connection_init", payload: { token: stack.systemToken } }));
          resolve({ socket, closedWith: () => code });
        });
      });
    const silent = await open(false);
    const answering = await open(true);
    await waitFor(() => silent.closedWith() !== undefined, 2_000);
    expect(silent.closedWith()).toBe(1006); // no close frame: terminated, not waiting for a handshake
    await sleep(400); // several keep-alive rounds
    expect(answering.closedWith()).toBeUndefined();
  });
});

describe("limits per caller", () => {
  it("When one token opens more sockets than WS_MAX_CONNECTIONS_PER_CALLER, then the extra one is closed with 1013 naming the limit, and another caller still connects", async () => {
    const subject = `sys-${randomUUID()}`;
    const token = await mintToken(stack.config.auth, { kind: "system", subject });
    expect(await initialise(token)).toBe("ack");
    expect(await initialise(token)).toBe("ack");
    expect(await initialise(token)).toEqual({
      code: 1013,
      reason: expect.stringContaining("WS_MAX_CONNECTIONS_PER_CALLER"),
    });
    // Another subject is counted apart; a token of the same subject is the same caller.
    expect(await initialise(stack.systemToken)).toBe("ack");
    const again = await mintToken(stack.config.auth, { kind: "system", subject }, "2h");
    expect(await initialise(again)).toMatchObject({ code: 1013 });
    // A socket that closes gives its slot back.
    rawSockets[0].close();
    await waitFor(() => gateway.subscriptions.stats().connections === 2);
    expect(await initialise(token)).toBe("ack");
  });

  it("When refused clients never answer the close frame, then they hold no slot: another caller still connects", async () => {
    const subject = `sys-${randomUUID()}`;
    const token = await mintToken(stack.config.auth, { kind: "system", subject });
    expect(await initialise(token)).toBe("ack");
    expect(await initialise(token)).toBe("ack");
    // Two more of the same caller, each refused, whose clients stop reading (so never answer the close).
    for (let i = 0; i < 2; i++) {
      const socket = new WebSocket(url, "graphql-transport-ws");
      rawSockets.push(socket);
      await new Promise((resolve) => socket.on("open", resolve));
      socket.send(JSON.stringify({ type: "connection_init", payload: { token } }));
      (socket as unknown as { _socket: { pause(): void } })._socket.pause();
    }
    await sleep(100);
    // The gateway's 4 connections: the caller's 2 only; a newcomer gets the third at once.
    expect(gateway.subscriptions.stats().connections).toBe(2);
    expect(await initialise(stack.systemToken)).toBe("ack");
  });

  it("When one token opens several sockets at the same moment, then exactly WS_MAX_CONNECTIONS_PER_CALLER are accepted", async () => {
    const token = await mintToken(stack.config.auth, { kind: "system", subject: `sys-${randomUUID()}` });
    const answers = await Promise.all([1, 2, 3, 4].map(() => initialise(token)));
    expect(answers.filter((answer) => answer === "ack")).toHaveLength(2);
    expect(answers.filter((answer) => answer !== "ack")).toEqual([
      { code: 1013, reason: expect.stringContaining("WS_MAX_CONNECTIONS_PER_CALLER") },
      { code: 1013, reason: expect.stringContaining("WS_MAX_CONNECTIONS_PER_CALLER") },
    ]);
  });

  it("When a caller's subscriptions across its sockets exceed WS_MAX_SUBSCRIPTIONS_PER_CALLER, then the one over answers TOO_MANY_SUBSCRIPTIONS; one that ends frees its slot", async () => {
    const token = await mintToken(stack.config.auth, { kind: "system", subject: `sys-${randomUUID()}` });
    const [one, two] = [connect(token), connect(token)];
    const held = [
      watch(one, STATUS_CHANGED, { clientId: randomUUID() }),
      watch(one, STATUS_CHANGED, { clientId: randomUUID() }),
      watch(two, STATUS_CHANGED, { clientId: randomUUID() }),
    ];
    await waitFor(() => gateway.subscriptions.stats().subscriptions === 3);
    const over = watch(two, STATUS_CHANGED, { clientId: randomUUID() });
    await waitFor(over.completed);
    expect(over.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("WS_MAX_SUBSCRIPTIONS_PER_CALLER"),
        extensions: { code: "TOO_MANY_SUBSCRIPTIONS" },
      }),
    ]);
    // Another caller is not affected.
    const other = watch(connect(stack.systemToken), STATUS_CHANGED, { clientId: randomUUID() });
    await waitFor(() => gateway.subscriptions.stats().subscriptions === 4);
    expect(other.completed()).toBe(false);

    // A socket that drops gives back its operations' slots.
    await one.dispose();
    await waitFor(() => gateway.subscriptions.stats().subscriptions === 2);
    const more = [
      watch(two, STATUS_CHANGED, { clientId: randomUUID() }),
      watch(connect(token), STATUS_CHANGED, { clientId: randomUUID() }),
    ];
    await waitFor(() => gateway.subscriptions.stats().subscriptions === 4);
    expect(more.some((watcher) => watcher.completed()) || held[2].completed()).toBe(false);
  });

  it("When a client's front-office users together exceed WS_MAX_SUBSCRIPTIONS_PER_CALLER, then the one over answers TOO_MANY_SUBSCRIPTIONS naming the client", async () => {
    const clientId = randomUUID();
    const [ann, bob] = [connect(await frontOffice(clientId)), connect(await frontOffice(clientId))];
    watch(ann, STATUS_CHANGED);
    watch(ann, STATUS_CHANGED);
    watch(bob, STATUS_CHANGED);
    await waitFor(() => gateway.subscriptions.stats().subscriptions === 3);
    const over = watch(bob, STATUS_CHANGED);
    await waitFor(over.completed);
    expect(over.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("client's front-office callers"),
        extensions: { code: "TOO_MANY_SUBSCRIPTIONS" },
      }),
    ]);
    // Another client's user is counted apart.
    const elsewhere = watch(connect(await frontOffice(randomUUID())), STATUS_CHANGED);
    await waitFor(() => gateway.subscriptions.stats().subscriptions === 4);
    expect(elsewhere.completed()).toBe(false);
  });
});

describe("stopping with refused sockets", () => {
  it("When a refused client never answers its close frame, then stopping does not wait out its grace", async () => {
    const server = http.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const registry = new ConnectionRegistry({
      httpServer: server,
      http: testConfig().http,
      path: "/graphql",
      limits: { maxConnections: 0, maxConnectionsPerCaller: 1, keepAliveMs: 60_000 },
      callers: { connect: () => undefined },
    });
    // A client that upgrades, is refused (the gateway holds no socket at all), then says nothing.
    const raw = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
    await new Promise<void>((resolve) => raw.once("connect", () => resolve()));
    raw.write(
      "GET /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n" +
        "Sec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n",
    );
    await new Promise<void>((resolve) => raw.once("data", () => resolve()));
    const started = Date.now();
    try {
      await registry.stop(() => undefined);
      expect(Date.now() - started).toBeLessThan(1_500);
    } finally {
      raw.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
