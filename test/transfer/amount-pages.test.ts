/**
 * Pages of an amount range that holds few transfers (decision 0055): read through the amount
 * index and sorted, or by walking the order's index, they are the same pages, equal to plain
 * SQL's rows in keyset order, page by page with their cursors; the counter's in-memory copy picks
 * the path without a statement per page, a stale copy changes no answer, and an idle instance
 * reads nothing.
 */
import type { DataSource } from "typeorm";
import { createDataSource, migrate, type StatementCounter } from "../../common/db/data-source";
import type { KeysetPosition } from "../../common/db/keyset-position";
import { TRANSFER_COUNTER } from "../../subgraphs/transfer/persistence/counters";
import { TRANSFER_SCHEMA, transferEntities, transferMigrations } from "../../subgraphs/transfer/persistence";
import {
  amountBucketOf,
  type AmountFilter,
  FewAmounts,
  type FewAmountsOptions,
  FEW_SHARE,
} from "../../subgraphs/transfer/persistence/few-amounts";
import { CoveringAmountIndex1732400000000 } from "../../subgraphs/transfer/persistence/migrations/1732400000000-CoveringAmountIndex";
import { TransferRepository } from "../../subgraphs/transfer/persistence/transfer.repository";
import { suiteDatabase } from "../helpers/stack";
import { transferMigrationDatabase } from "../helpers/transfers";

const KINDS = ["INTERNAL", "OUTGOING", "INCOMING", "FX"];
const STATUSES = ["CREATED", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED"];
/** Transfers seeded; fifty share each `created_at`, so pages end inside a tie. */
const SEEDED = 3000;

/** Every filter shape the few path takes, narrow and broad. */
const FILTERS: AmountFilter[] = [
  { minAmount: "100000.00" }, // the tail: 30
  { minAmount: "100000.00", status: "FAILED" },
  { minAmount: "100000.00", status: "FAILED", kind: "OUTGOING" },
  { minAmount: "5000.00", maxAmount: "5000.00", status: "COMPLETED" },
  { minAmount: "250", maxAmount: "260" },
  { minAmount: "5000.00", maxAmount: "5000.00" }, // a bound on an exact value: 30 transfers at 5000
  { maxAmount: "5000" }, // and the upper bound on it
  { minAmount: "15.55", maxAmount: "123.45", kind: "FX" },
  { minAmount: "900000000" }, // empty
  { minAmount: "300", maxAmount: "200" }, // empty, bounds crossed
  { minAmount: "1" }, // broad
  { minAmount: "1", status: "COMPLETED" }, // broad, by status: many pages
];

let database: { url: string; drop: () => Promise<void> };
let db: DataSource;
let statements: StatementCounter;
/** The statements sent since the last `sent.length = 0`. */
const sent: { text: string; values: unknown[] }[] = [];

beforeAll(async () => {
  database = await suiteDatabase();
  ({ dataSource: db, statements } = createDataSource({
    url: database.url,
    schema: TRANSFER_SCHEMA,
    entities: transferEntities,
    migrations: [],
    poolSize: 4,
  }));
  const counted = statements.logQuery.bind(statements);
  statements.logQuery = (query, parameters, runner) => {
    sent.push({ text: query, values: parameters ?? [] });
    counted(query, parameters, runner);
  };
  await db.initialize();
  // Amounts: two in every 200 in the tail (100,000 and up), two more exactly 5000.00 (each pair
  // created at once: ties inside these ranges too), the rest spread from 0.01 to about 1,000;
  // kinds cycling at another rate, statuses at a third (every status has transfers in the tail).
  await db.query(
    `INSERT INTO transfer.transfer (kind, status, client_id, account_id, amount, currency,
                                    idempotency_scope, idempotency_key, request_hash, created_at)
     SELECT ($1::text[])[1 + n % 4], ($2::text[])[1 + (n / 3) % 5], gen_random_uuid(), gen_random_uuid(),
            CASE WHEN n % 200 IN (0, 1) THEN 100000 + n * 7.31 WHEN n % 200 IN (25, 26) THEN 5000.00
                 ELSE round(((n * 7919) % 100000) / 100.0 + 0.01, 2) END,
            'EUR', 'pages', 'k' || n, 'h', timestamptz '2024-01-01' + (n / 50) * interval '1 second'
       FROM generate_series(1, $3::int) AS n`,
    [KINDS, STATUSES, SEEDED],
  );
  // Vacuumed until the visibility map holds every page (a transaction of the database open during
  // a vacuum keeps the new rows from it): the plan test below wants an index-only read.
  for (let tries = 1; ; tries++) {
    await db.query(`VACUUM (ANALYZE) transfer.transfer`);
    const [{ visible }] = (await db.query(
      `SELECT relallvisible = relpages AS visible FROM pg_class WHERE oid = 'transfer.transfer'::regclass`,
    )) as { visible: boolean }[];
    if (visible || tries === 5) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

const repository = (options: Partial<FewAmountsOptions>) =>
  new TransferRepository(db, new FewAmounts(db, options));

/** Every page of `filter` at `size`, each from the previous one's cursor: the ids of each page. */
async function walk(transfers: TransferRepository, filter: AmountFilter, size: number): Promise<string[][]> {
  const pages: string[][] = [];
  let after: KeysetPosition | undefined;
  for (;;) {
    const { rows } = await transfers.listTransfers(filter, size, after);
    const page = rows.slice(0, size);
    pages.push(page.map((row) => row.id));
    if (rows.length <= size) return pages;
    after = { createdAt: page[size - 1].createdAt, id: page[size - 1].id };
  }
}

/** `filter`'s transfers by plain SQL, in keyset order, cut in pages of `size`. */
async function plainPages(filter: AmountFilter, size: number): Promise<string[][]> {
  const rows = (await db.query(
    `SELECT id FROM transfer.transfer
      WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR kind = $2)
        AND ($3::numeric IS NULL OR amount >= $3) AND ($4::numeric IS NULL OR amount <= $4)
      ORDER BY created_at, id`,
    [filter.status ?? null, filter.kind ?? null, filter.minAmount ?? null, filter.maxAmount ?? null],
  )) as { id: string }[];
  const pages: string[][] = [];
  for (let at = 0; at < rows.length || !pages.length; at += size) {
    pages.push(rows.slice(at, at + size).map((row) => row.id));
  }
  return pages;
}

/** A node of `EXPLAIN (FORMAT JSON)`'s plan. */
interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Heap Fetches"?: number;
  Plans?: PlanNode[];
}

/** `node` and every node under it. */
const planNodes = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(planNodes)];

/** Whether the last page's statement was narrowed to the few path's ids. */
const fewPathTaken = () => sent.some(({ text }) => text.includes("ANY (ARRAY(SELECT m.id"));
/** The statements sent that read the counter's buckets. */
const counterReads = () => sent.filter(({ text }) => text.includes(TRANSFER_COUNTER.totals));

describe("amount-range pages", () => {
  it("When the range's buckets are read in JavaScript, then each amount's bucket is the counter's SQL's", async () => {
    const amounts = [
      "0",
      "0.01",
      "0.999",
      "1",
      "1.0",
      "1.09",
      "1.1",
      "9.99",
      "10",
      "10.5",
      "99.9",
      "100",
      "109.99",
    ]
      .concat(["110", "250", "259.999", "260", "999.99", "1000", "12345.678", "100000.00", "0100", "-5"])
      .concat(["9999999999999999.999"]);
    const [row] = (await db.query(
      `SELECT array_agg(${TRANSFER_COUNTER.range!.buckets.of("a")} ORDER BY i)::int[] AS buckets
         FROM unnest($1::numeric[]) WITH ORDINALITY AS x(a, i)`,
      [amounts],
    )) as { buckets: number[] }[];
    expect(amounts.map(amountBucketOf)).toEqual(row.buckets);
    expect(amountBucketOf("100000.00")).toBe(450);
  });

  it.each([20, 7])(
    "When every filter is walked page by page at size %i, then the few path and the usual one give the same pages, plain SQL's",
    async (size) => {
      const few = repository({ choice: "always" });
      const usual = repository({ choice: "never" });
      for (const filter of FILTERS) {
        const expected = await plainPages(filter, size);
        sent.length = 0;
        const walked = await walk(few, filter, size);
        expect(fewPathTaken()).toBe(true);
        expect({ filter, pages: walked }).toEqual({ filter, pages: expected });
        sent.length = 0;
        expect({ filter, pages: await walk(usual, filter, size) }).toEqual({ filter, pages: expected });
        expect(fewPathTaken()).toBe(false);
      }
      // The seed is what the filters mean to try: a tail, ties across pages, an exact value.
      expect((await plainPages({ minAmount: "100000.00" }, 1000))[0]).toHaveLength(30);
      expect((await plainPages({ minAmount: "5000.00", maxAmount: "5000.00" }, 1000))[0]).toHaveLength(30);
      // ... and its statuses in the tail: a filter by status (and kind) there has rows to get wrong.
      expect(
        (await plainPages({ minAmount: "100000.00", status: "FAILED" }, 1000))[0].length,
      ).toBeGreaterThan(7);
      expect((await plainPages(FILTERS[2], 1000))[0].length).toBeGreaterThan(0);
      expect((await plainPages(FILTERS[3], 1000))[0].length).toBeGreaterThan(0);
    },
  );

  it("When a filter has anything besides an amount range, a status and a kind, then it never takes the few path", async () => {
    const few = repository({ choice: "always" });
    for (const filter of [
      { status: "FAILED" },
      { minAmount: "100000", clientId: "8d7a7d5e-8d1b-4f5c-9d2a-1b2c3d4e5f60" },
      { minAmount: "100000", from: new Date(0) },
      { minAmount: "100000", statusChangedBefore: new Date() },
      { minAmount: "1e5" },
    ]) {
      sent.length = 0;
      await few.listTransfers(filter, 20);
      expect({ filter, few: fewPathTaken() }).toEqual({ filter, few: false });
    }
  });

  it("When the copy of the counter is read, then a narrow range takes the few path through the amount index and a broad one does not", async () => {
    const counted = new FewAmounts(db, { threshold: 100 });
    const transfers = new TransferRepository(db, counted);
    sent.length = 0;
    await transfers.listTransfers({ minAmount: "100000.00" }, 20); // no copy yet: the usual path, and a read
    expect(fewPathTaken()).toBe(false);
    await counted.refresh();
    for (const [filter, few] of [
      [{ minAmount: "100000.00" }, true],
      [{ minAmount: "100000.00", status: "FAILED" }, true],
      [{ minAmount: "5000.00", maxAmount: "5000.00" }, true], // bucket [5000, 5100): its 30 and any other
      [{ minAmount: "1" }, false],
      [{ maxAmount: "500", kind: "FX" }, false],
      [{ minAmount: "970", maxAmount: "999.99" }, false], // under the threshold, but its square over half the table
      [{ minAmount: "970", maxAmount: "999.99", status: "FAILED", kind: "FX" }, true], // a twentieth of those
    ] as const) {
      sent.length = 0;
      await transfers.listTransfers(filter, 20);
      expect({ filter, few: fewPathTaken() }).toEqual({ filter, few });
    }
    const [{ n }] = (await db.query(
      `SELECT count(*)::int AS n FROM transfer.transfer WHERE amount >= 970 AND amount < 1000`,
    )) as { n: number }[];
    expect(n * n).toBeGreaterThan(FEW_SHARE * SEEDED);
    expect((n * n) / 20).toBeLessThan(FEW_SHARE * SEEDED);
    expect(n).toBeLessThanOrEqual(100);
    const lower = new FewAmounts(db, { threshold: 29 }); // the tail holds 30
    await lower.refresh();
    expect(lower.takesFewPath({ minAmount: "100000.00" })).toBe(false);
    expect(lower.takesFewPath({ minAmount: "100000.00", maxAmount: "109999.99" })).toBe(true); // 13

    sent.length = 0;
    await transfers.listTransfers({ minAmount: "100000.00" }, 20);
    const [page] = sent;
    // The seed is vacuumed (beforeAll): the range's entries are read from the covering amount
    // index alone, with no heap row each (decision 0057), and the order's index is not walked.
    const [
      {
        "QUERY PLAN": [plan],
      },
    ] = (await db.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${page.text}`, page.values)) as {
      "QUERY PLAN": [{ Plan: PlanNode }];
    }[];
    const nodes = planNodes(plan.Plan);
    expect(nodes.map((node) => [node["Node Type"], node["Index Name"], node["Heap Fetches"]])).toContainEqual(
      ["Index Only Scan", "transfer_amount_covering_idx", 0],
    );
    expect(nodes.filter((node) => node["Index Name"] === "transfer_created_amount_idx")).toEqual([]);
  });

  it("When the copy is stale either way, then the pages are still plain SQL's", async () => {
    const counted = new FewAmounts(db, { threshold: 100, maxAgeMs: 3_600_000 });
    const transfers = new TransferRepository(db, counted);
    await counted.refresh();
    const tail = { minAmount: "100000.00" };
    const added = (await db.query(
      `INSERT INTO transfer.transfer (kind, status, client_id, account_id, amount, currency,
                                      idempotency_scope, idempotency_key, request_hash, created_at)
       SELECT 'FX', 'CREATED', gen_random_uuid(), gen_random_uuid(), 200000 + n, 'EUR', 'pages',
              'stale' || n, 'h', timestamptz '2024-01-01 00:00:30' + (n / 40) * interval '1 second'
         FROM generate_series(1, 500) AS n RETURNING id`,
    )) as { id: string }[];
    try {
      sent.length = 0;
      const walked = await walk(transfers, tail, 20); // the copy says 30: few path over 530
      expect(fewPathTaken()).toBe(true);
      expect(walked).toEqual(await plainPages(tail, 20));
      await counted.refresh();
      await db.query(`DELETE FROM transfer.transfer WHERE id = ANY ($1)`, [added.map((row) => row.id)]);
      sent.length = 0;
      const after = await walk(transfers, tail, 7); // the copy says 530: the usual path over 30
      expect(fewPathTaken()).toBe(false);
      expect(after).toEqual(await plainPages(tail, 7));
    } finally {
      await db.query(`DELETE FROM transfer.transfer WHERE idempotency_key LIKE 'stale%'`);
    }
  });

  it("When no amount page is asked for, then the instance reads nothing; an old copy is read once, in the background", async () => {
    const counted = new FewAmounts(db, { maxAgeMs: 50 });
    const transfers = new TransferRepository(db, counted);
    await counted.refresh();
    const before = statements.count;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(statements.count).toBe(before);
    sent.length = 0;
    await transfers.listTransfers({ status: "FAILED" }, 20); // no amount: no read
    expect(sent).toHaveLength(1);
    sent.length = 0;
    await Promise.all([
      transfers.listTransfers({ minAmount: "100000.00" }, 20),
      transfers.listTransfers({ minAmount: "1" }, 20),
    ]);
    // A copy older than twice its age limit is not trusted: the tail took the usual path.
    expect(fewPathTaken()).toBe(false);
    // The read started by the first page runs in the background: wait for it (and any other).
    for (let waited = 0; waited < 2000 && !counterReads().length; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(counterReads()).toHaveLength(1);
    expect(sent).toHaveLength(3);
    // With the copy just read, the tail takes the few path.
    await counted.refresh();
    sent.length = 0;
    await transfers.listTransfers({ minAmount: "100000.00" }, 20);
    expect(fewPathTaken()).toBe(true);
  });
});

describe("CoveringAmountIndex1732400000000", () => {
  const migrationDatabase = transferMigrationDatabase();
  /** The names of the transfer table's indexes led by `amount`. */
  const amountIndexes = async (source: DataSource) =>
    (await source.query(
      `SELECT indexname AS name FROM pg_indexes
        WHERE schemaname = 'transfer' AND tablename = 'transfer' AND indexdef LIKE '%USING btree (amount)%'
        ORDER BY indexname`,
    )) as { name: string }[];

  it("When the migration runs and is reverted, then the amount index holds the order's columns, then is as before", async () => {
    const upTo = transferMigrations.indexOf(CoveringAmountIndex1732400000000) + 1;
    const source = migrationDatabase.source(transferMigrations.slice(0, upTo));
    await source.initialize();
    await migrate(source, TRANSFER_SCHEMA);
    const [covering] = (await source.query(
      `SELECT indexdef FROM pg_indexes WHERE indexname = 'transfer_amount_covering_idx'`,
    )) as { indexdef: string }[];
    expect(covering.indexdef).toContain("(amount) INCLUDE (status, kind, created_at, id)");
    expect(await amountIndexes(source)).toEqual([{ name: "transfer_amount_covering_idx" }]);
    await source.undoLastMigration({ transaction: "each" });
    expect(await amountIndexes(source)).toEqual([{ name: "transfer_amount_idx" }]);
  });
});
