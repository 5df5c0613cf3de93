/**
 * Subscriptions through the gateway's one endpoint (graphql-ws at /graphql): each transfer status
 * event is opened at the transfer subgraph and resolved through the whole supergraph (the account's
 * balance from the ledger) for the caller; filters, resumption, front-office isolation, sharing of
 * upstream connections and subscriptions, clean-up after abrupt disconnects, the upstream's
 * keep-alive and graceful shutdown. The limits are in subscriptions-limits.test.ts.
 */
import { randomUUID } from "node:crypto";
import { buildSchema, parse, print, validate } from "graphql";
import { type Client, createClient } from "graphql-ws";
import type { AddressInfo } from "node:net";
import WebSocket, { WebSocketServer } from "ws";
import { mintToken } from "../../common/auth/tokens";
import { OperationLimits } from "../../common/graphql/limits";
import { startGateway } from "../../gateway/server";
import { bindVariables, prepareOperation } from "../../gateway/subscriptions/operation";
import { RELAYED_EVENTS } from "../../gateway/subscriptions/fields";
import { fund, openAccount } from "../helpers/ledger";
import { importClient, type Stack, startStack, testConfig } from "../helpers/stack";
import { disposeClients, idle, sleep, STATUS_CHANGED, waitFor, watch } from "../helpers/subscriptions";
import {
  addRecipient,
  CONFIRM,
  CREATE_OUTGOING,
  key,
  READ_TRANSFER,
  runWorker,
  sentCode,
  sql,
} from "../helpers/transfers";

let stack: Stack;
let wsUrl: string;
const clients: Client[] = [];
/** Every socket the graphql-ws clients opened, so a test can cut one without a close frame. */
const sockets: WebSocket[] = [];
class TrackedWebSocket extends WebSocket {
  constructor(...args: ConstructorParameters<typeof WebSocket>) {
    super(...args);
    sockets.push(this);
  }
}

beforeAll(async () => {
  stack = await startStack();
  wsUrl = stack.gateway.url.replace(/^http/, "ws");
});
afterEach(async () => {
  await disposeClients(clients);
  sockets.length = 0;
  await waitFor(() => idle(stack.gateway));
});
afterAll(() => stack.stop());

function connect(token: string | null = stack.systemToken, url = wsUrl): Client {
  const client = createClient({
    url,
    webSocketImpl: TrackedWebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined, // sockets cut on purpose
  });
  clients.push(client);
  return client;
}

interface StatusEvent {
  transferId: string;
  sequence: number;
  previousStatus: string | null;
  status: string;
}

/** Waits until the transfer subgraph holds `count` more status subscriptions than `before`. */
async function upstreamListening(before: number, count: number): Promise<void> {
  await waitFor(() => stack.transfer.events.size >= before + count);
}

/** A client's funded account with a recipient, and an outgoing transfer waiting for its code. */
async function pendingTransfer(options: { clientId?: string } = {}) {
  const account = await openAccount(stack, { clientId: options.clientId });
  await fund(stack, account.id, "100.00");
  const recipientId = await addRecipient(stack, account.clientId);
  const token = await stack.clientToken(account.clientId);
  const created = await stack.graphql(
    CREATE_OUTGOING,
    { input: { accountId: account.id, recipientId, amount: "25.00", reference: "Invoice 42" }, key: key() },
    { token },
  );
  expect(created.errors).toBeUndefined();
  return { account, token, id: created.data!.createOutgoingTransfer.id as string };
}

async function confirm(transfer: { id: string; token: string }): Promise<void> {
  const confirmed = await stack.graphql(
    CONFIRM,
    { id: transfer.id, code: await sentCode(stack, transfer.id) },
    { token: transfer.token },
  );
  expect(confirmed.errors).toBeUndefined();
}

/** The transfer's recorded history as events: `[sequence, from, to]`. */
async function history(id: string): Promise<Array<[number, string | null, string]>> {
  const read = await stack.graphql(READ_TRANSFER, { id });
  return read.data!.transfer.statusHistory.map((h: any) => [h.sequence, h.from, h.to]);
}

const asHistory = (events: StatusEvent[]) =>
  events.map((e): [number, string | null, string] => [e.sequence, e.previousStatus, e.status]);

describe("transfer status subscriptions through the gateway", () => {
  it("When an outgoing transfer runs from creation to completion, then every status arrives in order with the account's balance from the ledger", async () => {
    const clientId = await importClient(stack);
    const account = await openAccount(stack, { clientId });
    await fund(stack, account.id, "100.00");
    const recipientId = await addRecipient(stack, clientId);
    const token = await stack.clientToken(clientId);
    const before = stack.transfer.events.size;
    const watcher = watch<any>(
      connect(token),
      `subscription Watch($accountId: ID) {
        change: transferStatusChanged(accountId: $accountId) {
          ...Change
          transfer { id status account { ...Available } client { firstName } }
        }
      }
      fragment Change on TransferStatusEvent { transferId sequence previousStatus status changedAt }
      fragment Available on Account { balance { available } }`,
      { accountId: account.id },
      "change",
    );
    await upstreamListening(before, 1);

    const created = await stack.graphql(
      CREATE_OUTGOING,
      { input: { accountId: account.id, recipientId, amount: "25.00", reference: "Rent" }, key: key() },
      { token },
    );
    const id = created.data!.createOutgoingTransfer.id as string;
    await confirm({ id, token });
    await runWorker(stack);

    const recorded = await history(id);
    expect(recorded[0]).toEqual([1, null, "PENDING_CONFIRMATION"]);
    expect(recorded.at(-1)![2]).toBe("COMPLETED");
    await watcher.until(recorded.length);
    await sleep(200);
    expect(watcher.errors).toEqual([]);
    expect(asHistory(watcher.events)).toEqual(recorded);
    for (const event of watcher.events) {
      expect(event).toMatchObject({
        transferId: id,
        changedAt: expect.any(String),
        transfer: {
          id,
          status: expect.any(String),
          account: { balance: { available: expect.stringMatching(/^\d+\.\d{2}$/) } },
          client: { firstName: "Ann" },
        },
      });
    }
    // Read when delivered: after the hold the available balance is down by the amount.
    expect(watcher.events.at(-1).transfer.account.balance.available).toBe("75.00");
  });

  it("When subscribers filter by transfer, account or client, then each gets exactly that transfer's events", async () => {
    const mine = await pendingTransfer();
    const other = await pendingTransfer();
    const before = stack.transfer.events.size;
    const client = connect();
    const byTransfer = watch<StatusEvent>(client, STATUS_CHANGED, { transferId: mine.id });
    const byAccount = watch<StatusEvent>(client, STATUS_CHANGED, { accountId: mine.account.id });
    const byClient = watch<StatusEvent>(client, STATUS_CHANGED, { clientId: mine.account.clientId });
    await upstreamListening(before, 3);

    await confirm(mine);
    await confirm(other);
    await runWorker(stack);
    const recorded = (await history(mine.id)).slice(1); // all but PENDING_CONFIRMATION, from before
    for (const watcher of [byTransfer, byAccount, byClient]) await watcher.until(recorded.length);
    await sleep(200);
    for (const watcher of [byTransfer, byAccount, byClient]) {
      expect(watcher.events.every((e) => e.transferId === mine.id)).toBe(true);
      expect(asHistory(watcher.events)).toEqual(recorded);
    }
  });

  it("When a status change is rolled back, then no event reaches the client; when one commits, it does", async () => {
    const { id } = await pendingTransfer();
    const before = stack.transfer.events.size;
    const watcher = watch<StatusEvent>(connect(), STATUS_CHANGED, { transferId: id });
    await upstreamListening(before, 1);
    const change = (end: "ROLLBACK" | "COMMIT") =>
      sql(
        stack,
        `DO $$ BEGIN
           UPDATE transfer.transfer SET status = 'CANCELLED' WHERE id = '${id}';
           INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, changed_by)
           VALUES ('${id}', 2, 'PENDING_CONFIRMATION', 'CANCELLED', 'probe');
           ${end === "ROLLBACK" ? "RAISE EXCEPTION 'rolled back';" : ""}
         END $$`,
      ).catch(() => undefined);
    await change("ROLLBACK");
    await sleep(300);
    expect(watcher.events).toEqual([]);
    await change("COMMIT");
    await watcher.until(1);
    await sleep(200);
    expect(watcher.events.map((e) => [e.sequence, e.status])).toEqual([[2, "CANCELLED"]]);
  });

  it("When a subscriber resumes after a sequence, then it gets what it missed and then live events, each once", async () => {
    const transfer = await pendingTransfer();
    await confirm(transfer); // 1 PENDING_CONFIRMATION, 2 CONFIRMED, 3 PROCESSING...
    const before = stack.transfer.events.size;
    const resumed = watch<StatusEvent>(connect(transfer.token), STATUS_CHANGED, {
      transferId: transfer.id,
      afterSequence: "1",
    });
    await upstreamListening(before, 1);
    const replayed = (await history(transfer.id)).length - 1;
    await resumed.until(replayed);
    await runWorker(stack);
    const recorded = await history(transfer.id);
    await resumed.until(recorded.length - 1);
    await sleep(200);
    expect(resumed.errors).toEqual([]);
    expect(asHistory(resumed.events)).toEqual(recorded.slice(1));
    expect(recorded.at(-1)![2]).toBe("COMPLETED");
  });

  it("When a front-office caller subscribes, then it receives only its own client's events, and a filter naming another client, account or transfer is FORBIDDEN", async () => {
    const mine = await pendingTransfer();
    const theirs = await pendingTransfer();
    const before = stack.transfer.events.size;
    const client = connect(mine.token);
    const unfiltered = watch<StatusEvent>(client, STATUS_CHANGED);
    const theirClient = watch<StatusEvent>(client, STATUS_CHANGED, { clientId: theirs.account.clientId });
    const theirAccount = watch<StatusEvent>(client, STATUS_CHANGED, { accountId: theirs.account.id });
    const theirTransfer = watch<StatusEvent>(client, STATUS_CHANGED, { transferId: theirs.id });
    await upstreamListening(before, 1);
    for (const refused of [theirClient, theirAccount, theirTransfer]) {
      await waitFor(() => refused.completed());
      expect(refused.errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    }

    await confirm(theirs);
    await confirm(mine);
    await runWorker(stack);
    const recorded = (await history(mine.id)).slice(1);
    await unfiltered.until(recorded.length);
    await sleep(300);
    expect(asHistory(unfiltered.events)).toEqual(recorded);
    expect(unfiltered.events.some((e) => e.transferId === theirs.id)).toBe(false);
    for (const refused of [theirClient, theirAccount]) expect(refused.events).toEqual([]);
  });

  it("When callers repeat a subscription, then they share one upstream connection and subscription, and one resuming gets its own", async () => {
    const transfer = await pendingTransfer();
    const before = stack.transfer.events.size;
    const same = [connect(), connect(), connect()].map((client) =>
      watch<StatusEvent>(client, STATUS_CHANGED, { transferId: transfer.id }),
    );
    const otherFields = watch(connect(), `subscription { transferStatusChanged { sequence } }`);
    const resuming = watch<StatusEvent>(connect(), STATUS_CHANGED, {
      transferId: transfer.id,
      afterSequence: "0",
    });
    const frontOffice = watch<StatusEvent>(connect(transfer.token), STATUS_CHANGED, {
      transferId: transfer.id,
    });
    await upstreamListening(before, 4);
    expect(stack.gateway.subscriptions.stats()).toEqual({
      connections: 6,
      subscriptions: 6,
      upstreamConnections: 2, // the system token's and the front-office token's
      upstreamSubscriptions: 4, // the shared one, the other document, the resuming one, the front office's
    });
    expect(stack.transfer.events.size).toBe(before + 4);

    await confirm(transfer);
    const recorded = await history(transfer.id);
    await resuming.until(recorded.length);
    for (const watcher of [...same, frontOffice]) await watcher.until(recorded.length - 1);
    await sleep(200);
    for (const watcher of same) expect(asHistory(watcher.events)).toEqual(recorded.slice(1));
    expect(asHistory(resuming.events)).toEqual(recorded);
    expect(otherFields.errors).toEqual([]);
  });

  it("When clients disconnect abruptly, then no subscription, upstream subscription or upstream connection is left", async () => {
    const transfer = await pendingTransfer();
    const before = stack.transfer.events.size;
    watch(connect(), STATUS_CHANGED, { transferId: transfer.id });
    watch(connect(), STATUS_CHANGED, { transferId: transfer.id });
    watch(connect(transfer.token), STATUS_CHANGED, { transferId: transfer.id, afterSequence: "0" });
    watch(connect(transfer.token), STATUS_CHANGED);
    await upstreamListening(before, 3);
    expect(stack.gateway.subscriptions.stats()).toMatchObject({ connections: 4, subscriptions: 4 });

    for (const socket of sockets) socket.terminate(); // no close frame, as when a network drops
    await waitFor(() => idle(stack.gateway));
    await waitFor(() => stack.transfer.events.size === before);
  });

  it("When a client completes one subscription, then only its share is released", async () => {
    const before = stack.transfer.events.size;
    const client = connect();
    const unsubscribe = client.subscribe(
      { query: STATUS_CHANGED, variables: { clientId: randomUUID() } },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    watch(connect(), STATUS_CHANGED, { clientId: randomUUID() });
    await upstreamListening(before, 2);
    unsubscribe();
    await waitFor(() => stack.gateway.subscriptions.stats().subscriptions === 1);
    expect(stack.gateway.subscriptions.stats()).toMatchObject({
      connections: 2,
      upstreamConnections: 1,
      upstreamSubscriptions: 1,
    });
    await waitFor(() => stack.transfer.events.size === before + 1);
  });

  it("When a query is sent over the socket, then it runs through the supergraph like over HTTP", async () => {
    const account = await openAccount(stack);
    const result = await new Promise<any>((resolve, reject) => {
      connect().subscribe(
        {
          query: `query($id: ID!) { account(id: $id) { id balance { available } } }`,
          variables: { id: account.id },
        },
        { next: resolve, error: reject, complete: () => undefined },
      );
    });
    expect(result).toEqual({ data: { account: { id: account.id, balance: { available: "0.00" } } } });
  });

  it("When a subscription is invalid, then the error names the problem with Apollo's codes", async () => {
    const client = connect();
    const unknownField = watch(client, `subscription { transferStatusChanged { nope } }`);
    const badVariable = watch(client, STATUS_CHANGED, { transferId: { not: "an id" } });
    await waitFor(() => unknownField.completed() && badVariable.completed());
    expect(unknownField.errors[0]).toMatchObject({ extensions: { code: "GRAPHQL_VALIDATION_FAILED" } });
    expect(badVariable.errors[0]).toMatchObject({ extensions: { code: "BAD_USER_INPUT" } });
  });

  it("When a subscription is posted over HTTP, then it is refused with 400 and told to use graphql-ws", async () => {
    const result = await stack.graphql(STATUS_CHANGED, { transferId: randomUUID() });
    expect(result.status).toBe(400);
    expect(result.errors![0]).toMatchObject({
      message: expect.stringContaining("graphql-ws"),
      extensions: { code: "BAD_REQUEST" },
    });
  });
});

describe("the gateway's WebSocket connections", () => {
  /** Opens a raw socket, sends connection_init with `payload`, resolves with the close code (or "ack"). */
  function initialise(payload: Record<string, unknown>, url = wsUrl) {
    return new Promise<number | "ack">((resolve, reject) => {
      const socket = new WebSocket(url, "graphql-transport-ws");
      socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload })));
      socket.on("message", (data) => {
        if (JSON.parse(String(data)).type === "connection_ack") {
          resolve("ack");
          socket.close();
        }
      });
      socket.on("close", (code) => resolve(code));
      socket.on("error", reject);
    });
  }

  it("When the token is missing, then the socket closes with 4401; when it is bad, with 4403", async () => {
    expect(await initialise({})).toBe(4401);
    expect(await initialise({ authorization: "Bearer not-a-token" })).toBe(4403);
    expect(await initialise({ authorization: "Basic dXNlcjpwYXNz" })).toBe(4403);
    const expired = await mintToken(stack.config.auth, { kind: "system", subject: "late" }, "-1s");
    expect(await initialise({ authorization: `Bearer ${expired}` })).toBe(4403);
  });

  it("When the token expires while connected, then the socket closes with 4403", async () => {
    const shortLived = await mintToken(stack.config.auth, { kind: "system", subject: "brief" }, "1s");
    const closed = await new Promise<{ code: number; afterMs: number }>((resolve) => {
      const started = Date.now();
      const socket = new WebSocket(wsUrl, "graphql-transport-ws");
      socket.on("open", () =>
        socket.send(JSON.stringify({ type: "connection_init", payload: { token: shortLived } })),
      );
      socket.on("close", (code) => resolve({ code, afterMs: Date.now() - started }));
    });
    expect(closed.code).toBe(4403);
    expect(closed.afterMs).toBeLessThan(2_500);
  });

  it("When the token comes as authorization or as token, then the connection is acknowledged", async () => {
    expect(await initialise({ authorization: `Bearer ${stack.systemToken}` })).toBe("ack");
    expect(await initialise({ token: stack.systemToken })).toBe("ack");
  });

  it("When the transfer subgraph's stream is lost, then the subscription ends with SUBSCRIPTION_INTERRUPTED and nothing is left", async () => {
    // A stand-in transfer subgraph that acknowledges and accepts subscriptions, then drops.
    const fake = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((resolve) => fake.once("listening", resolve));
    const subscribed: string[] = [];
    fake.on("connection", (socket) =>
      socket.on("message", (data) => {
        const message = JSON.parse(String(data));
        if (message.type === "connection_init") socket.send(JSON.stringify({ type: "connection_ack" }));
        if (message.type === "subscribe") subscribed.push(message.payload.query);
      }),
    );
    const gateway = await startGateway(testConfig(), {
      subgraphUrls: {
        client: stack.client.url,
        ledger: stack.ledger.url,
        transfer: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/graphql`,
      },
    });
    try {
      const client = connect(stack.systemToken, gateway.url.replace(/^http/, "ws"));
      const watcher = watch(client, STATUS_CHANGED, { accountId: randomUUID() });
      await waitFor(() => subscribed.length === 1);
      // The key and cursor, then what the event query's first fetch reads (decision 0048).
      expect(subscribed[0]).toMatch(
        /^subscription \{ transferStatusChanged\(accountId: ".+"\) \{ transferId sequence position previousStatus status changedBy \} \}$/,
      );
      for (const socket of fake.clients) socket.terminate();
      await waitFor(watcher.completed);
      expect(watcher.errors).toEqual([
        expect.objectContaining({ extensions: { code: "SUBSCRIPTION_INTERRUPTED" } }),
      ]);
      expect(gateway.subscriptions.stats()).toMatchObject({
        subscriptions: 0,
        upstreamConnections: 0,
        upstreamSubscriptions: 0,
      });
    } finally {
      await gateway.stop();
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it("When the transfer subgraph stops answering pings (a half-open connection), then the subscription ends with SUBSCRIPTION_INTERRUPTED", async () => {
    // A stand-in transfer subgraph that accepts the subscription, then goes silent: no pongs.
    const fake = new WebSocketServer({ port: 0, host: "127.0.0.1" });
    await new Promise((resolve) => fake.once("listening", resolve));
    let pings = 0;
    fake.on("connection", (socket) =>
      socket.on("message", (data) => {
        const message = JSON.parse(String(data));
        if (message.type === "connection_init") socket.send(JSON.stringify({ type: "connection_ack" }));
        if (message.type === "ping") pings++;
      }),
    );
    const config = testConfig();
    config.subscriptions = { ...config.subscriptions, keepAliveMs: 100 };
    const gateway = await startGateway(config, {
      subgraphUrls: {
        client: stack.client.url,
        ledger: stack.ledger.url,
        transfer: `http://127.0.0.1:${(fake.address() as AddressInfo).port}/graphql`,
      },
    });
    try {
      const watcher = watch(connect(stack.systemToken, gateway.url.replace(/^http/, "ws")), STATUS_CHANGED, {
        accountId: randomUUID(),
      });
      // About 0.2 s on a calm machine; a loaded one (CI beside other work) took 8 s once.
      await waitFor(watcher.completed, 15_000);
      expect(pings).toBeGreaterThan(0);
      expect(watcher.errors).toEqual([
        expect.objectContaining({ extensions: { code: "SUBSCRIPTION_INTERRUPTED" } }),
      ]);
      await waitFor(() => gateway.subscriptions.stats().upstreamConnections === 0);
    } finally {
      await gateway.stop();
      await new Promise((resolve) => fake.close(resolve));
    }
  });

  it("When the gateway stops, then open subscriptions complete, sockets close with 1001 and no upstream is left", async () => {
    const gateway = await startGateway(testConfig(), {
      subgraphUrls: { client: stack.client.url, ledger: stack.ledger.url, transfer: stack.transfer.url },
    });
    const before = stack.transfer.events.size;
    const closes: number[] = [];
    const client = createClient({
      url: gateway.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { token: stack.systemToken },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
      on: { closed: (event) => closes.push((event as { code: number }).code) },
    });
    clients.push(client);
    const watcher = watch(client, STATUS_CHANGED, { clientId: randomUUID() });
    await upstreamListening(before, 1);

    await gateway.stop();
    await waitFor(watcher.completed);
    expect(watcher.errors).toEqual([]);
    await waitFor(() => closes.length > 0);
    expect(closes).toEqual([1001]);
    expect(gateway.subscriptions.stats()).toEqual({
      connections: 0,
      subscriptions: 0,
      upstreamConnections: 0,
      upstreamSubscriptions: 0,
    });
    await waitFor(() => stack.transfer.events.size === before);
  });

  it("When an upgrade asks for another path, then it answers 404 and the gateway counts no socket", async () => {
    expect(await upgradeStatus(wsUrl.replace(/\/graphql$/, "/elsewhere"))).toBe(404);
    expect(stack.gateway.subscriptions.stats().connections).toBe(0);
  });

  it("When the gateway is stopping, then a new upgrade answers 503 while the open sockets are still being closed", async () => {
    const gateway = await startGateway(testConfig(), {
      subgraphUrls: { client: stack.client.url, ledger: stack.ledger.url, transfer: stack.transfer.url },
    });
    const url = gateway.url.replace(/^http/, "ws");
    // A socket whose client stops reading never answers the 1001, so the stop waits for it.
    const held = new WebSocket(url, "graphql-transport-ws");
    try {
      await new Promise((resolve) => held.on("open", resolve));
      (held as unknown as { _socket: { pause(): void } })._socket.pause();
      const stopped = gateway.stop();
      expect(await upgradeStatus(url)).toBe(503);
      await stopped;
      expect(gateway.subscriptions.stats().connections).toBe(0);
    } finally {
      held.terminate();
    }
  });
});

/** Asks to upgrade at `url`: resolves "open", or the HTTP status that refused the upgrade. */
function upgradeStatus(url: string): Promise<number | "open"> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, "graphql-transport-ws");
    socket.on("open", () => {
      resolve("open");
      socket.terminate();
    });
    socket.on("unexpected-response", (request, response) => {
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    socket.on("error", reject);
  });
}

describe("a subscription rewritten as the query for one event", () => {
  const schema = buildSchema(`
    type Query { transferStatusEvent(transferId: ID!, sequence: Int!): TransferStatusEvent }
    type Subscription {
      transferStatusChanged(transferId: ID, clientId: ID, accountId: ID, afterSequence: ID): TransferStatusEvent!
    }
    type TransferStatusEvent { transferId: ID! sequence: Int! status: String! transfer: Transfer! }
    type Transfer { id: ID! amount(format: String): String! }
  `);

  it("When the field is reached through fragments with an alias and variables, then the query keeps all of them but the field's arguments", () => {
    const prepared = prepareOperation(
      schema,
      `subscription Watch($id: ID, $after: ID, $format: String, $eventTransferId: ID) {
        ...Root
      }
      fragment Root on Subscription {
        change: transferStatusChanged(transferId: $id, afterSequence: $after, clientId: $eventTransferId) {
          sequence
          transfer { ...Amount }
        }
      }
      fragment Amount on Transfer { amount(format: $format) }
      query Other { transferStatusEvent(transferId: "x", sequence: 1) { status } }`,
      "Watch",
      new OperationLimits(testConfig().operationLimits, false),
      { transferStatusChanged: { subgraph: "transfer", ...RELAYED_EVENTS.transferStatusChanged } },
    );
    if (!("kind" in prepared) || prepared.kind !== "relay") throw new Error("not relayed");
    expect(prepared.eventQuery).toEqual({
      query: print(
        parse(`query Watch($format: String, $_eventTransferId: ID!, $eventSequence: Int!) {
          change: transferStatusEvent(transferId: $_eventTransferId, sequence: $eventSequence) {
            sequence
            transfer { ...Amount }
          }
        }
        fragment Amount on Transfer { amount(format: $format) }`),
      ),
      operationName: "Watch",
      variableNames: ["format"],
      keyVariables: { transferId: "_eventTransferId", sequence: "eventSequence" },
      responseKey: "change",
    });
    expect(validate(schema, parse(prepared.eventQuery.query))).toEqual([]);

    const bound = bindVariables(schema, prepared, { id: "t-1", after: "4", format: "short", unused: 1 });
    expect(bound).toEqual({
      kind: "relay",
      variables: { format: "short" },
      upstreamQuery: `subscription { transferStatusChanged(transferId: "t-1", afterSequence: 4) { transferId sequence position } }`,
      shareable: false,
    });
  });
});
