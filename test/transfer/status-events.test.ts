/**
 * The transfer subgraph's own status stream (graphql-ws at its /graphql): events are announced at
 * commit (a rolled-back change announces nothing), arrive in order, resume after a sequence
 * without gap or duplicate, stay within a front-office caller's client, and leave nothing
 * behind when the socket is cut.
 */
import { randomUUID } from "node:crypto";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { fund, openAccount } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";
import { sql } from "../helpers/transfers";

let stack: Stack;
let wsUrl: string;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startStack();
  wsUrl = stack.transfer.url.replace(/^http/, "ws");
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.dispose()));
  await stack.stop();
});

const SUBSCRIBE = `subscription($transferId: ID, $clientId: ID, $accountId: ID, $afterSequence: ID) {
  transferStatusChanged(transferId: $transferId, clientId: $clientId, accountId: $accountId, afterSequence: $afterSequence) {
    transferId sequence previousStatus status changedBy transfer { id status }
  }
}`;

interface Event {
  transferId: string;
  sequence: number;
  previousStatus: string | null;
  status: string;
  transfer: { id: string; status: string };
}

/** Subscribes and collects events; `until` resolves once `count` have arrived. */
function subscribe(variables: Record<string, unknown>, token = stack.systemToken) {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
  });
  clients.push(client);
  const events: Event[] = [];
  const errors: unknown[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  const ready = new Promise<void>((resolve) => client.on("connected", () => resolve()));
  client.subscribe<{ transferStatusChanged: Event }>(
    { query: SUBSCRIBE, variables },
    {
      next: (result) => {
        if (result.errors) errors.push(...result.errors);
        if (result.data) events.push(result.data.transferStatusChanged);
        if (waiting && events.length >= waiting.count) waiting.resolve();
      },
      error: (error) => errors.push(error),
      complete: () => undefined,
    },
  );
  return {
    client,
    events,
    errors,
    ready,
    until: (count: number, ms = 5_000) =>
      new Promise<void>((resolve, reject) => {
        if (events.length >= count) return resolve();
        const timer = setTimeout(() => reject(new Error(`only ${events.length} of ${count} events`)), ms);
        waiting = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      }),
  };
}

async function internalTransfer(amount = "1.00") {
  const from = await openAccount(stack);
  const to = await openAccount(stack);
  await fund(stack, from.id, "10.00");
  const result = await stack.graphql(
    `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id } }`,
    { input: { debitAccountId: from.id, creditAccountId: to.id, amount }, key: randomUUID() },
  );
  return { from, to, id: result.data!.createInternalTransfer.id as string };
}

/** Records one more (committed) status change of a transfer, as any runner would. */
function appendEvent(transferId: string, sequence: number) {
  return sql(
    stack,
    `INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, changed_by)
     VALUES ($1, $2, 'COMPLETED', 'COMPLETED', 'probe')`,
    [transferId, sequence],
  );
}

/** Lets in-flight notifications arrive before asserting that something did not. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("transfer status events at the subgraph", () => {
  it("When a transfer runs, then its events arrive in order with the transfer as it is now", async () => {
    const account = await openAccount(stack);
    const watcher = subscribe({ accountId: account.id });
    await watcher.ready;
    await settle();
    const to = await openAccount(stack);
    await fund(stack, account.id, "5.00");
    const created = await stack.graphql(
      `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id } }`,
      { input: { debitAccountId: account.id, creditAccountId: to.id, amount: "2.00" }, key: randomUUID() },
    );
    const id = created.data!.createInternalTransfer.id;
    await watcher.until(2);
    expect(watcher.events.map(({ transfer, ...event }) => ({ ...event, transferId: transfer.id }))).toEqual([
      { transferId: id, sequence: 1, previousStatus: null, status: "CREATED", changedBy: "test-system" },
      {
        transferId: id,
        sequence: 2,
        previousStatus: "CREATED",
        status: "COMPLETED",
        changedBy: "test-system",
      },
    ]);
    // Each event carries the transfer as read when it was delivered: by the last one, COMPLETED.
    expect(watcher.events[1].transfer.status).toBe("COMPLETED");
  });

  it("When a status change is rolled back, then no event is announced; when it commits, one is", async () => {
    const { id } = await internalTransfer();
    const watcher = subscribe({ transferId: id });
    await watcher.ready;
    await settle();
    const move = (end: "ROLLBACK" | "COMMIT") =>
      sql(
        stack,
        `DO $$ BEGIN
           INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, changed_by)
           VALUES ('${id}', 3, 'COMPLETED', 'COMPLETED', 'probe');
           ${end === "ROLLBACK" ? "RAISE EXCEPTION 'rolled back';" : ""}
         END $$`,
      ).catch(() => undefined);
    await move("ROLLBACK");
    await settle();
    expect(watcher.events).toEqual([]);
    await move("COMMIT");
    await watcher.until(1);
    expect(watcher.events.map((e) => [e.sequence, e.status])).toEqual([[3, "COMPLETED"]]);
  });

  it("When a subscriber resumes after a sequence, then it gets what it missed and then live events, once each", async () => {
    const { id } = await internalTransfer();
    const watcher = subscribe({ transferId: id, afterSequence: "1" });
    await watcher.until(1);
    await appendEvent(id, 3);
    await watcher.until(2);
    await settle();
    expect(watcher.events.map((e) => e.sequence)).toEqual([2, 3]);

    const fromStart = subscribe({ transferId: id, afterSequence: "0" });
    await fromStart.until(3);
    await settle();
    expect(fromStart.events.map((e) => e.sequence)).toEqual([1, 2, 3]);
  });

  it("When a subscriber names the transfer in upper case, then it gets that transfer's events", async () => {
    const { id } = await internalTransfer();
    const watcher = subscribe({ transferId: id.toUpperCase(), afterSequence: "0" });
    await watcher.until(2);
    await appendEvent(id, 3);
    await watcher.until(3);
    expect(watcher.errors).toEqual([]);
    expect(watcher.events.map((e) => [e.transferId, e.sequence])).toEqual([
      [id, 1],
      [id, 2],
      [id, 3],
    ]);
  });

  it("When the subgraph's LISTEN connection drops, then events committed meanwhile still arrive, once", async () => {
    const { id } = await internalTransfer();
    const watcher = subscribe({ transferId: id });
    await watcher.ready;
    await settle();
    await sql(
      stack,
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
        WHERE application_name = 'listen:transfer_events' AND datname = current_database()`,
    );
    // Committed while nobody listens.
    await appendEvent(id, 3);
    await watcher.until(1, 10_000);
    await appendEvent(id, 4);
    await watcher.until(2);
    await settle();
    expect(watcher.events.map((e) => e.sequence)).toEqual([3, 4]);
  });

  it("When afterSequence comes without a transfer, then the rule is named", async () => {
    const watcher = subscribe({ afterSequence: "3" });
    await settle();
    expect(watcher.errors[0]).toMatchObject({
      extensions: {
        code: "VALIDATION_FAILED",
        fields: [expect.objectContaining({ field: "afterSequence" })],
      },
    });
  });

  it("When a front-office caller filters on another client, then it still only gets its own client's events", async () => {
    const mine = await internalTransfer();
    const theirs = await internalTransfer();
    const token = await stack.clientToken(mine.from.clientId);
    const watcher = subscribe({ clientId: theirs.from.clientId }, token);
    await watcher.ready;
    await settle();
    await sql(
      stack,
      `INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, changed_by)
       VALUES ($1, 3, 'COMPLETED', 'COMPLETED', 'probe'), ($2, 3, 'COMPLETED', 'COMPLETED', 'probe')`,
      [theirs.id, mine.id],
    );
    await watcher.until(1);
    await settle();
    expect(watcher.events.map((e) => e.transferId)).toEqual([mine.id]);
    const other = subscribe({ transferId: theirs.id }, token);
    await settle();
    expect(other.errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
  });

  it("When sockets are cut abruptly, then the subgraph keeps no subscription for them", async () => {
    const before = stack.transfer.events.size;
    const watchers = [1, 2, 3].map(() => subscribe({}));
    await Promise.all(watchers.map((w) => w.ready));
    await settle();
    expect(stack.transfer.events.size).toBe(before + 3);
    for (const watcher of watchers) {
      // terminate: no close frame, as when a network drops
      await watcher.client.dispose();
    }
    await settle();
    expect(stack.transfer.events.size).toBe(before);
  });

  it("When a subscription's document or variables are invalid, then the subgraph answers the client error naming it, not INTERNAL_SERVER_ERROR, and the socket stays open", async () => {
    const closes: unknown[] = [];
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.systemToken}` },
      lazy: false,
      retryAttempts: 0,
      on: { closed: (event) => closes.push(event) },
    });
    clients.push(client);
    const refusal = (query: string, variables: Record<string, unknown> = {}) =>
      new Promise<unknown[]>((resolve) => {
        const errors: unknown[] = [];
        client.subscribe(
          { query, variables },
          {
            next: (result) => errors.push(...(result.errors ?? [])),
            error: (error) => resolve(Array.isArray(error) ? error : [error]),
            complete: () => resolve(errors),
          },
        );
      });
    expect(await refusal(`subscription { transferStatusChanged { nope } }`)).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('"nope"'),
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      }),
    ]);
    expect(await refusal(SUBSCRIBE, { transferId: { not: "an id" } })).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("$transferId"),
        extensions: { code: "BAD_USER_INPUT" },
      }),
    ]);
    expect(await refusal(`subscription { transferStatusChanged {`)).toEqual([
      expect.objectContaining({
        message: expect.stringContaining("Syntax Error"),
        extensions: { code: "GRAPHQL_PARSE_FAILED" },
      }),
    ]);
    expect(
      await refusal(
        `subscription A { transferStatusChanged { sequence } } subscription B { transferStatusChanged { status } }`,
      ),
    ).toEqual([expect.objectContaining({ extensions: { code: "GRAPHQL_VALIDATION_FAILED" } })]);
    // The socket survived every refusal: a valid subscription on it still works.
    const { id } = await internalTransfer();
    const events: Array<{ sequence: number }> = [];
    client.subscribe<{ transferStatusChanged: { sequence: number } }>(
      { query: SUBSCRIBE, variables: { transferId: id, afterSequence: "0" } },
      {
        next: (result) => result.data && events.push(result.data.transferStatusChanged),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    const deadline = Date.now() + 5_000;
    while (events.length === 0 && Date.now() < deadline) await settle();
    expect(events[0]).toMatchObject({ sequence: 1 });
    expect(closes).toEqual([]);
  });

  it("When the token is missing or bad, then the socket closes with 4401 or 4403", async () => {
    const closeCode = (params: Record<string, unknown>) =>
      new Promise<number>((resolve) => {
        const socket = new WebSocket(wsUrl, "graphql-transport-ws");
        socket.on("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: params })));
        socket.on("close", (code) => resolve(code));
      });
    expect(await closeCode({})).toBe(4401);
    expect(await closeCode({ authorization: "Bearer not-a-token" })).toBe(4403);
  });
});
