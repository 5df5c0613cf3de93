/**
 * A notice hub holds one LISTEN connection from its start until it stops (decision 0052), and
 * notices reach the subscribers of their key. One made with `listenAtStart: false` (the ledger's)
 * LISTENs on that connection from its first `ready()` on, and for good (decision 0054).
 */
import pg from "pg";
import { NoticeHub } from "../../common/db/notice-hub";
import { startTcpProxy } from "../helpers/faults";
import { emptyDatabase } from "../helpers/stack";

const CHANNEL = "hub_test";

interface Notice {
  key: string;
  n: number;
}

describe("notice hub", () => {
  let database: { url: string; drop: () => Promise<void> };
  let admin: pg.Client;
  let hub: NoticeHub<Notice>;

  beforeAll(async () => {
    database = await emptyDatabase();
    admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.end();
    await database.drop();
  });
  beforeEach(async () => {
    hub = new NoticeHub<Notice>(CHANNEL, (notice) => notice.key);
    await hub.start(database.url);
  });
  afterEach(() => hub.stop());

  /** The backends listening for the hub (by the listener's application name). */
  const listeners = async (): Promise<number[]> =>
    (
      await admin.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND datname = current_database()`,
        [`listen:${CHANNEL}`],
      )
    ).rows.map((row) => row.pid);

  const notify = (notice: Notice) =>
    admin.query(`SELECT pg_notify($1, $2)`, [CHANNEL, JSON.stringify(notice)]);

  const heard = (key: string, on = hub) => {
    const notices: number[] = [];
    let reconnects = 0;
    const unsubscribe = on.subscribe(key, {
      onNotice: (notice) => notices.push(notice.n),
      onReconnect: () => reconnects++,
    });
    return { notices, unsubscribe, reconnects: () => reconnects };
  };

  const until = async (check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error("timed out");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it("When the hub has started, then it listens before any subscription comes", async () => {
    expect(hub.connected).toBe(true);
    expect(await listeners()).toHaveLength(1);
    const a = heard("a");
    await notify({ key: "a", n: 1 });
    await until(() => a.notices.length === 1);
    a.unsubscribe();
  });

  it("When a subscription is ready, then its key's notices reach it, and other keys' do not", async () => {
    const a = heard("a");
    await hub.ready();
    expect(await listeners()).toHaveLength(1);
    await notify({ key: "b", n: 1 });
    await notify({ key: "a", n: 2 });
    await until(() => a.notices.length === 1);
    expect(a.notices).toEqual([2]);
    a.unsubscribe();
  });

  it("When the last subscription ends, then the connection stays open and serves the next one", async () => {
    const first = heard("a");
    await hub.ready();
    const [pid] = await listeners();
    first.unsubscribe();
    const second = heard("a");
    await hub.ready();
    expect(await listeners()).toEqual([pid]);
    await notify({ key: "a", n: 4 });
    await until(() => second.notices.length === 1);
    expect(second.notices).toEqual([4]);
    second.unsubscribe();
  });

  it("When the hub is stopped, then its connection is closed and ready() refuses to open another", async () => {
    heard("a");
    await hub.ready();
    expect(await listeners()).toHaveLength(1);
    await hub.stop();
    await until(async () => (await listeners()).length === 0);
    await expect(hub.ready()).rejects.toThrow(/stopped/);
    expect(await listeners()).toEqual([]);
  });

  it("When the database cannot be reached, then start() rejects, and a later ready() tries again", async () => {
    const unreachable = new NoticeHub<Notice>(CHANNEL, (notice) => notice.key);
    await expect(unreachable.start("postgres://127.0.0.1:1/nowhere")).rejects.toThrow();
    expect(unreachable.connected).toBe(false);
    await expect(unreachable.ready()).rejects.toThrow();
    await unreachable.stop();
  });

  describe("listening from the first ready()", () => {
    let lazy: NoticeHub<Notice>;
    beforeEach(async () => {
      lazy = new NoticeHub<Notice>(CHANNEL, (notice) => notice.key, { listenAtStart: false });
      await lazy.start(database.url);
    });
    afterEach(() => lazy.stop());

    /** Waits long enough for a notice to arrive had it been sent to the process. */
    const quiet = () => new Promise((resolve) => setTimeout(resolve, 300));

    /** Notice `n` does not reach `a` (nor the process); after the hub's `ready()`, notice `n + 1` does. */
    const deafUntilReady = async (a: ReturnType<typeof heard>, n: number) => {
      await notify({ key: "a", n });
      await quiet();
      expect(a.notices).toEqual([]);
      await lazy.ready();
      await notify({ key: "a", n: n + 1 });
      await until(() => a.notices.length === 1);
      expect(a.notices).toEqual([n + 1]);
    };

    it("When no ready() has come, then the connection is open but no notice reaches the process; after it, every one does", async () => {
      expect(lazy.connected).toBe(true);
      expect(await listeners()).toHaveLength(2); // the eager hub's and this one's
      const a = heard("a", lazy);
      await deafUntilReady(a, 1);
      a.unsubscribe();
      // For good: the last subscription gone, the next one hears without a ready() of its own.
      const b = heard("a", lazy);
      await notify({ key: "a", n: 3 });
      await until(() => b.notices.length === 1);
      expect(b.notices).toEqual([3]);
      b.unsubscribe();
    });

    it("When its connection is lost after it listened, then the new one listens again and subscribers hear onReconnect", async () => {
      const a = heard("a", lazy);
      await lazy.ready();
      const before = new Set(await listeners());
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY ($1)`, [
        [...before],
      ]);
      await until(async () => (await listeners()).filter((pid) => !before.has(pid)).length === 2);
      await until(() => a.reconnects() === 1);
      await notify({ key: "a", n: 5 });
      await until(() => a.notices.length === 1);
      expect(a.notices).toEqual([5]);
      a.unsubscribe();
    });

    it("When its connection is lost during its first LISTEN, then ready() still resolves, the next connection listens and subscribers hear onReconnect", async () => {
      const proxy = await startTcpProxy(database.url);
      const behind = new NoticeHub<Notice>(CHANNEL, (notice) => notice.key, { listenAtStart: false });
      try {
        await behind.start(proxy.url);
        const a = heard("a", behind);
        const cut = proxy.intercept(`LISTEN ${CHANNEL}`, "cut");
        await expect(behind.ready()).resolves.toBeUndefined();
        await cut.seen;
        await until(() => a.reconnects() === 1);
        await notify({ key: "a", n: 8 });
        await until(() => a.notices.length === 1);
        expect(a.notices).toEqual([8]);
        a.unsubscribe();
      } finally {
        await behind.stop();
        await proxy.close();
      }
    });

    it("When its connection is lost before any ready(), then the new one does not listen either", async () => {
      const a = heard("a", lazy);
      const before = new Set(await listeners());
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ANY ($1)`, [
        [...before],
      ]);
      await until(() => a.reconnects() === 1);
      await deafUntilReady(a, 6);
      a.unsubscribe();
    });
  });
});
