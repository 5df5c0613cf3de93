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

  it("When a front-office caller subscribes without a filter, then it gets only its own client's movements", async () => {
    const mine = await internalTransfer();
    const theirs = await internalTransfer();
    const token = await stack.clientToken(mine.from.clientId);
    const watcher = subscribe({}, token);
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

describe("both sides of a movement, and filters a front-office caller may use (decision 0026)", () => {
  const READ = `query($id: ID!) { transfer(id: $id) {
    id kind status amount currency reference clientId accountId counterAccountId idempotencyKey paymentId
    statusHistory { sequence to changedBy reason requestId }
  } }`;
  const SIDES = `subscription($transferId: ID, $accountId: ID, $afterSequence: ID) {
    transferStatusChanged(transferId: $transferId, accountId: $accountId, afterSequence: $afterSequence) {
      transferId sequence status changedBy reason
      transfer { id amount reference clientId accountId counterAccountId idempotencyKey paymentId }
    }
  }`;

  /** An incoming transfer for no account of this bank: it waits in suspense (UNRECOGNIZED). */
  async function receiveUnrecognized(): Promise<string> {
    const received = await stack.graphql(
      `mutation($input: IncomingTransferInput!) { receiveIncomingTransfer(input: $input) { id status } }`,
      {
        input: {
          externalId: `SEPA-${randomUUID()}`,
          accountNumber: "999999999999",
          amount: "7.00",
          currency: "EUR",
          senderName: "Max Mustermann",
          reference: "Rent",
        },
      },
    );
    expect(received.data!.receiveIncomingTransfer.status).toBe("UNRECOGNIZED");
    return received.data!.receiveIncomingTransfer.id as string;
  }

  /** Subscribes with SIDES (the statement's fields of the transfer) and collects events. */
  function watchSides(variables: Record<string, unknown>, token: string) {
    const client = createClient({
      url: wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
    });
    clients.push(client);
    const events: any[] = [];
    const errors: any[] = [];
    client.subscribe<{ transferStatusChanged: any }>(
      { query: SIDES, variables },
      {
        next: (result) => {
          if (result.errors) errors.push(...result.errors);
          if (result.data) events.push(result.data.transferStatusChanged);
        },
        error: (error) => errors.push(...(Array.isArray(error) ? error : [error])),
        complete: () => undefined,
      },
    );
    const until = async (count: number) => {
      const deadline = Date.now() + 5_000;
      while (events.length < count && Date.now() < deadline) await settle();
      if (events.length < count)
        throw new Error(`only ${events.length} of ${count}: ${JSON.stringify(errors)}`);
    };
    return { events, errors, until };
  }

  it("When a front-office caller filters on another client or another client's account, then it is refused FORBIDDEN", async () => {
    const mine = await openAccount(stack);
    const theirs = await openAccount(stack);
    const token = await stack.clientToken(mine.clientId);
    const refusedClient = subscribe({ clientId: theirs.clientId }, token);
    const refusedAccount = watchSides({ accountId: theirs.id }, token);
    const refusedUnknown = watchSides({ accountId: randomUUID() }, token);
    const own = subscribe({ clientId: mine.clientId, accountId: mine.id }, token);
    // 300 ms is plenty on a calm machine; under load the refusals take longer (up to 5 s here).
    const refused = [refusedClient, refusedAccount, refusedUnknown];
    for (let i = 0; i < 16 && refused.some((watched) => watched.errors.length === 0); i++) await settle();
    expect(refusedClient.errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    expect(refusedAccount.errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    expect(refusedUnknown.errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    expect(own.errors).toEqual([]);
  });

  it("When A pays B internally, then B hears of it live, by account and on resume, as its statement shows it; a third client hears nothing", async () => {
    const payer = await openAccount(stack);
    const payee = await openAccount(stack);
    const third = await openAccount(stack);
    await fund(stack, payer.id, "10.00");
    const payeeToken = await stack.clientToken(payee.clientId);
    const live = watchSides({}, payeeToken);
    const byAccount = watchSides({ accountId: payee.id }, payeeToken);
    const bystander = watchSides({}, await stack.clientToken(third.clientId));
    await settle();
    const created = await stack.graphql(
      `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id } }`,
      {
        input: { debitAccountId: payer.id, creditAccountId: payee.id, amount: "4.00", reference: "Dinner" },
        key: randomUUID(),
      },
      { token: await stack.clientToken(payer.clientId) },
    );
    const id = created.data!.createInternalTransfer.id as string;
    await live.until(2);
    await byAccount.until(2);
    const resumed = watchSides({ transferId: id, afterSequence: "0" }, payeeToken);
    await resumed.until(2);
    await settle();

    const statement = {
      id,
      amount: "4.00",
      reference: "Dinner",
      clientId: null,
      accountId: null,
      counterAccountId: payee.id,
      idempotencyKey: "",
      paymentId: null,
    };
    for (const watcher of [live, byAccount, resumed]) {
      expect(watcher.errors).toEqual([]);
      expect(watcher.events).toEqual([
        {
          transferId: id,
          sequence: 1,
          status: "CREATED",
          changedBy: "counterparty",
          reason: null,
          transfer: statement,
        },
        {
          transferId: id,
          sequence: 2,
          status: "COMPLETED",
          changedBy: "counterparty",
          reason: null,
          transfer: statement,
        },
      ]);
    }
    expect(bystander.events).toEqual([]);

    // The query answers the same view; the payer still sees all of it.
    const read = await stack.graphql(READ, { id }, { token: payeeToken });
    expect(read.errors).toBeUndefined();
    expect(read.data!.transfer).toMatchObject({ ...statement, kind: "INTERNAL", status: "COMPLETED" });
    expect(read.data!.transfer.statusHistory).toEqual([
      { sequence: 1, to: "CREATED", changedBy: "counterparty", reason: null, requestId: null },
      { sequence: 2, to: "COMPLETED", changedBy: "counterparty", reason: null, requestId: null },
    ]);
    const asPayer = await stack.graphql(READ, { id }, { token: await stack.clientToken(payer.clientId) });
    expect(asPayer.data!.transfer).toMatchObject({ clientId: payer.clientId, accountId: payer.id });
    expect(asPayer.data!.transfer.paymentId).not.toBeNull();
    const asThird = await stack.graphql(READ, { id }, { token: await stack.clientToken(third.clientId) });
    expect(asThird.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
  });

  it("When an unrecognised incoming transfer is assigned, then its client hears of it from the assignment on, live and on resume", async () => {
    const account = await openAccount(stack);
    const token = await stack.clientToken(account.clientId);
    const live = watchSides({}, token);
    await settle();
    const id = await receiveUnrecognized();
    await settle();
    expect(live.events).toEqual([]);
    const assigned = await stack.graphql(
      `mutation($id: ID!, $accountId: ID!) { assignIncomingTransfer(id: $id, accountId: $accountId) { status } }`,
      { id, accountId: account.id },
    );
    expect(assigned.data!.assignIncomingTransfer.status).toBe("COMPLETED");
    await live.until(2);
    const resumed = watchSides({ transferId: id, afterSequence: "0" }, token);
    await resumed.until(2);
    await settle();
    for (const watcher of [live, resumed]) {
      expect(watcher.errors).toEqual([]);
      expect(watcher.events.map((e) => [e.sequence, e.status, e.transfer.accountId])).toEqual([
        [3, "ASSIGNING", account.id],
        [4, "COMPLETED", account.id],
      ]);
    }
  });

  it("When an assigned incoming transfer's credit is refused and it goes back to suspense, then its client hears how it ended, live and on resume", async () => {
    const account = await openAccount(stack);
    const token = await stack.clientToken(account.clientId);
    const id = await receiveUnrecognized();
    const blocked = await stack.graphql(
      `mutation($id: ID!) { updateAccount(id: $id, input: { status: BLOCKED }) { status } }`,
      { id: account.id },
    );
    expect(blocked.data!.updateAccount.status).toBe("BLOCKED");
    const live = watchSides({}, token);
    await settle();
    const assigned = await stack.graphql(
      `mutation($id: ID!, $accountId: ID!) { assignIncomingTransfer(id: $id, accountId: $accountId) { status } }`,
      { id, accountId: account.id },
    );
    // The operator is told why; the transfer goes back to suspense.
    expect(assigned.errors![0].extensions).toMatchObject({ code: "ACCOUNT_NOT_ACTIVE" });
    const statuses = (watcher: { events: any[] }) => watcher.events.map((e) => [e.sequence, e.status]);
    await live.until(2);
    const resumed = watchSides({ transferId: id, afterSequence: "2" }, token);
    await resumed.until(2);
    await settle();
    for (const watcher of [live, resumed]) {
      expect(watcher.errors).toEqual([]);
      expect(statuses(watcher)).toEqual([
        [3, "ASSIGNING"],
        [4, "UNRECOGNIZED"],
      ]);
      // Back in suspense it is no longer theirs: the statement's view, no account.
      expect(watcher.events[1].transfer).toMatchObject({
        id,
        clientId: null,
        accountId: null,
        paymentId: null,
      });
    }
  });
});
