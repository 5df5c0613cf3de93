/**
 * Daily balances, their recalculation and the daily check, on real PostgreSQL: postings are
 * booked at chosen instants (the ledger's API books only "now"), days are closed by the ledger's
 * own function and checked by the ledger's jobs, played here with `jobs.runDue`.
 */
import pg from "pg";
import { BackgroundJobName } from "../../subgraphs/ledger/jobs/ledger-jobs";
import { fund, openAccount, settlementAccountId } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";

let stack: Stack;
let db: pg.Client;

beforeAll(async () => {
  stack = await startStack();
  db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
});

afterAll(async () => {
  await db.end();
  await stack.stop();
});

/** Books `amount` (minor units) from `debit` to `credit` at `at`, as a posting would. */
async function bookAt(debit: string, credit: string, amount: number, at: string): Promise<void> {
  await db.query("BEGIN");
  await db.query(
    `WITH t AS (INSERT INTO ledger.ledger_transaction (kind, created_at) VALUES ('IMMEDIATE', $4) RETURNING id),
          d AS (UPDATE ledger.account SET posted = posted - $3 WHERE id = $1 RETURNING posted, currency),
          c AS (UPDATE ledger.account SET posted = posted + $3 WHERE id = $2 RETURNING posted)
     INSERT INTO ledger.entry (transaction_id, account_id, currency, amount, balance_after)
     SELECT t.id, $1, d.currency, -$3::bigint, d.posted FROM t, d
     UNION ALL SELECT t.id, $2, d.currency, $3::bigint, c.posted FROM t, d, c`,
    [debit, credit, amount, at],
  );
  await db.query("COMMIT");
}

async function closeDay(day: string, zone = "Europe/London") {
  const { rows } = await db.query(`SELECT * FROM ledger.close_business_day($1, $2, 'test')`, [day, zone]);
  return rows[0] as { accounts: number; entries: string } | undefined;
}

/** A client account opened "in the past", so that the days below find it. */
async function pastAccount(since = "2025-01-01T00:00:00Z"): Promise<string> {
  const { id } = await openAccount(stack);
  await db.query(`UPDATE ledger.account SET created_at = $2 WHERE id = $1`, [id, since]);
  return id;
}

const DAILY = `query($id: ID!, $from: String, $to: String) {
  account(id: $id) { dailyBalances(from: $from, to: $to) {
    totalCount nodes { businessDay currency openingBalance closingBalance totalDebits totalCredits entryCount }
  } }
}`;

async function dailyOf(accountId: string, from: string, to: string) {
  const result = await stack.graphql(DAILY, { id: accountId, from, to });
  expect(result.errors).toBeUndefined();
  return result.data!.account.dailyBalances.nodes as Record<string, unknown>[];
}

describe("Daily account balances", () => {
  it("When a day with known entries closes, then opening, closing and totals are the entries', across the BST boundary", async () => {
    const settlement = await settlementAccountId(stack);
    const a = await pastAccount();
    const b = await pastAccount();
    // 2025-03-30 is the first day of British Summer Time (starts 01:00 UTC).
    await bookAt(settlement, a, 10_000, "2025-03-29T12:00:00Z"); // day before: opening 100.00
    await bookAt(settlement, a, 2_550, "2025-03-29T23:30:00Z"); // 23:30 UTC (GMT) on the 29th: the 29th
    await bookAt(a, b, 1_000, "2025-03-30T23:30:00Z"); // 23:30 UTC is 00:30 BST on the 31st: not the 30th
    await bookAt(a, b, 500, "2025-03-30T10:00:00Z");
    await bookAt(b, a, 125, "2025-03-30T22:59:59Z"); // 23:59:59 BST: the 30th
    for (const day of ["2025-03-29", "2025-03-30", "2025-03-31"]) expect(await closeDay(day)).toBeDefined();

    const days = await dailyOf(a, "2025-03-29", "2025-03-31");
    expect(days).toEqual([
      {
        businessDay: "2025-03-29",
        currency: "EUR",
        openingBalance: "0.00",
        closingBalance: "125.50",
        totalDebits: "0.00",
        totalCredits: "125.50",
        entryCount: 2,
      },
      {
        businessDay: "2025-03-30",
        currency: "EUR",
        openingBalance: "125.50",
        closingBalance: "121.75",
        totalDebits: "5.00",
        totalCredits: "1.25",
        entryCount: 2,
      },
      {
        businessDay: "2025-03-31",
        currency: "EUR",
        openingBalance: "121.75",
        closingBalance: "111.75",
        totalDebits: "10.00",
        totalCredits: "0.00",
        entryCount: 1,
      },
    ]);
  });

  it("When an account had no entries on a closed day, then its day opens and closes at its balance with zero totals", async () => {
    const settlement = await settlementAccountId(stack);
    const a = await pastAccount();
    await bookAt(settlement, a, 4_200, "2025-04-01T09:00:00Z");
    await closeDay("2025-04-01");
    await closeDay("2025-04-02");
    const [, empty] = await dailyOf(a, "2025-04-01", "2025-04-02");
    expect(empty).toEqual({
      businessDay: "2025-04-02",
      currency: "EUR",
      openingBalance: "42.00",
      closingBalance: "42.00",
      totalDebits: "0.00",
      totalCredits: "0.00",
      entryCount: 0,
    });
    expect(await closeDay("2025-04-02")).toBeUndefined(); // a closed day closes once
  });

  it("When stored days were tampered with, then the daily check reports both with details, and recalculation corrects and reports them", async () => {
    const settlement = await settlementAccountId(stack);
    const a = await pastAccount();
    const b = await pastAccount();
    await bookAt(settlement, a, 1_000, "2025-05-01T09:00:00Z");
    await bookAt(settlement, b, 2_000, "2025-05-02T09:00:00Z");
    await closeDay("2025-05-01");
    await closeDay("2025-05-02");
    // Someone bypasses the ledger: a's day gains 1.00 it never had; b's day opens where nothing closed.
    await db.query("SET session_replication_role = replica");
    await db.query(
      `UPDATE ledger.daily_balance SET total_credits = total_credits + 100, closing = closing + 100
        WHERE account_id = $1 AND business_day = '2025-05-02'`,
      [a],
    );
    await db.query(
      `UPDATE ledger.daily_balance SET opening = opening + 7, closing = closing + 7 WHERE account_id = $1 AND business_day = '2025-05-02'`,
      [b],
    );
    await db.query("SET session_replication_role = DEFAULT");

    const jobId = await stack.ledger.jobs.send(
      BackgroundJobName.DAILY_CHECK,
      { businessDay: "2025-05-02" },
      "test",
    );
    expect(await stack.ledger.jobs.runDue(BackgroundJobName.DAILY_CHECK)).toContain(jobId);
    const runs = await stack.rest(
      "GET",
      "/internal/DailyCheck?kind=dailyCheck&from=2025-05-02&to=2025-05-02",
    );
    expect(runs.status).toBe(200);
    expect(runs.body.isSuccess).toBe(true);
    const [run] = runs.body.value.items;
    expect(run).toMatchObject({
      kind: "dailyCheck",
      businessDay: "2025-05-02",
      jobId,
      checksFailed: 3,
      checksPassed: 4,
    });
    expect(run.results.filter((r: any) => !r.passed).map((r: any) => r.check)).toEqual([
      "currencySumsToZero", // the day's closing balances no longer sum to zero in EUR
      "dailyBalancesMatchEntries",
      "dayChainUnbroken",
    ]);

    const details = await stack.rest("GET", `/internal/DailyCheck/details?runId=${run.id}&first=100`);
    expect(details.status).toBe(200);
    const findings = details.body.value.items as any[];
    const mismatch = findings.filter((f) => f.check === "dailyBalancesMatchEntries");
    expect(mismatch.map((f) => f.subjectId).sort()).toEqual([a, b].sort());
    expect(mismatch.find((f) => f.subjectId === a).details).toMatchObject({
      storedCredits: "100",
      credits: "0",
      storedClosing: "1100",
      closing: "1000",
    });
    const chain = findings.filter((f) => f.check === "dayChainUnbroken");
    expect(chain).toEqual([
      expect.objectContaining({
        subjectKind: "ACCOUNT",
        subjectId: b,
        businessDay: "2025-05-02",
        details: { previousClosing: "0", opening: "7" },
      }),
    ]);

    const recalculated = await stack.rest("POST", "/internal/DailyAccountBalance/recalculate", {
      body: { from: "2025-05-01", to: "2025-05-02" },
    });
    expect(recalculated.status).toBe(200);
    const { value } = recalculated.body;
    expect(value.rowsCorrected).toBe(2);
    expect(value.differences).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          accountId: a,
          businessDay: "2025-05-02",
          stored: expect.objectContaining({ closingBalance: "11.00", totalCredits: "1.00" }),
          actual: expect.objectContaining({ closingBalance: "10.00", totalCredits: "0.00" }),
        }),
        expect.objectContaining({
          accountId: b,
          stored: expect.objectContaining({ openingBalance: "0.07" }),
        }),
      ]),
    );
    // The auditor keeps what was corrected.
    const { rows } = await db.query(
      `SELECT c.old_closing::text, c.new_closing::text FROM ledger.daily_balance_correction c
         JOIN ledger.daily_balance b ON b.id = c.daily_balance_id WHERE b.account_id = $1`,
      [a],
    );
    expect(rows).toEqual([{ old_closing: "1100", new_closing: "1000" }]);
    const again = await stack.rest("POST", "/internal/DailyAccountBalance/recalculate", {
      body: { from: "2025-05-01", to: "2025-05-02" },
    });
    expect(again.body.value.rowsCorrected).toBe(0);
    // Outside a recalculation a stored day cannot change.
    await expect(
      db.query(`UPDATE ledger.daily_balance SET opening = 0 WHERE account_id = $1`, [a]),
    ).rejects.toThrow(/only through a recalculation/);
  });

  it("When the REST list is asked for an account's days, then it answers the envelope with a page; bad dates are 400 naming the field", async () => {
    const a = await pastAccount();
    await fund(stack, a, "1.00");
    await closeDay("2025-06-01");
    const list = await stack.rest(
      "GET",
      `/internal/DailyAccountBalance?account=${a}&from=2025-06-01&to=2025-06-01`,
    );
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ isSuccess: true, isFailed: false });
    expect(list.body.value.totalCount).toBe(1);
    expect(list.body.value.items[0]).toMatchObject({
      accountId: a,
      businessDay: "2025-06-01",
      closingBalance: "0.00",
    });
    const bad = await stack.rest("GET", "/internal/DailyAccountBalance?from=2025-13-01");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.errors)).toContain("from");
    const front = await stack.rest("GET", "/internal/DailyAccountBalance", {
      token: await stack.clientToken(a),
    });
    expect(front.status).toBe(403);
  });

  it("When the balance check is run through REST, then it answers a run id whose job records the check run", async () => {
    const started = await stack.rest("POST", "/internal/BackgroundJob/AccountBalanceCheckJob");
    expect(started.status).toBe(200);
    const runId = started.body.value.id as string;
    expect(started.body.value).toMatchObject({ name: "accountBalanceCheck", state: "queued" });
    await stack.ledger.jobs.runDue(BackgroundJobName.ACCOUNT_BALANCE_CHECK);
    const job = await stack.graphql(`query($id: ID!) { backgroundJob(id: $id) { state attempts result } }`, {
      id: runId,
    });
    expect(job.data!.backgroundJob).toMatchObject({ state: "SUCCEEDED", attempts: 1 });
    expect(job.data!.backgroundJob.result).toMatchObject({ checksPassed: 3, checksFailed: 0 });
    const front = await stack.graphql(
      `{ backgroundJobs { totalCount } }`,
      {},
      { token: await stack.clientToken(runId) },
    );
    expect(front.errors?.[0].extensions?.code).toBe("FORBIDDEN");
  });
});
