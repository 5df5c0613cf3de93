/**
 * The ledger announces an account's activity only while a stream is open on it (migration
 * 1732430000000, decision 0065): NOTIFY makes its transaction commit after every other announcing
 * one, so announcing every payment made every payment wait for the one before. Checked with a
 * LISTEN connection of the test's own, real graphql-ws streams through the gateway, and a payment
 * held open in a transaction while a stream starts.
 */
import { randomUUID } from "node:crypto";
import { type Client } from "graphql-ws";
import pg from "pg";
import { DataSource } from "typeorm";
import { ActivityWatches } from "../../subgraphs/ledger/events/activity-watches";
import { ActivityRepository } from "../../subgraphs/ledger/persistence/activity.repository";
import { fund, openAccount, settlementAccountId } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { connectClient, disposeClients, sleep, waitFor, watch } from "../helpers/subscriptions";

let stack: Stack;
let admin: pg.Client;
/** The account ids of the `ledger_activity` notices heard since the suite started. */
const announced: string[] = [];
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startStack();
  admin = new pg.Client({ connectionString: stack.databaseUrl });
  await admin.connect();
  admin.on("notification", (message) => announced.push(JSON.parse(message.payload!).accountId));
  await admin.query("LISTEN ledger_activity");
});
afterEach(() => disposeClients(clients, stack.gateway));
afterAll(async () => {
  await admin.end();
  await stack.stop();
});

const ACTIVITY = `subscription($accountId: ID!) {
  accountActivity(accountId: $accountId) { sequence balance { posted } }
}`;

interface Activity {
  sequence: string;
  balance: { posted: string };
}

/** An accountActivity stream through the gateway, a system caller's unless `token` is given. */
const stream = (accountId: string, token = stack.systemToken) =>
  watch<Activity>(connectClient(stack.gateway, token, clients), ACTIVITY, { accountId }, "accountActivity");

/** The rows of a ledger table about the account. */
const rowsOf = async (table: "activity_watch" | "account_activity", accountId: string) =>
  Number(
    (await admin.query(`SELECT count(*) FROM ledger.${table} WHERE account_id = $1`, [accountId])).rows[0]
      .count,
  );
const watches = (accountId: string) => rowsOf("activity_watch", accountId);
const recorded = (accountId: string) => rowsOf("account_activity", accountId);

async function until(condition: () => Promise<boolean>, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("the condition did not hold in time");
    await sleep(20);
  }
}

describe("account activity announced only for watched accounts", () => {
  it("When nobody has a stream on an account, then its payments are recorded but not announced; while one is open they are, and after it ends, not again", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    const settlement = await settlementAccountId(stack);
    await fund(stack, account.id, "1.00");
    await sleep(200);
    expect(await recorded(account.id)).toBe(1);
    expect(announced).not.toContain(account.id);

    const before = stack.ledger.activity.size;
    const watcher = stream(account.id);
    await waitFor(() => stack.ledger.activity.size > before);
    expect(await watches(account.id)).toBe(1);
    await fund(stack, account.id, "2.00");
    await watcher.until(1);
    await waitFor(() => announced.includes(account.id));
    expect(watcher.events.map((a) => `${a.sequence} ${a.balance.posted}`)).toEqual(["2 3.00"]);

    await disposeClients(clients, stack.gateway);
    await until(async () => (await watches(account.id)) === 0);
    const heard = announced.length;
    await fund(stack, account.id, "4.00");
    await sleep(200);
    expect(await recorded(account.id)).toBe(3);
    expect(announced.length).toBe(heard);
    // The settlement account, on the other side of every payment, was never watched.
    expect(announced).not.toContain(settlement);
  });

  it("When a payment on the account is in flight as a stream starts, then the stream waits for it and gets it at its commit, before any later payment", async () => {
    const account = await openAccount(stack, { clientId: await importClient(stack) });
    const settlement = await settlementAccountId(stack);
    const payer = new pg.Client({ connectionString: stack.databaseUrl });
    await payer.connect();
    try {
      await payer.query("BEGIN");
      // 1.00 from settlement, as `fund` pays it, and not committed yet: it holds the account row.
      await payer.query(
        `SELECT id FROM ledger.create_payment('IMMEDIATE', $1, 'held', $2, $3, 100, 'EUR', 'held', NULL, 'test', $4)`,
        [randomUUID(), settlement, account.id, randomUUID()],
      );
      const before = stack.ledger.activity.size;
      const watcher = stream(account.id);
      // The watch waits for the payment in flight: nothing is registered, no stream open yet.
      await sleep(500);
      expect(await watches(account.id)).toBe(0);
      expect(stack.ledger.activity.size).toBe(before);
      await payer.query("COMMIT");
      // It arrives on its own, read from the table once the watch is made: not announced, and
      // not waiting for a later payment's announcement to show a gap.
      await watcher.until(1);
      expect(await watches(account.id)).toBe(1);
      await fund(stack, account.id, "2.00");
      await watcher.until(2);
      await sleep(200);
      expect(watcher.errors).toEqual([]);
      expect(watcher.events.map((a) => `${a.sequence} ${a.balance.posted}`)).toEqual(["1 1.00", "2 3.00"]);
    } finally {
      await payer.query("ROLLBACK").catch(() => undefined);
      await payer.end();
    }
  });

  it("When a stream's watch expires, then the renewal or the account's next stream makes it again and says its announcements may have lapsed; one near its end is made again, not extended; a watch is deleted with its last stream, and one long expired by the next renewal", async () => {
    const one = await openAccount(stack, { clientId: await importClient(stack) });
    const other = await openAccount(stack, { clientId: await importClient(stack) });
    const db = new DataSource({ type: "postgres", url: stack.databaseUrl });
    await db.initialize();
    const lapsed: string[] = [];
    // Renewed every 800 ms; made again under the account's lock when it has less than 2 s left.
    const renewing = new ActivityWatches(new ActivityRepository(db), (ids) => lapsed.push(...ids), {
      ttlSeconds: 4,
    });
    const expiry = async (accountId: string) =>
      (await admin.query(`SELECT expires_at FROM ledger.activity_watch WHERE account_id = $1`, [accountId]))
        .rows[0]?.expires_at as Date | undefined;
    const expireIn = (accountId: string, seconds: number) =>
      admin.query(
        `UPDATE ledger.activity_watch SET expires_at = now() + make_interval(secs => $2) WHERE account_id = $1`,
        [accountId, seconds],
      );
    // Left by a process that died two hours ago: deleted by the next renewal.
    await admin.query(
      `INSERT INTO ledger.activity_watch (account_id, watcher, expires_at, lapsed)
       VALUES ($1, gen_random_uuid(), now() - interval '2 hours', true)`,
      [other.id],
    );
    try {
      const releaseOne = await renewing.watch(one.id);
      const releaseOther = await renewing.watch(other.id);
      const first = (await expiry(one.id))!;
      await until(async () => ((await expiry(one.id)) ?? first) > first);
      await sleep(1_000);
      expect([await watches(one.id), await watches(other.id)]).toEqual([1, 1]);
      expect(lapsed).toEqual([]);

      // Alive but close to its end: made again (the account's lock taken), and nothing lapsed.
      // (`lapsed` is written when a watch is made, and left as it is by an extension.)
      const madeLapsed = async () =>
        (await admin.query(`SELECT lapsed FROM ledger.activity_watch WHERE account_id = $1`, [one.id]))
          .rows[0].lapsed as boolean;
      expect(await madeLapsed()).toBe(true);
      await expireIn(one.id, 1.5);
      await sleep(1_000);
      expect(await madeLapsed()).toBe(false);
      expect(lapsed).toEqual([]);
      expect((await expiry(one.id))!.getTime()).toBeGreaterThan(Date.now());

      // Expired: made again and reported, that account alone.
      await expireIn(other.id, -1);
      await waitFor(() => lapsed.length > 0);
      await sleep(1_000);
      expect(lapsed).toEqual([other.id]);
      expect((await expiry(other.id))!.getTime()).toBeGreaterThan(Date.now());

      // A second stream on an account finds its watch expired: made again and reported once.
      await expireIn(one.id, -1);
      const second = await renewing.watch(one.id);
      await sleep(1_000);
      expect(lapsed).toEqual([other.id, one.id]);
      releaseOne();
      expect(await watches(one.id)).toBe(1);
      second();
      releaseOther();
      await until(async () => (await watches(one.id)) + (await watches(other.id)) === 0);
    } finally {
      await renewing.stop();
      await db.destroy();
    }
  });

  it("When a stream's account had its watch expire, then the account's next stream has it catch up with what it missed, without a later payment", async () => {
    const clientId = await importClient(stack);
    const account = await openAccount(stack, { clientId });
    const before = stack.ledger.activity.size;
    const first = stream(account.id);
    await waitFor(() => stack.ledger.activity.size > before);
    await admin.query(
      `UPDATE ledger.activity_watch SET expires_at = now() - interval '1 second' WHERE account_id = $1`,
      [account.id],
    );
    await fund(stack, account.id, "1.00"); // not announced: the watch had expired
    await sleep(300);
    expect(first.events).toEqual([]);
    // Another caller's stream (its own upstream at the ledger) makes the watch again.
    const second = stream(account.id, await stack.clientToken(clientId));
    await first.until(1);
    await fund(stack, account.id, "2.00");
    await first.until(2);
    await second.until(1);
    await sleep(200);
    expect(first.events.map((a) => `${a.sequence} ${a.balance.posted}`)).toEqual(["1 1.00", "2 3.00"]);
    expect(second.events.map((a) => `${a.sequence} ${a.balance.posted}`)).toEqual(["2 3.00"]);
  });
});
