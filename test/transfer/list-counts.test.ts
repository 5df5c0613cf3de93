/**
 * Transfers' exact counts without a scan (decisions 0043, 0046, 0051, 0058): the counters kept by
 * triggers (two-digit amount buckets, and three-digit ones for the bounds' buckets) agree with
 * `count(*)` for every status x kind filter, with and without amount ranges, after inserts,
 * status and amount changes, deletes, rolled-back transactions and concurrent writers, before and
 * after a roll-up of either; the migrations fill them from the rows already there, and the last
 * two's `down` bring the previous counter back; and the list uses them only for filters they can
 * answer.
 */
import { randomUUID } from "node:crypto";
import type { DataSource, EntityManager } from "typeorm";
import { createDataSource, migrate } from "../../common/db/data-source";
import {
  counterCount,
  countsBy,
  deltasOf,
  type RowCounter,
  rollUp,
  startCountRollUp,
} from "../../common/db/row-counter";
import { createRowCounter, dropRowCounter } from "../../common/db/row-counter-ddl";
import { TABLE_LOCK_WAIT_MS } from "../../common/db/table-lock";
import { TRANSFER_SCHEMA, transferEntities, transferMigrations } from "../../subgraphs/transfer/persistence";
import {
  LEADING_DIGIT_COUNTER,
  STATUS_KIND_COUNTER,
  THREE_DIGIT_COUNTER,
  TRANSFER_COUNTER,
  TRANSFER_COUNTERS,
  TWO_DIGIT_COUNTER,
} from "../../subgraphs/transfer/persistence/counters";
import { ListCounts1732360000000 } from "../../subgraphs/transfer/persistence/migrations/1732360000000-ListCounts";
import { AmountRanges1732370000000 } from "../../subgraphs/transfer/persistence/migrations/1732370000000-AmountRanges";
import { TwoDigitAmountBuckets1732380000000 } from "../../subgraphs/transfer/persistence/migrations/1732380000000-TwoDigitAmountBuckets";
import { ThreeDigitAmountBuckets1732410000000 } from "../../subgraphs/transfer/persistence/migrations/1732410000000-ThreeDigitAmountBuckets";
import { TransferRepository } from "../../subgraphs/transfer/persistence/transfer.repository";
import { mismatches, pendingDeltas, type RangeBounds } from "../helpers/counts";
import { suiteDatabase } from "../helpers/stack";
import { transferMigrationDatabase } from "../helpers/transfers";

const KINDS = ["INTERNAL", "OUTGOING", "INCOMING", "FX"];
const STATUSES = ["CREATED", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED"];
const VALUES = { status: STATUSES, kind: KINDS };
/**
 * Amounts on both sides of the counters' bucket edges (two leading digits and power of ten:
 * [1.0, 1.1), [10, 11), [250, 260), [12000, 13000) ...; three: [1.00, 1.01), [10.5, 10.6),
 * [15.5, 15.6), [123, 124) ...; and those of the previous counter's leading digit: [1, 2),
 * [100, 200) ...) and their middles, below 1, and the largest.
 */
const AMOUNTS = [
  ["0.01", "0.5", "0.999", "1", "1.049", "1.05", "1.099", "1.1", "1.499", "1.5", "1.999", "2"],
  ["9.899", "9.9", "9.99", "10", "10.999", "11", "99.999", "100", "149.999", "150", "199.99"],
  ["200", "249.999", "250", "254.99", "255", "259.999", "260", "299.999", "300", "900", "999.99"],
  ["1000", "12345.678", "12999.999", "13000", "9949999999999999.999", "9999999999999999.999"],
  ["1.004", "1.005", "1.009", "1.01", "10.5", "10.549", "10.55", "10.9", "10.949", "10.95"],
  ["15.499", "15.5", "15.549", "15.55", "15.599", "15.6", "15.99", "16", "16.04"],
  ["122.999", "123", "123.45", "123.499", "123.5", "123.999", "124", "155.5", "159.99"],
].flat();
/**
 * Ranges with each bound on either side of its bucket's middle (counted directly or as the
 * bucket's total minus the rest), on bucket edges, both in one bucket, across several, empty,
 * and one bound alone.
 */
const RANGES: RangeBounds[] = [
  {},
  { minAmount: "0.01" },
  { minAmount: "0.6" },
  { minAmount: "1" },
  { minAmount: "1.2" },
  { minAmount: "1.7" },
  { minAmount: "900.00" },
  { minAmount: "9999999999999999.999" },
  { minAmount: "9950000000000000" },
  { minAmount: "250" },
  { minAmount: "1.04" },
  { minAmount: "1.07" },
  { minAmount: "12999.999" },
  { maxAmount: "0.5" },
  { maxAmount: "1.00" },
  { maxAmount: "1.2" },
  { maxAmount: "1.7" },
  { maxAmount: "210" },
  { maxAmount: "299.99" },
  { maxAmount: "1000" },
  { maxAmount: "250" },
  { maxAmount: "1.04" },
  { maxAmount: "1.07" },
  { maxAmount: "9.9" },
  { maxAmount: "12000" },
  { minAmount: "100", maxAmount: "250" },
  { minAmount: "120", maxAmount: "180" },
  { minAmount: "150", maxAmount: "150" },
  { minAmount: "199.99", maxAmount: "200" },
  { minAmount: "1.7", maxAmount: "260" },
  { minAmount: "0.7", maxAmount: "12345.678" },
  { minAmount: "1000", maxAmount: "10" },
  { minAmount: "251", maxAmount: "259" },
  { minAmount: "249.999", maxAmount: "260" },
  { minAmount: "0.6", maxAmount: "1.05" },
  { minAmount: "10.5", maxAmount: "10.999" },
  { minAmount: "15.55", maxAmount: "123.45" },
  // Bounds inside a three-digit bucket, either side of its middle, and on its edges.
  { minAmount: "15.52" },
  { minAmount: "15.58" },
  { minAmount: "15.5" },
  { maxAmount: "123.45" },
  { maxAmount: "123.6" },
  { maxAmount: "15.6" },
  { maxAmount: "122.999" },
  { minAmount: "123", maxAmount: "124" },
  { minAmount: "15.52", maxAmount: "123.6" },
  { minAmount: "15.58", maxAmount: "123.2" },
  { minAmount: "1.004", maxAmount: "1.009" },
  { minAmount: "15.95", maxAmount: "16.04" },
  // Both bounds in one two-digit bucket, in different three-digit ones.
  { minAmount: "10.52", maxAmount: "10.96" },
  { minAmount: "10.57", maxAmount: "10.91" },
  { minAmount: "10.52", maxAmount: "10.91" },
  { minAmount: "10.57", maxAmount: "10.96" },
  { minAmount: "150", maxAmount: "155.5" },
  { minAmount: "151.5", maxAmount: "159.999" },
  { minAmount: "10.9", maxAmount: "10.5" },
  // Both in one three-digit bucket.
  { minAmount: "15.51", maxAmount: "15.59" },
  { minAmount: "15.55", maxAmount: "15.55" },
  { minAmount: "123.2", maxAmount: "123.8" },
  { minAmount: "15.58", maxAmount: "15.52" },
  // Below 1, zero and negative.
  { minAmount: "0.5", maxAmount: "0.9" },
  { maxAmount: "0.999" },
  { minAmount: "0.999", maxAmount: "1.005" },
  { minAmount: "-5" },
  { maxAmount: "0" },
  { maxAmount: "-3" },
  { minAmount: "-1", maxAmount: "0.5" },
  { minAmount: "0", maxAmount: "1.5" },
];
/** Every combination of status and kind, each with every range (or with `ranges`). */
const exact = (on: DataSource | EntityManager, ranges = RANGES) =>
  mismatches(on, TRANSFER_COUNTER, VALUES, {}, ranges);
/** A counter's totals table, unqualified: its triggers' and delta table's names start with it. */
const nameOf = (counter: RowCounter) => counter.totals.slice("transfer.".length);

let database: { url: string; drop: () => Promise<void> };
let db: DataSource;
const migrationDatabase = transferMigrationDatabase();

/** A table `<schema>.t (id, status)` in a schema of its own, and a counter of it by status (not yet made). */
async function scratchTable(prefix: string) {
  const schema = `${prefix}_${randomUUID().slice(0, 8)}`;
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.t (id serial PRIMARY KEY, status text NOT NULL)`);
  const counter = {
    table: `${schema}.t`,
    totals: `${schema}.t_count`,
    dimensions: { status: { column: "status", type: "text" } },
  };
  return { schema, counter };
}

beforeAll(async () => {
  database = await suiteDatabase();
  db = createDataSource({
    url: database.url,
    schema: TRANSFER_SCHEMA,
    entities: transferEntities,
    migrations: [],
    poolSize: 24,
  }).dataSource;
  await db.initialize();
});

afterAll(async () => {
  await db?.destroy();
  await database?.drop();
});

/** Inserts `count` transfers in one statement, kinds, statuses and amounts cycling from `offset`; their ids. */
async function insertTransfers(
  on: DataSource | EntityManager,
  count: number,
  offset = 0,
  clientId: string = randomUUID(),
): Promise<string[]> {
  const rows = (await on.query(
    `INSERT INTO transfer.transfer (kind, status, client_id, account_id, amount, currency,
                                    idempotency_scope, idempotency_key, request_hash)
     SELECT ($1::text[])[1 + (n + $3) % 4], ($2::text[])[1 + (n + $3) % 5], $4, gen_random_uuid(),
            ($6::numeric[])[1 + (n + $3) % cardinality($6)], 'EUR', 'counts', gen_random_uuid()::text, 'h'
       FROM generate_series(1, $5::int) AS n
     RETURNING id`,
    [KINDS, STATUSES, offset, clientId, count, AMOUNTS],
  )) as { id: string }[];
  return rows.map((row) => row.id);
}

const setStatus = (on: DataSource | EntityManager, ids: string[], status: string) =>
  on.query(`UPDATE transfer.transfer SET status = $2 WHERE id = ANY ($1)`, [ids, status]);

describe("transfer counts", () => {
  it("When transfers are inserted, change status and kind, are deleted or rolled back, then every status x kind count equals count(*), before and after a roll-up", async () => {
    const ids = await insertTransfers(db, 40);
    for (let i = 0; i < 5; i++) await insertTransfers(db, 1, i);
    expect(await exact(db)).toEqual([]);

    await setStatus(db, ids.slice(0, 10), "FAILED");
    await setStatus(db, ids.slice(5, 15), "FAILED"); // half already FAILED: no change there
    await db.query(`UPDATE transfer.transfer SET kind = 'FX', status = 'CANCELLED' WHERE id = $1`, [ids[20]]);
    await db.query(`UPDATE transfer.transfer SET amount = amount * 1000 WHERE id = ANY ($1)`, [
      ids.slice(20, 26),
    ]);
    await db.query(`UPDATE transfer.transfer SET amount = amount + 0.001 WHERE id = ANY ($1)`, [
      ids.slice(26, 29),
    ]);
    // Across three-digit buckets within one two-digit bucket, and within one three-digit bucket.
    await db.query(`UPDATE transfer.transfer SET amount = 15.58 WHERE id = $1`, [ids[29]]);
    await db.query(`UPDATE transfer.transfer SET amount = 123.6 WHERE id = $1`, [ids[36]]);
    await db.query(`UPDATE transfer.transfer SET amount = 15.52 WHERE id = $1`, [ids[29]]);
    await db.query(`UPDATE transfer.transfer SET amount = 123.2 WHERE id = $1`, [ids[36]]);
    await db.query(`UPDATE transfer.transfer SET reference = 'not counted' WHERE id = ANY ($1)`, [ids]);
    await db.query(`DELETE FROM transfer.transfer WHERE id = ANY ($1)`, [ids.slice(30, 35)]);
    await db
      .transaction(async (tx) => {
        await insertTransfers(tx, 7);
        await setStatus(tx, ids.slice(15, 25), "COMPLETED");
        await tx.query(`DELETE FROM transfer.transfer WHERE id = ANY ($1)`, [ids.slice(25, 30)]);
        throw new Error("roll back");
      })
      .catch((error: Error) => expect(error.message).toBe("roll back"));
    for (const counter of TRANSFER_COUNTERS) expect(await pendingDeltas(db, counter)).toBeGreaterThan(0);
    expect(await exact(db)).toEqual([]);

    // The two-digit counter rolled up, the three-digit one not yet; then both.
    expect(await rollUp(db, TWO_DIGIT_COUNTER)).toBeGreaterThan(0);
    expect(await pendingDeltas(db, TWO_DIGIT_COUNTER)).toBe(0);
    expect(await pendingDeltas(db, THREE_DIGIT_COUNTER)).toBeGreaterThan(0);
    expect(await exact(db)).toEqual([]);
    expect(await rollUp(db, THREE_DIGIT_COUNTER)).toBeGreaterThan(0);
    expect(await pendingDeltas(db, THREE_DIGIT_COUNTER)).toBe(0);
    expect(await exact(db)).toEqual([]);

    await setStatus(db, ids.slice(35), "PROCESSING");
    expect(await exact(db)).toEqual([]);
    const byStatus = (await db.query(
      `SELECT status, count(*)::int AS n FROM transfer.transfer GROUP BY status`,
    )) as { status: string; n: number }[];
    expect(await countsBy(db, TRANSFER_COUNTER, "status")).toEqual(
      Object.fromEntries(byStatus.map((row) => [row.status, row.n])),
    );
  }, 120_000); // five checks of thousands of counts

  it("When 16 writers insert, update and delete at once, some rolling back, while roll-ups run side by side, then the counts stay exact", async () => {
    let rolling = true;
    const rollUps = Array.from({ length: 3 }, async (_, i) => {
      while (rolling) await rollUp(db, TRANSFER_COUNTERS[i % 2]);
    });
    const writers = Array.from({ length: 16 }, async (_, writer) => {
      for (let round = 0; round < 5; round++) {
        const ids = await insertTransfers(db, 3, writer + round);
        await db
          .transaction(async (tx) => {
            await setStatus(tx, ids.slice(0, 2), STATUSES[(writer + round) % 5]);
            await insertTransfers(tx, 2, writer);
            await tx.query(`DELETE FROM transfer.transfer WHERE id = $1`, [ids[2]]);
            if ((writer + round) % 4 === 0) throw new Error("roll back");
          })
          .catch((error: Error) => expect(error.message).toBe("roll back"));
      }
    });
    await Promise.all(writers);
    rolling = false;
    await Promise.all(rollUps);
    expect(await exact(db)).toEqual([]);
    for (const counter of TRANSFER_COUNTERS) await rollUp(db, counter);
    expect(await exact(db)).toEqual([]);
  });

  it.each([
    // Enough ranges to see each of the writes below (0.5 moved to 500; 250 to 260) in the
    // buckets the counter is read for, fewer than all: between the bounds' buckets for the
    // two-digit counter, in the bounds' buckets for the three-digit one.
    {
      counter: TWO_DIGIT_COUNTER,
      ranges: [{}, { maxAmount: "1.00" }, { minAmount: "249.999", maxAmount: "260" }] as RangeBounds[],
    },
    {
      counter: THREE_DIGIT_COUNTER,
      ranges: [{ maxAmount: "0.5" }, { minAmount: "251", maxAmount: "265" }] as RangeBounds[],
    },
  ])(
    "When a trigger of $counter.totals is dropped, then the same check finds the counts wrong (it can fail)",
    async ({ counter, ranges }) => {
      const [existing, at250] = await insertTransfers(db, 2);
      await db.query(`UPDATE transfer.transfer SET amount = 250 WHERE id = $1`, [at250]);
      const writes: Record<string, (tx: EntityManager) => Promise<unknown>> = {
        inserted: (tx) => insertTransfers(tx, 3),
        updated: (tx) => setStatus(tx, [existing], "NO-SUCH"),
        amountUpdated: (tx) =>
          tx.query(`UPDATE transfer.transfer SET amount = amount * 1000 WHERE id = $1`, [existing]),
        // Across buckets of two digits, within one of the previous counter's ([200, 300)).
        amountUpdatedSlightly: (tx) =>
          tx.query(`UPDATE transfer.transfer SET amount = 260 WHERE id = $1`, [at250]),
        deleted: (tx) => tx.query(`DELETE FROM transfer.transfer WHERE id = $1`, [existing]),
      };
      for (const [event, write] of Object.entries(writes)) {
        const runner = db.createQueryRunner();
        await runner.connect();
        try {
          await runner.startTransaction();
          await write(runner.manager);
          expect(await exact(runner.manager, ranges)).toEqual([]);
          await runner.rollbackTransaction();
          await runner.startTransaction();
          const trigger = event.startsWith("amountUpdated") ? "updated" : event;
          await runner.query(`DROP TRIGGER ${nameOf(counter)}_${trigger} ON transfer.transfer`);
          await write(runner.manager);
          expect(await exact(runner.manager, ranges)).not.toEqual([]);
        } finally {
          await runner.rollbackTransaction();
          await runner.release();
        }
      }
      expect(await exact(db)).toEqual([]);
    },
  );

  it("When a table is truncated while a roll-up adding a new total is under way, then its counter ends at zero", async () => {
    // A scratch table of its own: the truncate would empty the transfers the other tests count.
    const { schema, counter } = await scratchTable("truncated");
    const [maker, rolling, truncating] = [
      db.createQueryRunner(),
      db.createQueryRunner(),
      db.createQueryRunner(),
    ];
    try {
      await createRowCounter(maker, counter);
      await db.query(`INSERT INTO ${schema}.t (status) VALUES ('a'), ('a'), ('b')`);
      await rolling.startTransaction();
      await rollUp(rolling.manager, counter); // inserts the totals rows of 'a' and 'b', not committed yet
      const truncated = truncating.query(`TRUNCATE ${schema}.t`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await rolling.commitTransaction();
      await truncated;
      const counted = await db.query(
        `SELECT coalesce(sum(n), 0)::int AS n FROM (SELECT n FROM ${counter.totals} UNION ALL SELECT n FROM ${counter.totals}_delta) x`,
      );
      expect(counted[0].n).toBe(0);
    } finally {
      for (const runner of [maker, rolling, truncating]) await runner.release();
      await db.query(`DROP SCHEMA ${schema} CASCADE`);
    }
  });

  it.each([
    ["outside a transaction", false],
    ["inside a transaction, as TypeORM undoes a migration", true],
  ])(
    "When a counter's triggers are dropped %s while a long transaction reads the table, then other queries of the table wait at most about the lock wait, and the drop ends after the reader",
    async (_where, inTransaction) => {
      const { schema, counter } = await scratchTable(inTransaction ? "locked_tx" : "locked");
      const [maker, holder] = [db.createQueryRunner(), db.createQueryRunner()];
      let release: NodeJS.Timeout | undefined;
      try {
        await createRowCounter(maker, counter);
        if (inTransaction) {
          await maker.startTransaction();
          await maker.query("SET LOCAL lock_timeout = '7s'"); // the caller's own, put back after each try
        }
        await holder.startTransaction();
        await holder.query(`SELECT count(*) FROM ${schema}.t`); // a long report, holding its lock
        // Without the bounded wait, the query below would wait for this.
        release = setTimeout(() => void holder.commitTransaction(), 3 * TABLE_LOCK_WAIT_MS);
        const dropped = dropRowCounter(maker, counter);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const started = Date.now();
        await db.query(`SELECT count(*) FROM ${schema}.t`);
        expect(Date.now() - started).toBeLessThan(TABLE_LOCK_WAIT_MS + 1_000);
        await dropped;
        if (inTransaction) {
          const [{ lock_timeout }] = await maker.query("SHOW lock_timeout");
          expect(lock_timeout).toBe("7s");
          await maker.commitTransaction();
        }
        const triggers = await db.query(
          `SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = '${schema}.t'::regclass AND NOT tgisinternal`,
        );
        expect(triggers[0].n).toBe(0);
      } finally {
        clearTimeout(release);
        if (holder.isTransactionActive) await holder.commitTransaction();
        if (maker.isTransactionActive) await maker.rollbackTransaction();
        for (const runner of [maker, holder]) await runner.release();
        await db.query(`DROP SCHEMA ${schema} CASCADE`);
      }
    },
  );

  it("When the roll-up runs on its timer, then it empties the deltas, and stopping it stops it", async () => {
    await insertTransfers(db, 5);
    const timer = startCountRollUp(db, TRANSFER_COUNTERS, 20);
    const pending = async () =>
      (await pendingDeltas(db, TWO_DIGIT_COUNTER)) + (await pendingDeltas(db, THREE_DIGIT_COUNTER));
    const until = Date.now() + 5000;
    while ((await pending()) > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await timer.stop();
    expect(await pending()).toBe(0);
    const [{ vacuumed }] = (await db.query(
      `SELECT vacuum_count::int AS vacuumed FROM pg_stat_user_tables
        WHERE schemaname = 'transfer' AND relname = '${nameOf(TRANSFER_COUNTER)}_delta'`,
    )) as { vacuumed: number }[];
    expect(vacuumed).toBeGreaterThan(0); // the roll-up vacuums what it emptied
    await insertTransfers(db, 2); // two combinations: two deltas
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await pendingDeltas(db, TWO_DIGIT_COUNTER)).toBe(2);
    expect(await pendingDeltas(db, THREE_DIGIT_COUNTER)).toBe(2);
    expect(await exact(db)).toEqual([]);
  });

  it("When a list's filter has anything besides status, kind and an amount range, then it is counted by count(*); those alone by the counter", async () => {
    const transfers = new TransferRepository(db);
    const clientId = randomUUID();
    await insertTransfers(db, 6, 0, clientId);
    const narrowing: object[] = [
      { clientId },
      { status: "FAILED", clientId },
      { minAmount: "1", clientId },
      { accountId: randomUUID() },
      { from: new Date(0) },
      { to: new Date() },
      { statusChangedBefore: new Date() },
      { minAmount: "1e3" }, // no plain decimal (the edge refuses it anyway)
      { maxAmount: "NaN" },
      { toString: "not a dimension" }, // an own property of the filter, not one inherited by the counter's
      { amountDecade: "2" }, // a dimension, but one no filter sets: counted as it is kept
    ];
    for (const filter of narrowing.slice(0, -1)) {
      expect(counterCount(db, TRANSFER_COUNTER, filter)).toBeUndefined();
    }
    expect(await (await transfers.listTransfers({ clientId }, 1)).count()).toBe(6);
    expect(await (await transfers.listTransfers({ clientId, kind: "OUTGOING" }, 1)).count()).toBe(2);
    // AMOUNTS from the second: 0.5 0.999 1 1.049 1.05 1.099
    expect(
      await (await transfers.listTransfers({ clientId, minAmount: "0.5", maxAmount: "1.049" }, 1)).count(),
    ).toBe(4);

    // A delta only the counters hold (in [105, 106): two-digit bucket 180, three-digit 1805): the
    // list's count reads it, so the list uses the counters.
    await db.query(
      `INSERT INTO ${deltasOf(TWO_DIGIT_COUNTER)} (status, kind, amount_bucket, n) VALUES ('NO-SUCH', 'FX', 180, 1000)`,
    );
    await db.query(
      `INSERT INTO ${deltasOf(THREE_DIGIT_COUNTER)} (status, kind, amount_bucket, n) VALUES ('NO-SUCH', 'FX', 1805, 1000)`,
    );
    try {
      // Bucket 180 is [100, 110): wholly inside these ranges, or the rest of it is empty.
      const counted = [
        { status: "NO-SUCH" },
        { status: "NO-SUCH", kind: "FX", clientId: null },
        { status: "NO-SUCH", minAmount: "10" },
        { status: "NO-SUCH", minAmount: "100" },
        { status: "NO-SUCH", maxAmount: "1000" },
        { status: "NO-SUCH", maxAmount: "109.999" },
        { status: "NO-SUCH", minAmount: "0.5", maxAmount: "99999" },
        // Bounds in bucket 180: its three-digit buckets in range, [105, 106) whole or as its
        // total minus its rows out of range (on the near side of its middle).
        { status: "NO-SUCH", minAmount: "104" },
        { status: "NO-SUCH", minAmount: "105.2" },
        { status: "NO-SUCH", maxAmount: "105.7" },
        { status: "NO-SUCH", minAmount: "104.5", maxAmount: "106.5" },
      ];
      for (const filter of counted)
        expect(await (await transfers.listTransfers(filter, 1)).count()).toBe(1000);
      // Ranges that leave [105, 106) out: its rows are not read from the counters (outside the
      // bounds' buckets, or three-digit buckets of a bound's bucket out of range) ...
      for (const filter of [
        { status: "NO-SUCH", minAmount: "108" },
        { status: "NO-SUCH", maxAmount: "102" },
        { status: "NO-SUCH", minAmount: "110" },
        { status: "NO-SUCH", maxAmount: "99.999" },
        // ... and [105, 106)'s rows in range, from the table, on the far side of its middle or
        // with both bounds in it.
        { status: "NO-SUCH", minAmount: "105.7" },
        { status: "NO-SUCH", maxAmount: "105.2" },
        { status: "NO-SUCH", minAmount: "105.2", maxAmount: "105.7" },
        { status: "NO-SUCH", minAmount: "106", maxAmount: "109" },
      ]) {
        expect(await (await transfers.listTransfers(filter, 1)).count()).toBe(0);
      }
    } finally {
      for (const counter of TRANSFER_COUNTERS) {
        await db.query(`DELETE FROM ${deltasOf(counter)} WHERE status = 'NO-SUCH'`);
      }
    }
  });
});

describe.each([
  { migration: ListCounts1732360000000, counter: STATUS_KIND_COUNTER, ranges: [{}] },
  { migration: AmountRanges1732370000000, counter: LEADING_DIGIT_COUNTER, ranges: RANGES },
  { migration: TwoDigitAmountBuckets1732380000000, counter: TWO_DIGIT_COUNTER, ranges: RANGES },
  // The three-digit counter alone (its own buckets at the bounds), and with the two-digit one.
  { migration: ThreeDigitAmountBuckets1732410000000, counter: THREE_DIGIT_COUNTER, ranges: RANGES },
])("$migration.name", ({ migration, counter, ranges }) => {
  it("When the counter's migration runs over existing transfers while others are written, then it counts each once, and run again it adds nothing", async () => {
    const upTo = transferMigrations.indexOf(migration) + 1;
    const before = migrationDatabase.source(transferMigrations.slice(0, upTo - 1));
    await before.initialize();
    await migrate(before, TRANSFER_SCHEMA);
    await insertTransfers(before, 23);
    await insertTransfers(before, 4, 2);
    // `before` stays open: its connections write as an instance not yet upgraded would.
    let writing = true;
    let written = 0;
    const writers = Array.from({ length: 4 }, async (_, writer) => {
      while (writing || written < 20) {
        const ids = await insertTransfers(before, 2, writer + written);
        await setStatus(before, ids.slice(0, 1), STATUSES[written++ % 5]);
        await before.query(`DELETE FROM transfer.transfer WHERE id = $1`, [ids[1]]);
      }
    });
    const after = migrationDatabase.source(transferMigrations.slice(0, upTo));
    await after.initialize();
    await migrate(after, TRANSFER_SCHEMA);
    writing = false;
    await Promise.all(writers);
    const [late] = await insertTransfers(before, 1); // and after it, through a connection opened before
    await setStatus(before, [late], "FAILED");
    const checked = counter === THREE_DIGIT_COUNTER ? [counter, TRANSFER_COUNTER] : [counter];
    const wrong = async () => {
      const found = [];
      for (const each of checked) found.push(...(await mismatches(after, each, VALUES, {}, ranges)));
      return found;
    };
    expect(await wrong()).toEqual([]);

    const runner = after.createQueryRunner();
    try {
      await createRowCounter(runner, counter);
    } finally {
      await runner.release();
    }
    expect(await wrong()).toEqual([]);
    await rollUp(after, counter);
    expect(await wrong()).toEqual([]);
  }, 120_000); // the three-digit counter's: thousands of counts, each compared with count(*)
});

/** Reverts the transfer migrations run after `migration` (if any: those tests run first here). */
async function revertAfter(migration: (typeof transferMigrations)[number]): Promise<void> {
  const later = new Set(
    transferMigrations.slice(transferMigrations.indexOf(migration) + 1).map((m) => m.name),
  );
  const all = migrationDatabase.source(transferMigrations);
  await all.initialize();
  try {
    const [{ table }] = (await all.query(`SELECT to_regclass('${TRANSFER_SCHEMA}.migrations') AS table`)) as {
      table: string | null;
    }[];
    while (table) {
      const [last] = (await all.query(
        `SELECT name FROM ${TRANSFER_SCHEMA}.migrations ORDER BY timestamp DESC LIMIT 1`,
      )) as { name: string }[];
      if (!later.has(last?.name)) return;
      await all.undoLastMigration({ transaction: "each" });
    }
  } finally {
    await all.destroy();
  }
}

describe.each([
  { migration: ThreeDigitAmountBuckets1732410000000, previous: TWO_DIGIT_COUNTER, gone: THREE_DIGIT_COUNTER },
  { migration: TwoDigitAmountBuckets1732380000000, previous: LEADING_DIGIT_COUNTER, gone: TWO_DIGIT_COUNTER },
])("$migration.name down", ({ migration, previous, gone }) => {
  it("When the migration is reverted while transfers are written and change amounts, then the previous counter is back and exact, and the migration's is gone", async () => {
    await revertAfter(migration);
    const upTo = transferMigrations.indexOf(migration) + 1;
    const source = migrationDatabase.source(transferMigrations.slice(0, upTo));
    await source.initialize();
    await migrate(source, TRANSFER_SCHEMA);
    await insertTransfers(source, 30, 3);
    let writing = true;
    let written = 0;
    const writers = Array.from({ length: 2 }, async (_, writer) => {
      while (writing || written < 10) {
        const ids = await insertTransfers(source, 2, writer + written++);
        await source.query(`UPDATE transfer.transfer SET amount = amount * 1.1 WHERE id = $1`, [ids[0]]);
        await source.query(`DELETE FROM transfer.transfer WHERE id = $1`, [ids[1]]);
      }
    });
    await source.undoLastMigration({ transaction: "each" });
    writing = false;
    await Promise.all(writers);
    expect(await mismatches(source, previous, VALUES, {}, RANGES)).toEqual([]);
    const [{ totals, deltas, triggers }] = (await source.query(
      `SELECT to_regclass($1)::text AS totals, to_regclass($2)::text AS deltas,
              (SELECT count(*)::int FROM pg_trigger WHERE tgname LIKE $3) AS triggers`,
      [gone.totals, deltasOf(gone), `${nameOf(gone)}%`],
    )) as { totals: string | null; deltas: string | null; triggers: number }[];
    expect({ totals, deltas, triggers }).toEqual({ totals: null, deltas: null, triggers: 0 });
  });
});
