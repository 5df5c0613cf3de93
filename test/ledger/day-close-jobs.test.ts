/**
 * The day close as a background job on pg-boss, with two ledger instances working the same
 * queues: every due day is closed once, and each closed day's daily check is queued once.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import type { Config } from "../../common/config";
import { BackgroundJobName } from "../../subgraphs/ledger/jobs/ledger-jobs";
import { type LedgerSubgraph, startLedgerSubgraph } from "../../subgraphs/ledger/server";
import { suiteDatabase, testConfig } from "../helpers/stack";

/** Answers the daily check's transfer query with no transfers. */
function emptyTransferSubgraph(): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => (body += chunk));
    request.on("end", () => {
      const { query } = JSON.parse(body) as { query: string };
      const aliases = [...query.matchAll(/(\w+): transfers\(/g)].map((m) => m[1]);
      response.setHeader("content-type", "application/json");
      response.end(JSON.stringify({ data: Object.fromEntries(aliases.map((a) => [a, { nodes: [] }])) }));
    });
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

async function until(check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("Day close job", () => {
  let database: { url: string; drop: () => Promise<void> };
  let transfers: http.Server;
  let db: pg.Client;
  const instances: LedgerSubgraph[] = [];

  afterAll(async () => {
    for (const instance of instances) await instance.stop();
    await db?.end();
    transfers?.close();
    await database?.drop();
  });

  it("When two ledger instances are both asked to close the due days, then each day is closed once and checked once", async () => {
    database = await suiteDatabase();
    transfers = await emptyTransferSubgraph();
    const base = testConfig();
    const config: Config = { ...base, ledger: { ...base.ledger, days: { ...base.ledger.days, jobs: true } } };
    const transferUrl = () => `http://127.0.0.1:${(transfers.address() as AddressInfo).port}/graphql`;
    instances.push(await startLedgerSubgraph(config, database.url, { transferUrl, jobPollingSeconds: 0.5 }));
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    // The bank's accounts were opened four days ago: at least three days are due (yesterday only
    // once the close's grace after midnight has passed, decision 0036).
    await db.query(`UPDATE ledger.account SET created_at = now() - interval '4 days'`);
    instances.push(await startLedgerSubgraph(config, database.url, { transferUrl, jobPollingSeconds: 0.5 }));

    const jobs = await Promise.all(
      instances.map((instance, i) => instance.jobs.send(BackgroundJobName.DAY_CLOSE, {}, `instance-${i}`)),
    );
    await until(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM ledger.background_job WHERE id = ANY ($1) AND state = 'SUCCEEDED'`,
        [jobs],
      );
      return rows[0].n === 2;
    });

    const closes = await db.query(
      `SELECT business_day, closed_by, accounts FROM ledger.day_close ORDER BY 1`,
    );
    expect(closes.rows.length).toBeGreaterThanOrEqual(3);
    const { rows: results } = await db.query(`SELECT result FROM ledger.background_job WHERE id = ANY ($1)`, [
      jobs,
    ]);
    const closedByJobs = results.flatMap((r) =>
      r.result.closed.map((c: { businessDay: string }) => c.businessDay),
    );
    expect(closedByJobs.sort()).toEqual(
      closes.rows.map((r) => r.business_day.toISOString().slice(0, 10)).sort(),
    );
    expect(new Set(closedByJobs).size).toBe(closedByJobs.length);
    const { rows: accounts } = await db.query(`SELECT count(*)::int AS n FROM ledger.account`);
    const { rows: balances } = await db.query(`SELECT count(*)::int AS n FROM ledger.daily_balance`);
    expect(balances[0].n).toBe(accounts[0].n * closes.rows.length);

    // Each closed day's daily check was queued once, and runs on one of the instances.
    await until(async () => {
      const { rows } = await db.query(
        `SELECT count(*)::int AS n FROM ledger.check_run WHERE kind = 'DAILY_CHECK'`,
      );
      return rows[0].n === closes.rows.length;
    });
    const { rows: checks } = await db.query(
      `SELECT business_day, count(*)::int AS n, min(checks_failed) AS failed FROM ledger.check_run GROUP BY 1`,
    );
    expect(checks.every((c) => c.n === 1 && c.failed === 0)).toBe(true);
  });

  it("When an instance queues a job itself, then its worker starts it at once, not at its next poll", async () => {
    const own = await suiteDatabase();
    const base = testConfig();
    const config: Config = { ...base, ledger: { ...base.ledger, days: { ...base.ledger.days, jobs: true } } };
    // Polling once a minute: its first look for jobs is at start, the next a minute later.
    const instance = await startLedgerSubgraph(config, own.url, { jobPollingSeconds: 60 });
    const client = new pg.Client({ connectionString: own.url });
    await client.connect();
    try {
      // Past the worker's first look (at start), well before its next.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const id = await instance.jobs.send(BackgroundJobName.ACCOUNT_BALANCE_CHECK, {}, "test");
      await until(async () => {
        const { rows } = await client.query(`SELECT state FROM ledger.background_job WHERE id = $1`, [id]);
        return rows[0]?.state === "SUCCEEDED";
      }, 15_000);
    } finally {
      await client.end();
      await instance.stop();
      await own.drop();
    }
  });
});
