/**
 * Group commit (concurrent createPayment requests in one database transaction) and the batch
 * API (createPayments, POST /internal/Payments/batch): each payment keeps its own answer, key
 * and error; decision 0033.
 */
import { randomUUID } from "node:crypto";
import { Client as PgClient } from "pg";
import { balance, CREATE_PAYMENT, fund, openAccount, PAYMENT_FIELDS, paymentInput } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";

// A wide window: waiters go when the request in flight is answered (see piledUp), never by the clock.
const WINDOW_MS = 1000;
let stack: Stack;
let db: PgClient;
beforeAll(async () => {
  stack = await startStack({ LEDGER_GROUP_COMMIT_MS: String(WINDOW_MS) });
  db = new PgClient({ connectionString: stack.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await stack.stop();
});

/** createPayment straight to the ledger subgraph (the gateway adds nothing to grouping). */
function pay(debit: string, credit: string, amount: string, key: string = randomUUID()) {
  return stack.graphql(
    CREATE_PAYMENT,
    { input: paymentInput(debit, credit, amount), key },
    { url: stack.ledger.url },
  );
}

/** How many database transactions wrote these payments (rows of one transaction share its xmin). */
async function transactionsOf(ids: string[]): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(DISTINCT xmin::text)::text AS n FROM ledger.payment WHERE id = ANY ($1)`,
    [ids],
  );
  return Number(rows[0].n);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Holds `accountId`'s row lock from a connection of the test's own until `work` calls `release`. */
async function withRowLocked<T>(
  accountId: string,
  work: (release: () => Promise<void>) => Promise<T>,
): Promise<T> {
  const blocker = new PgClient({ connectionString: stack.databaseUrl });
  await blocker.connect();
  try {
    await blocker.query("BEGIN");
    await blocker.query("SELECT 1 FROM ledger.account WHERE id = $1 FOR NO KEY UPDATE", [accountId]);
    return await work(async () => {
      await blocker.query("COMMIT");
    });
  } finally {
    await blocker.end();
  }
}

/**
 * Sends request 0, which goes alone and waits behind a row lock this test holds on `accountId`;
 * then the others, which find it in flight and wait to go together; then lets the lock go. The
 * first is answered, and the others go as one group.
 */
function piledUp<T>(accountId: string, count: number, send: (i: number) => Promise<T>): Promise<T[]> {
  return withRowLocked(accountId, async (release) => {
    const first = send(0);
    await sleep(150);
    const others = Array.from({ length: count - 1 }, (_, i) => send(i + 1));
    await sleep(600);
    await release();
    return await Promise.all([first, ...others]);
  });
}

/** Calls of `ledger.<fn>` in the database now, waiting for a lock or running (`create_payment` counts both). */
async function inDatabase(fn: "create_payment" | "create_payments"): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    `SELECT count(*)::text AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
        AND query LIKE $1`,
    [`%ledger.${fn}%`],
  );
  return Number(rows[0].n);
}

/** Four new accounts; the first and the third funded with `amount`. */
async function fourAccounts(amount: string) {
  const accounts = [
    await openAccount(stack),
    await openAccount(stack),
    await openAccount(stack),
    await openAccount(stack),
  ];
  await fund(stack, accounts[0].id, amount);
  await fund(stack, accounts[2].id, amount);
  return accounts;
}

const BATCH = `mutation($payments: [PaymentBatchInput!]!, $all: Boolean!) {
  createPayments(payments: $payments, allOrNothing: $all) {
    succeeded failed items { index payment { ${PAYMENT_FIELDS} } error { code message field rule } }
  }
}`;

function item(debit: string, credit: string, amount: string, idempotencyKey: string = randomUUID()) {
  return { ...paymentInput(debit, credit, amount), idempotencyKey };
}

describe("group commit", () => {
  it("When one request comes alone, then it does not wait for the window", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const times: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const result = await pay(a.id, b.id, "1.00");
      expect(result.errors).toBeUndefined();
      times.push(performance.now() - started);
    }
    // Alone: no wait; a request that waited would take at least the window.
    expect(Math.min(...times)).toBeLessThan(WINDOW_MS);
  });

  it("When requests arrive together, then they commit in one transaction and each gets its own payment", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "100.00");
    const results = await piledUp(a.id, 12, (i) => pay(a.id, b.id, `${i + 1}.00`));
    expect(results.map((r) => r.errors)).toEqual(results.map(() => undefined));
    const payments = results.map((r) => r.data!.createPayment);
    expect(payments.map((p) => p.amount)).toEqual(results.map((_, i) => `${i + 1}.00`));
    expect(new Set(payments.map((p) => p.id)).size).toBe(12);
    expect(payments.every((p) => p.status === "POSTED")).toBe(true);
    // The first went alone; the others met in one group.
    expect(await transactionsOf(payments.map((p) => p.id))).toBe(2);
    expect(await balance(stack, a.id)).toMatchObject({ posted: "22.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "78.00" });
  });

  it("When requests on an account in flight outwait the window, then they wait in the ledger for its answer and go as one group, while others go", async () => {
    const [a, b, c, d] = await fourAccounts("100.00");
    await withRowLocked(a.id, async (release) => {
      const first = pay(a.id, b.id, "1.00");
      await sleep(150);
      const onA = [pay(a.id, b.id, "2.00"), pay(b.id, a.id, "0.50"), pay(a.id, b.id, "3.00")];
      // Waits out the window, then goes: its accounts are not in flight.
      const elsewhere = await pay(c.id, d.id, "4.00");
      expect(elsewhere.errors).toBeUndefined();
      await sleep(WINDOW_MS / 2);
      // Only the first waits for the lock; the three wait in the ledger, past their window.
      expect(await inDatabase("create_payment")).toBe(1);
      await release();
      const results = await Promise.all([first, ...onA]);
      expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined, undefined]);
      const ids = results.map((r) => r.data!.createPayment.id);
      expect(await transactionsOf(ids.slice(1))).toBe(1);
      expect(await transactionsOf(ids)).toBe(2);
    });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "94.50" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "5.50" });
    expect(await balance(stack, d.id)).toMatchObject({ posted: "4.00" });
  });

  it("When one payment of a group is refused, then only it fails, keeps no key, and may be sent again", async () => {
    const a = await openAccount(stack);
    const poor = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "50.00");
    await fund(stack, poor.id, "1.00");
    const refusedKey = randomUUID();
    const results = await piledUp(a.id, 8, (i) =>
      i === 4 ? pay(poor.id, b.id, "5.00", refusedKey) : pay(a.id, b.id, "2.00"),
    );
    expect(results[4].errors![0].extensions).toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      accountId: poor.id,
    });
    const others = results.filter((_, i) => i !== 4);
    expect(others.every((r) => r.data?.createPayment.status === "POSTED")).toBe(true);
    expect(await transactionsOf(others.map((r) => r.data!.createPayment.id))).toBe(2);
    expect(await balance(stack, a.id)).toMatchObject({ posted: "36.00" });
    expect(await balance(stack, poor.id)).toMatchObject({ posted: "1.00" });

    await fund(stack, poor.id, "10.00");
    const again = await pay(poor.id, b.id, "5.00", refusedKey);
    expect(again.data!.createPayment).toMatchObject({ status: "POSTED", amount: "5.00" });
  });

  it("When one key comes several times inside a group and across groups, then one payment is made and every replay answers it", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "20.00");
    const key = randomUUID();
    // Request 0 goes alone; the five with one key meet in one group.
    const inside = await piledUp(a.id, 6, (i) =>
      i ? pay(a.id, b.id, "3.00", key) : pay(a.id, b.id, "1.00"),
    );
    const ids = new Set(inside.slice(1).map((r) => r.data?.createPayment.id));
    expect(ids.size).toBe(1);
    const across = await piledUp(a.id, 4, (i) =>
      i % 2 ? pay(a.id, b.id, "3.00", key) : pay(a.id, b.id, "1.00"),
    );
    expect(across[1].data!.createPayment.id).toBe([...ids][0]);
    expect(across[3].data!.createPayment.id).toBe([...ids][0]);
    const other = await piledUp(a.id, 3, (i) =>
      pay(a.id, b.id, i === 1 ? "4.00" : "1.00", i === 1 ? key : undefined),
    );
    expect(other[1].errors![0].extensions).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "12.00" });
  });

  it("When many callers pay back and forth between one hot pair, then the books balance and no payment is lost or doubled", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "100.00");
    await fund(stack, b.id, "100.00");
    const made: string[] = [];
    const caller = async (n: number) => {
      for (let i = 0; i < 15; i++) {
        const [from, to] = (n + i) % 2 ? [a.id, b.id] : [b.id, a.id];
        const result = await pay(from, to, "0.07");
        expect(result.errors).toBeUndefined();
        made.push(result.data!.createPayment.id);
      }
    };
    await Promise.all(Array.from({ length: 16 }, (_, n) => caller(n)));
    expect(new Set(made).size).toBe(240);
    const { rows } = await db.query(
      `SELECT (SELECT count(*) FROM ledger.payment WHERE id = ANY ($1))::int AS payments,
              (SELECT count(*) FROM ledger.ledger_transaction WHERE payment_id = ANY ($1))::int AS transactions,
              (SELECT count(*) FROM ledger.entry e JOIN ledger.ledger_transaction t ON t.id = e.transaction_id
                WHERE t.payment_id = ANY ($1))::int AS entries,
              (SELECT coalesce(sum(posted), 0)::text FROM ledger.account WHERE currency = 'EUR') AS eur_total,
              (SELECT count(*) FROM ledger.account a WHERE a.posted <> (SELECT coalesce(sum(amount), 0) FROM ledger.entry WHERE account_id = a.id))::int AS drifted`,
      [made],
    );
    expect(rows[0]).toEqual({ payments: 240, transactions: 240, entries: 480, eur_total: "0", drifted: 0 });
    const sum = Number((await balance(stack, a.id)).posted) + Number((await balance(stack, b.id)).posted);
    expect(sum).toBe(200);
    expect(await transactionsOf(made)).toBeLessThan(240);
  });
});

describe("idempotency keys stay append-only", () => {
  it("When anyone deletes or rewrites a committed key, then the database refuses", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "1.00");
    const key = randomUUID();
    await pay(a.id, b.id, "1.00", key);
    await expect(db.query(`DELETE FROM ledger.idempotency_key WHERE key = $1`, [key])).rejects.toThrow(
      /append-only/,
    );
    await expect(
      db.query(`UPDATE ledger.idempotency_key SET request_hash = 'x' WHERE key = $1`, [key]),
    ).rejects.toThrow(/append-only/);
  });
});

describe("createPayments (batch)", () => {
  it("When a batch mixes good and refused payments, then each item answers on its own and only the good ones move", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    const usd = await openAccount(stack, { currency: "USD" });
    await fund(stack, a.id, "10.00");
    const payments = [
      item(a.id, b.id, "4.00"),
      item(a.id, b.id, "7.00"), // 6.00 left: refused
      item(a.id, usd.id, "1.00"),
      item(a.id, randomUUID(), "1.00"),
      item(a.id, b.id, "1.001"),
      item(a.id, b.id, "6.00"),
    ];
    const result = await stack.graphql(BATCH, { payments, all: false });
    expect(result.errors).toBeUndefined();
    const batch = result.data!.createPayments;
    expect(batch).toMatchObject({ succeeded: 2, failed: 4 });
    expect(batch.items.map((i: any) => i.error?.code ?? i.payment.status)).toEqual([
      "POSTED",
      "INSUFFICIENT_FUNDS",
      "CURRENCY_MISMATCH",
      "ACCOUNT_NOT_FOUND",
      "VALIDATION_FAILED",
      "POSTED",
    ]);
    expect(batch.items[4].error).toMatchObject({ field: "amount", rule: "scale" });
    expect(batch.items[3].error).toMatchObject({ field: "creditAccountId" });
    expect(batch.items[5].payment).toMatchObject({
      amount: "6.00",
      idempotencyKey: payments[5].idempotencyKey,
    });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "0.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "10.00" });
  });

  it("When batches on one account arrive together, then they reach the database one after another, and a batch on other accounts does not wait", async () => {
    const [a, b, c, d] = await fourAccounts("10.00");
    const batch = (payments: ReturnType<typeof item>[]) =>
      stack.graphql(BATCH, { payments, all: false }, { url: stack.ledger.url });
    await withRowLocked(a.id, async (release) => {
      const first = batch([item(a.id, b.id, "1.00"), item(a.id, b.id, "2.00")]);
      await sleep(300);
      const second = batch([item(b.id, a.id, "0.50"), item(a.id, b.id, "3.00")]);
      const elsewhere = await batch([item(c.id, d.id, "4.00")]);
      // Made while the first batch waits for the lock and the second for the first.
      expect(elsewhere.data!.createPayments).toMatchObject({ succeeded: 1, failed: 0 });
      await sleep(300);
      expect(await inDatabase("create_payments")).toBe(1);
      await release();
      const [one, two] = await Promise.all([first, second]);
      expect(one.data!.createPayments).toMatchObject({ succeeded: 2, failed: 0 });
      expect(two.data!.createPayments).toMatchObject({ succeeded: 2, failed: 0 });
    });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "4.50" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "5.50" });
    expect(await balance(stack, d.id)).toMatchObject({ posted: "4.00" });
  });

  it("When one key comes twice in a batch, then the same request answers the first payment and another request is refused", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const key = randomUUID();
    const payments = [
      item(a.id, b.id, "2.00", key),
      item(a.id, b.id, "2.00", key),
      item(a.id, b.id, "3.00", key),
    ];
    const batch = (await stack.graphql(BATCH, { payments, all: false })).data!.createPayments;
    expect(batch.items[1].payment.id).toBe(batch.items[0].payment.id);
    expect(batch.items[2].error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await balance(stack, a.id)).toMatchObject({ posted: "8.00" });

    const replay = (await stack.graphql(BATCH, { payments: payments.slice(0, 1), all: true })).data!
      .createPayments;
    expect(replay.items[0].payment.id).toBe(batch.items[0].payment.id);
    expect(await balance(stack, a.id)).toMatchObject({ posted: "8.00" });
  });

  it("When an all-or-nothing batch has one refused payment, then nothing moves, the others answer BATCH_NOT_APPLIED, and the keys stay free", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const payments = [item(a.id, b.id, "4.00"), item(a.id, b.id, "5.00"), item(a.id, b.id, "2.00")];
    const batch = (await stack.graphql(BATCH, { payments, all: true })).data!.createPayments;
    expect(batch.items.map((i: any) => i.error?.code)).toEqual([
      "BATCH_NOT_APPLIED",
      "BATCH_NOT_APPLIED",
      "INSUFFICIENT_FUNDS",
    ]);
    expect(batch).toMatchObject({ succeeded: 0, failed: 3 });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "10.00" });
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM ledger.idempotency_key WHERE key = ANY ($1)`,
      [payments.map((p) => p.idempotencyKey)],
    );
    expect(rows[0].n).toBe(0);

    const fixed = (await stack.graphql(BATCH, { payments: payments.slice(0, 2), all: true })).data!
      .createPayments;
    expect(fixed).toMatchObject({ succeeded: 2, failed: 0 });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "1.00" });
  });

  it("When an all-or-nothing batch has an item the ledger refuses before the database, then nothing moves either", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const payments = [item(a.id, b.id, "4.00"), item(a.id, a.id, "1.00")];
    const batch = (await stack.graphql(BATCH, { payments, all: true })).data!.createPayments;
    expect(batch.items.map((i: any) => i.error?.code)).toEqual(["BATCH_NOT_APPLIED", "VALIDATION_FAILED"]);
    expect(await balance(stack, a.id)).toMatchObject({ posted: "10.00" });
  });

  it("When a batch breaks a field rule or is too large, then it is refused whole, naming the field", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    const bad = await stack.graphql(BATCH, {
      payments: [item(a.id, b.id, "1.00"), { ...item(a.id, b.id, "1.00"), description: "" }],
      all: false,
    });
    expect(bad.errors![0].extensions).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(bad.errors![0].extensions!.fields[0]).toMatchObject({
      field: "payments.1.description",
      rule: "minLength",
    });
    const many = Array.from({ length: 101 }, () => item(a.id, b.id, "1.00"));
    const large = await stack.graphql(BATCH, { payments: many, all: false });
    expect(large.errors![0].extensions!.fields[0]).toMatchObject({ field: "payments" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "0.00" });
  });

  it("When the REST batch route is called, then it answers every item in the envelope", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "5.00");
    const payments = [item(a.id, b.id, "2.00"), item(a.id, b.id, "9.00")];
    const response = await stack.rest("POST", "/internal/Payments/batch", { body: { payments } });
    expect(response.status).toBe(200);
    const value = response.body.value;
    expect(value).toMatchObject({ succeeded: 1, failed: 1 });
    expect(value.items[0].payment).toMatchObject({ status: "posted", amount: "2.00" });
    expect(value.items[1]).toMatchObject({ index: 1, payment: null, error: { code: "INSUFFICIENT_FUNDS" } });

    // The first is a replay of its key, the second still refused: all or nothing makes neither.
    const all = await stack.rest("POST", "/internal/Payments/batch", {
      body: { payments, allOrNothing: true },
    });
    expect(all.body.value).toMatchObject({ succeeded: 0, failed: 2 });
    expect(all.body.value.items[0].error.code).toBe("BATCH_NOT_APPLIED");
    const missing = await stack.rest("POST", "/internal/Payments/batch", { body: { allOrNothing: true } });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].metadata).toMatchObject({ field: "payments", rule: "required" });
    const front = await stack.rest("POST", "/internal/Payments/batch", {
      body: { payments },
      token: await stack.clientToken(randomUUID()),
    });
    expect(front.status).toBe(403);
  });
});
