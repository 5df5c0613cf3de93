/**
 * A cursor for every stream (decision 0028), through the gateway with real graphql-ws clients:
 * a subscription cut at any point and resumed with `after` (the position of the last event it
 * received) gets every event of its filter once, in log order; a snapshot and the stream after
 * its position add up to the next snapshot; two transactions that commit out of the order they
 * started are both delivered, in commit order.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { fund, openAccount } from "../helpers/ledger";
import { caughtUp, follow, type Follower, loggedEvents, received } from "../helpers/resume";
import { type Stack, startStack } from "../helpers/stack";
import { idle, sleep, waitFor } from "../helpers/subscriptions";

let stack: Stack;
const followers: Follower[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await Promise.all(followers.splice(0).map((follower) => follower.stop()));
  await waitFor(() => idle(stack.gateway));
});
afterAll(() => stack.stop());

const wsUrl = () => stack.gateway.url.replace(/^http/, "ws");

const SNAPSHOT = `query($clientId: ID, $accountId: ID) {
  transferSnapshot(clientId: $clientId, accountId: $accountId, recent: 100) {
    position counts { status count } recent { id status }
  }
}`;

async function snapshot(filter: { clientId?: string; accountId?: string } = {}, token?: string) {
  const result = await stack.graphql(SNAPSHOT, filter, { token });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.transferSnapshot as {
    position: string;
    counts: Array<{ status: string; count: number }>;
    recent: Array<{ id: string; status: string }>;
  };
}

const INTERNAL = `mutation($input: InternalTransferInput!, $key: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $key) { id status }
}`;

/** Two clients, three accounts: internal transfers within A, from A to B and from B to A (some refused for funds). */
async function parties() {
  const a = randomUUID();
  const b = randomUUID();
  const a1 = await openAccount(stack, { clientId: a });
  const a2 = await openAccount(stack, { clientId: a });
  const b1 = await openAccount(stack, { clientId: b });
  await fund(stack, a1.id, "100.00");
  await fund(stack, b1.id, "100.00");
  return { a, b, a1: a1.id, a2: a2.id, b1: b1.id };
}

async function workload(p: Awaited<ReturnType<typeof parties>>, rounds: number): Promise<void> {
  const moves = [
    [p.a1, p.b1, "1.00"],
    [p.b1, p.a2, "2.00"],
    [p.a1, p.a2, "0.50"],
    [p.a2, p.b1, "500.00"], // refused: CREATED, FAILED
  ] as const;
  for (let round = 0; round < rounds; round++) {
    // Two at a time, so transactions overlap and commit in any order.
    await Promise.all(
      [moves[round % 4], moves[(round + 1) % 4]].map(([debitAccountId, creditAccountId, amount]) =>
        stack.graphql(INTERNAL, { input: { debitAccountId, creditAccountId, amount }, key: randomUUID() }),
      ),
    );
  }
}

/** Cuts after 1 to 4 events, at random. */
const randomCut = () => 1 + Math.floor(Math.random() * 4);

describe("resuming from a cursor", () => {
  it("When unfiltered, client-wide and account-wide subscriptions are cut at random points and resumed with after, then each gets every event of its filter once, in log order", async () => {
    const p = await parties();
    const start = (await snapshot()).position;
    const clientToken = await stack.clientToken(p.a);
    const all = follow({ url: wsUrl, token: stack.systemToken, after: start, cutAfter: randomCut });
    const client = follow({
      url: wsUrl,
      token: clientToken,
      filter: { clientId: p.a },
      after: start,
      cutAfter: randomCut,
    });
    const account = follow({
      url: wsUrl,
      token: stack.systemToken,
      filter: { accountId: p.b1 },
      after: start,
      cutAfter: randomCut,
    });
    // And one cut by the clock, wherever it is (possibly mid-catch-up).
    const clocked = follow({ url: wsUrl, token: clientToken, filter: { accountId: p.a2 }, after: start });
    followers.push(all, client, account, clocked);
    const timer = setInterval(() => clocked.cut(), 150);
    try {
      await workload(p, 12);
    } finally {
      clearInterval(timer);
    }

    const expected = {
      all: await loggedEvents(stack, start),
      client: await loggedEvents(stack, start, { clientId: p.a }),
      account: await loggedEvents(stack, start, { accountId: p.b1 }),
      clocked: await loggedEvents(stack, start, { accountId: p.a2 }),
    };
    expect(expected.all).toHaveLength(48); // 24 transfers, two events each
    expect(expected.client).toHaveLength(48); // A is a party of every one
    expect(expected.account).toHaveLength(36);
    await caughtUp(all, expected.all.length);
    await caughtUp(client, expected.client.length);
    await caughtUp(account, expected.account.length);
    await caughtUp(clocked, expected.clocked.length);
    expect(received(all.events)).toEqual(received(expected.all));
    expect(received(client.events)).toEqual(received(expected.client));
    expect(received(account.events)).toEqual(received(expected.account));
    expect(received(clocked.events)).toEqual(received(expected.clocked));
    expect(all.cuts + client.cuts + account.cuts).toBeGreaterThan(10);
    expect(clocked.cuts).toBeGreaterThan(2);
  }, 90_000);

  it("When a dashboard loads a snapshot and follows the stream after its position while transfers run, then the snapshot's counts plus the events equal the next snapshot's", async () => {
    const p = await parties();
    const running = workload(p, 8);
    await sleep(150); // the snapshot is taken in the middle of it
    const token = await stack.clientToken(p.a);
    const first = await snapshot({ clientId: p.a }, token);
    const dashboard = follow({ url: wsUrl, token, filter: { clientId: p.a }, after: first.position });
    followers.push(dashboard);
    await running;
    const last = await snapshot({ clientId: p.a }, token);
    const expected = await loggedEvents(stack, first.position, { clientId: p.a });
    expect(BigInt(last.position)).toBeGreaterThan(BigInt(first.position));
    await caughtUp(dashboard, expected.length);
    expect(received(dashboard.events)).toEqual(received(expected));

    const counts = new Map(first.counts.map(({ status, count }) => [status, count]));
    for (const { previousStatus, status } of dashboard.events) {
      if (previousStatus) counts.set(previousStatus, (counts.get(previousStatus) ?? 0) - 1);
      counts.set(status, (counts.get(status) ?? 0) + 1);
    }
    const followed = [...counts].filter(([, count]) => count !== 0).sort();
    expect(followed).toEqual(last.counts.map(({ status, count }) => [status, count]).sort());
    expect(last.recent).toHaveLength(16);
  }, 60_000);

  it("When the transaction that started first commits last, then a reader already past the other's position still gets it (positions follow commits)", async () => {
    const p = await parties();
    const made = await Promise.all(
      [p.a1, p.b1].map((from) =>
        stack.graphql(INTERNAL, {
          input: { debitAccountId: from, creditAccountId: p.a2, amount: "1.00" },
          key: randomUUID(),
        }),
      ),
    );
    const [early, late] = made.map((result) => result.data!.createInternalTransfer.id as string);
    const start = (await snapshot()).position;
    const live = follow({ url: wsUrl, token: stack.systemToken, after: start });
    followers.push(live);
    const first = new pg.Client({ connectionString: stack.databaseUrl });
    const second = new pg.Client({ connectionString: stack.databaseUrl });
    await Promise.all([first.connect(), second.connect()]);
    const note = `INSERT INTO transfer.transfer_event (transfer_id, sequence, from_status, to_status, reason, changed_by)
      SELECT $1, max(sequence) + 1, 'COMPLETED', 'COMPLETED', 'out-of-order commit test', 'test'
        FROM transfer.transfer_event WHERE transfer_id = $1 RETURNING id`;
    try {
      await first.query("BEGIN");
      const { rows: firstRows } = await first.query(note, [early]); // starts first, takes the lower id
      await second.query("BEGIN");
      const { rows: secondRows } = await second.query(note, [late]);
      await second.query("COMMIT"); // commits first
      expect(BigInt(firstRows[0].id)).toBeLessThan(BigInt(secondRows[0].id));
      await caughtUp(live, 1);
      const passed = live.events[0];
      expect(passed.transferId).toBe(late);
      // A reader that resumes after the position it has seen, while the earlier transaction is still open.
      const resumed = follow({ url: wsUrl, token: stack.systemToken, after: passed.position });
      followers.push(resumed);
      await sleep(300);
      expect(resumed.events).toEqual([]);
      await first.query("COMMIT");
      await caughtUp(live, 2);
      await caughtUp(resumed, 1);
      expect(live.events.map((e) => e.transferId)).toEqual([late, early]);
      expect(resumed.events.map((e) => [e.transferId, e.position])).toEqual([
        [early, (BigInt(passed.position) + 1n).toString()],
      ]);
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
  }, 60_000);

  it("When after is not a position of the log, then the rule is named", async () => {
    const head = (await snapshot()).position;
    for (const after of ["abc", (BigInt(head) + 1000n).toString()]) {
      const refused = follow({ url: wsUrl, token: stack.systemToken, after });
      followers.push(refused);
      await waitFor(() => refused.ended.length > 0);
      await refused.stop();
      expect(JSON.stringify(refused.ended[0])).toContain('"rule":"positionOfTheLog"');
    }
  });

  it("When a front-office caller asks for a snapshot, then it gets its own client's transfers, both sides, the credited ones as a statement shows them, and FORBIDDEN for another client", async () => {
    const p = await parties();
    await workload(p, 2); // a1 -> b1 (A pays B), b1 -> a2 (B pays A) twice, a1 -> a2
    const token = await stack.clientToken(p.b);
    const view = await stack.graphql(
      `{ transferSnapshot { position counts { status count } recent { amount clientId accountId counterAccountId } } }`,
      {},
      { token },
    );
    const seen = view.data!.transferSnapshot;
    expect(seen.counts).toEqual([{ status: "COMPLETED", count: 3 }]);
    expect(seen.recent).toEqual(
      expect.arrayContaining([
        { amount: "2.00", clientId: p.b, accountId: p.b1, counterAccountId: p.a2 },
        { amount: "1.00", clientId: null, accountId: null, counterAccountId: p.b1 },
      ]),
    );
    const refused = await stack.graphql(
      `query($c: ID) { transferSnapshot(clientId: $c) { position } }`,
      { c: p.a },
      { token },
    );
    expect(refused.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });

  it("When several subscribers resume from a cursor, then each catches up on a stream of its own and, once an event arrives over both, moves to the one shared stream", async () => {
    const p = await parties();
    const start = (await snapshot()).position;
    await workload(p, 2); // a1 -> b1, b1 -> a2 twice, a1 -> a2
    const resumers = [0, 1, 2].map(() =>
      follow({ url: wsUrl, token: stack.systemToken, filter: { accountId: p.a1 }, after: start }),
    );
    followers.push(...resumers);
    const caught = await loggedEvents(stack, start, { accountId: p.a1 });
    expect(caught).toHaveLength(4);
    for (const resumer of resumers) await caughtUp(resumer, 4);
    // A quiet scope: each still on its own stream, and all on the shared one, held back.
    expect(stack.gateway.subscriptions.stats().upstreamSubscriptions).toBe(4);

    await workload(p, 1); // a1 -> b1 and b1 -> a2: one more of a1's
    const expected = await loggedEvents(stack, start, { accountId: p.a1 });
    expect(expected).toHaveLength(6);
    for (const resumer of resumers) await caughtUp(resumer, 6);
    await waitFor(() => stack.gateway.subscriptions.stats().upstreamSubscriptions === 1);
    await workload(p, 1); // again: one more of a1's, over the shared stream only
    const all = await loggedEvents(stack, start, { accountId: p.a1 });
    for (const resumer of resumers) {
      await caughtUp(resumer, all.length);
      expect(received(resumer.events)).toEqual(received(all));
    }
    expect(stack.gateway.subscriptions.stats().upstreamSubscriptions).toBe(1);
  });
});
