/**
 * A notice hub holds one LISTEN connection from its start until it stops (decision 0052), and
 * notices reach the subscribers of their key.
 */
import pg from "pg";
import { NoticeHub } from "../../common/db/notice-hub";
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

  const heard = (key: string) => {
    const notices: number[] = [];
    const unsubscribe = hub.subscribe(key, {
      onNotice: (notice) => notices.push(notice.n),
      onReconnect: () => {},
    });
    return { notices, unsubscribe };
  };

  const until = async (check: () => boolean | Promise<boolean>, ms = 5_000): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error("timed out");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it("When the hub has started, then it listens before any subscription comes", async () => {
    expect(hub.listens).toBe(true);
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
    expect(unreachable.listens).toBe(false);
    await expect(unreachable.ready()).rejects.toThrow();
    await unreachable.stop();
  });
});
