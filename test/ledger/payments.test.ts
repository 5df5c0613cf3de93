/** The documented five payment operations, with holds, idempotency and every named error. */
import { randomUUID } from "node:crypto";
import { Client as PgClient } from "pg";
import {
  balance,
  CREATE_DRAFT,
  CREATE_PAYMENT,
  fund,
  openAccount,
  paymentInput,
  settlementAccountId,
  transition,
} from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe("createPayment (immediate)", () => {
  it("When money is paid between two accounts, then it moves at once with two balanced entries", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "100.00");
    const key = randomUUID();
    const result = await stack.graphql(
      `mutation($input: PaymentInput!, $key: String!) { createPayment(input: $input, idempotencyKey: $key) {
        id status amount currency transactions { kind entries { accountId amount balanceAfter } } history { from to } } }`,
      { input: paymentInput(a.id, b.id, "30.25"), key },
    );
    expect(result.errors).toBeUndefined();
    const payment = result.data!.createPayment;
    expect(payment).toMatchObject({ status: "POSTED", amount: "30.25", currency: "EUR" });
    expect(payment.history).toEqual([{ from: null, to: "POSTED" }]);
    expect(payment.transactions).toEqual([
      {
        kind: "IMMEDIATE",
        entries: [
          { accountId: a.id, amount: "-30.25", balanceAfter: "69.75" },
          { accountId: b.id, amount: "30.25", balanceAfter: "30.25" },
        ],
      },
    ]);
    expect(await balance(stack, a.id)).toEqual({ posted: "69.75", pending: "0.00", available: "69.75" });
    expect(await balance(stack, b.id)).toEqual({ posted: "30.25", pending: "0.00", available: "30.25" });
  });

  it("When the same key and request come again, then the first payment comes back and nothing moves again", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const key = randomUUID();
    const first = await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "4.00"), key });
    const again = await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "4.00"), key });
    expect(again.data!.createPayment.id).toBe(first.data!.createPayment.id);
    expect(await balance(stack, a.id)).toMatchObject({ posted: "6.00" });

    const other = await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "5.00"), key });
    expect(other.errors![0].extensions).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "6.00" });
  });

  it("When many requests with one key race on an account that affords exactly one, then all get the payment and it moves once", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "1.00");
    const key = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "1.00"), key }),
      ),
    );
    const ids = new Set(results.map((r) => r.data?.createPayment?.id));
    expect(results.every((r) => !r.errors)).toBe(true);
    expect(ids.size).toBe(1);
    expect(await balance(stack, a.id)).toMatchObject({ posted: "0.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "1.00" });
  });

  it.each([
    ["more than available", "10.01", "INSUFFICIENT_FUNDS"],
    ["more decimals than EUR has", "1.001", "VALIDATION_FAILED"],
    ["zero", "0.00", "VALIDATION_FAILED"],
    ["negative", "-1.00", "VALIDATION_FAILED"],
    ["not a number", "ten", "VALIDATION_FAILED"],
    ["in exponent notation", "1e3", "VALIDATION_FAILED"],
  ])("When the amount is %s, then %s and nothing moves", async (_case, amount, code) => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const result = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(a.id, b.id, amount),
      key: randomUUID(),
    });
    expect(result.errors![0].extensions!.code).toBe(code);
    if (code === "VALIDATION_FAILED") {
      expect(result.errors![0].extensions!.fields[0].field).toBe("amount");
    }
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "0.00", available: "10.00" });
    expect(await balance(stack, b.id)).toEqual({ posted: "0.00", pending: "0.00", available: "0.00" });
  });

  it("When an account has an overdraft, then available may go down to minus the limit and no further", async () => {
    const a = await openAccount(stack, { overdraftLimit: "50.00" });
    const b = await openAccount(stack);
    const ok = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(a.id, b.id, "50.00"),
      key: randomUUID(),
    });
    expect(ok.errors).toBeUndefined();
    expect(await balance(stack, a.id)).toEqual({ posted: "-50.00", pending: "0.00", available: "0.00" });
    const over = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(a.id, b.id, "0.01"),
      key: randomUUID(),
    });
    expect(over.errors![0].extensions!.code).toBe("INSUFFICIENT_FUNDS");
  });

  it("When the currencies differ, then CURRENCY_MISMATCH", async () => {
    const eur = await openAccount(stack);
    const usd = await openAccount(stack, { currency: "USD" });
    await fund(stack, eur.id, "10.00");
    const result = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(eur.id, usd.id, "1.00"),
      key: randomUUID(),
    });
    expect(result.errors![0].extensions).toMatchObject({ code: "CURRENCY_MISMATCH" });
  });

  it("When the accounts are the same or unknown, then the field is named", async () => {
    const a = await openAccount(stack);
    const same = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(a.id, a.id, "1.00"),
      key: randomUUID(),
    });
    expect(same.errors![0].extensions!.fields).toEqual([
      expect.objectContaining({ field: "creditAccountId" }),
    ]);
    const unknown = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(a.id, randomUUID(), "1.00"),
      key: randomUUID(),
    });
    expect(unknown.errors![0].extensions).toMatchObject({
      code: "ACCOUNT_NOT_FOUND",
      field: "creditAccountId",
    });
  });

  it("When an account is blocked, then ACCOUNT_NOT_ACTIVE", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    await stack.graphql(
      `mutation($id: ID!) { updateAccount(id: $id, input: { status: BLOCKED }) { status } }`,
      { id: b.id },
    );
    const result = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(a.id, b.id, "1.00"),
      key: randomUUID(),
    });
    expect(result.errors![0].extensions).toMatchObject({
      code: "ACCOUNT_NOT_ACTIVE",
      field: "creditAccountId",
    });
  });

  it("When amounts are in JPY or BHD, then their exponents (0 and 3) apply", async () => {
    const jpy = await openAccount(stack, { currency: "JPY" });
    await fund(stack, jpy.id, "1500", "JPY");
    expect(await balance(stack, jpy.id)).toMatchObject({ posted: "1500" });
    const bad = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(await settlementAccountId(stack, "JPY"), jpy.id, "1.5"),
      key: randomUUID(),
    });
    expect(bad.errors![0].extensions!.fields[0].rule).toBe("scale");
    const bhd = await openAccount(stack, { currency: "BHD" });
    await fund(stack, bhd.id, "2.125", "BHD");
    expect(await balance(stack, bhd.id)).toMatchObject({ posted: "2.125" });
  });
});

describe("two-phase payments: draft, pend, post, cancel", () => {
  it("When a draft is pended and posted, then funds are first held, then withdrawn and deposited", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "100.00");
    const draft = await stack.graphql(CREATE_DRAFT, {
      input: paymentInput(a.id, b.id, "40.00"),
      key: randomUUID(),
    });
    const id = draft.data!.createDraftPayment.id;
    expect(draft.data!.createDraftPayment.status).toBe("DRAFT");
    expect(await balance(stack, a.id)).toEqual({ posted: "100.00", pending: "0.00", available: "100.00" });

    const pended = await transition(stack, "pend", id);
    expect(pended.data!.pendPayment.status).toBe("PENDING");
    expect(await balance(stack, a.id)).toEqual({ posted: "100.00", pending: "40.00", available: "60.00" });
    expect(await balance(stack, b.id)).toEqual({ posted: "0.00", pending: "0.00", available: "0.00" });

    const posted = await transition(stack, "post", id);
    expect(posted.data!.postPayment.status).toBe("POSTED");
    expect(await balance(stack, a.id)).toEqual({ posted: "60.00", pending: "0.00", available: "60.00" });
    expect(await balance(stack, b.id)).toEqual({ posted: "40.00", pending: "0.00", available: "40.00" });

    const history = await stack.graphql(
      `query($id: ID!) { payment(id: $id) { history { from to changedBy } transactions { kind } } }`,
      { id },
    );
    expect(history.data!.payment).toEqual({
      history: [
        { from: null, to: "DRAFT", changedBy: "test-system" },
        { from: "DRAFT", to: "PENDING", changedBy: "test-system" },
        { from: "PENDING", to: "POSTED", changedBy: "test-system" },
      ],
      transactions: [{ kind: "POST" }],
    });
  });

  it("When a pending payment is cancelled, then the hold is released and nothing moves", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const draft = await stack.graphql(CREATE_DRAFT, {
      input: paymentInput(a.id, b.id, "7.00"),
      key: randomUUID(),
    });
    const id = draft.data!.createDraftPayment.id;
    await transition(stack, "pend", id);
    const cancelled = await transition(stack, "cancel", id);
    expect(cancelled.data!.cancelPayment.status).toBe("CANCELLED");
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "0.00", available: "10.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "0.00" });
  });

  it("When pending more than is available, then INSUFFICIENT_FUNDS and the draft stays a draft", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "5.00");
    const draft = await stack.graphql(CREATE_DRAFT, {
      input: paymentInput(a.id, b.id, "5.01"),
      key: randomUUID(),
    });
    expect(draft.errors).toBeUndefined();
    const id = draft.data!.createDraftPayment.id;
    const pended = await transition(stack, "pend", id);
    expect(pended.errors![0].extensions!.code).toBe("INSUFFICIENT_FUNDS");
    const read = await stack.graphql(`query($id: ID!) { payment(id: $id) { status } }`, { id });
    expect(read.data!.payment.status).toBe("DRAFT");
    expect(await balance(stack, a.id)).toMatchObject({ pending: "0.00" });
  });

  it.each([
    ["DRAFT", "post"],
    ["POSTED", "pend"],
    ["POSTED", "post"],
    ["POSTED", "cancel"],
    ["CANCELLED", "pend"],
    ["CANCELLED", "post"],
    ["CANCELLED", "cancel"],
    ["PENDING", "pend"],
  ] as const)("When a %s payment is asked to %s, then PAYMENT_INVALID_STATE", async (status, operation) => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    let id: string;
    if (status === "POSTED") {
      id = (
        await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "1.00"), key: randomUUID() })
      ).data!.createPayment.id;
    } else {
      id = (await stack.graphql(CREATE_DRAFT, { input: paymentInput(a.id, b.id, "1.00"), key: randomUUID() }))
        .data!.createDraftPayment.id;
      if (status === "PENDING") await transition(stack, "pend", id);
      if (status === "CANCELLED") await transition(stack, "cancel", id);
    }
    const before = await balance(stack, a.id);
    const result = await transition(stack, operation, id);
    expect(result.errors![0].extensions).toMatchObject({ code: "PAYMENT_INVALID_STATE", from: status });
    expect(await balance(stack, a.id)).toEqual(before);
  });

  it("When post and cancel race on one pending payment, then exactly one wins", async () => {
    for (let round = 0; round < 5; round++) {
      const a = await openAccount(stack);
      const b = await openAccount(stack);
      await fund(stack, a.id, "10.00");
      const id = (
        await stack.graphql(CREATE_DRAFT, { input: paymentInput(a.id, b.id, "6.00"), key: randomUUID() })
      ).data!.createDraftPayment.id;
      await transition(stack, "pend", id);
      const [post, cancel] = await Promise.all([
        transition(stack, "post", id),
        transition(stack, "cancel", id),
      ]);
      const winners = [post.data?.postPayment, cancel.data?.cancelPayment].filter(Boolean);
      expect(winners).toHaveLength(1);
      const loser = post.errors ?? cancel.errors;
      expect(loser![0].extensions!.code).toBe("PAYMENT_INVALID_STATE");
      const expected = post.data?.postPayment ? { a: "4.00", b: "6.00" } : { a: "10.00", b: "0.00" };
      expect(await balance(stack, a.id)).toEqual({
        posted: expected.a,
        pending: "0.00",
        available: expected.a,
      });
      expect(await balance(stack, b.id)).toMatchObject({ posted: expected.b });
    }
  });

  it("When a payment does not exist, then PAYMENT_NOT_FOUND", async () => {
    const result = await transition(stack, "post", randomUUID());
    expect(result.errors![0].extensions!.code).toBe("PAYMENT_NOT_FOUND");
  });
});

describe("concurrency", () => {
  it("When 100 withdrawals race on an account that affords 37, then exactly 37 succeed and the balance is exact", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "37.00");
    const results = await Promise.all(
      Array.from({ length: 100 }, () =>
        stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "1.00"), key: randomUUID() }),
      ),
    );
    const ok = results.filter((r) => r.data?.createPayment);
    const refused = results.filter((r) => r.errors?.[0].extensions?.code === "INSUFFICIENT_FUNDS");
    expect(ok).toHaveLength(37);
    expect(refused).toHaveLength(63);
    expect(await balance(stack, a.id)).toEqual({ posted: "0.00", pending: "0.00", available: "0.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "37.00" });
  });
});

/** Waits until `count` sessions of this database wait for a lock. */
async function waitForLockWaiters(db: PgClient, count: number): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
    );
    if (rows[0].n >= count) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`fewer than ${count} sessions came to wait for a lock`);
}

describe("idempotency keys of pend, post and cancel", () => {
  const READ = `query($id: ID!) { payment(id: $id) { status history { to } transactions { kind } } }`;

  async function draftPayment(debit: string, credit: string, amount: string): Promise<string> {
    const draft = await stack.graphql(CREATE_DRAFT, {
      input: paymentInput(debit, credit, amount),
      key: randomUUID(),
    });
    return draft.data!.createDraftPayment.id as string;
  }

  it("When pend and post come again with their keys, then each answers the payment as it is now and nothing moves again", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const id = await draftPayment(a.id, b.id, "4.00");
    const [pendKey, postKey] = [randomUUID(), randomUUID()];

    const pended = await transition(stack, "pend", id, pendKey);
    const pendedAgain = await transition(stack, "pend", id, pendKey);
    expect(pendedAgain.errors).toBeUndefined();
    expect(pendedAgain.data!.pendPayment).toEqual(pended.data!.pendPayment);
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "4.00", available: "6.00" });

    const posted = await transition(stack, "post", id, postKey);
    const postedAgain = await transition(stack, "post", id, postKey);
    expect(postedAgain.errors).toBeUndefined();
    expect(postedAgain.data!.postPayment).toEqual(posted.data!.postPayment);
    // The pend's key, after the payment moved on: the payment as it is now, nothing held again.
    const pendedLate = await transition(stack, "pend", id, pendKey);
    expect(pendedLate.errors).toBeUndefined();
    expect(pendedLate.data!.pendPayment).toMatchObject({ id, status: "POSTED" });

    expect(await balance(stack, a.id)).toEqual({ posted: "6.00", pending: "0.00", available: "6.00" });
    expect(await balance(stack, b.id)).toEqual({ posted: "4.00", pending: "0.00", available: "4.00" });
    const read = await stack.graphql(READ, { id });
    expect(read.data!.payment).toEqual({
      status: "POSTED",
      history: [{ to: "DRAFT" }, { to: "PENDING" }, { to: "POSTED" }],
      transactions: [{ kind: "POST" }],
    });
  });

  it("When cancel comes again with its key, then it answers the cancelled payment and releases nothing again", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const held = await draftPayment(a.id, b.id, "3.00");
    const other = await draftPayment(a.id, b.id, "5.00");
    await transition(stack, "pend", held);
    await transition(stack, "pend", other);
    expect(await balance(stack, a.id)).toMatchObject({ pending: "8.00" });

    const key = randomUUID();
    const cancelled = await transition(stack, "cancel", held, key);
    const again = await transition(stack, "cancel", held, key);
    expect(again.errors).toBeUndefined();
    expect(again.data!.cancelPayment).toEqual(cancelled.data!.cancelPayment);
    expect(again.data!.cancelPayment.status).toBe("CANCELLED");
    // Released once: the other payment's hold is still there.
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "5.00", available: "5.00" });
    expect((await stack.graphql(READ, { id: held })).data!.payment.history).toEqual([
      { to: "DRAFT" },
      { to: "PENDING" },
      { to: "CANCELLED" },
    ]);
  });

  it("When a key is used again for another payment or another operation, then IDEMPOTENCY_KEY_REUSED names nothing and nothing moves", async () => {
    const clientId = randomUUID();
    const a = await openAccount(stack, { clientId });
    const a2 = await openAccount(stack, { clientId });
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    await fund(stack, a2.id, "10.00");
    const first = await draftPayment(a.id, b.id, "1.00");
    const second = await draftPayment(a2.id, b.id, "2.00");
    const key = randomUUID();
    expect((await transition(stack, "pend", first, key)).errors).toBeUndefined();

    const refusals = [
      await transition(stack, "pend", second, key), // another payment of the same client
      await transition(stack, "post", first, key), // another operation on the same payment
      await transition(stack, "cancel", first, key),
    ];
    for (const refused of refusals) {
      expect(refused.errors![0].extensions).toEqual({ code: "IDEMPOTENCY_KEY_REUSED" });
    }
    // A creation's key is another operation too.
    const createKey = randomUUID();
    const created = await stack.graphql(CREATE_DRAFT, {
      input: paymentInput(a.id, b.id, "1.00"),
      key: createKey,
    });
    const pendWithCreateKey = await transition(stack, "pend", created.data!.createDraftPayment.id, createKey);
    expect(pendWithCreateKey.errors![0].extensions!.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const createWithPendKey = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(a.id, b.id, "1.00"),
      key,
    });
    expect(createWithPendKey.errors![0].extensions).toEqual({ code: "IDEMPOTENCY_KEY_REUSED" });

    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "1.00", available: "9.00" });
    expect(await balance(stack, a2.id)).toEqual({ posted: "10.00", pending: "0.00", available: "10.00" });
    expect((await stack.graphql(READ, { id: second })).data!.payment.status).toBe("DRAFT");
    expect((await stack.graphql(READ, { id: first })).data!.payment.status).toBe("PENDING");
  });

  it("When two identical posts race, then both answer the posted payment and the money moves once", async () => {
    const db = new PgClient({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      for (let round = 0; round < 3; round++) {
        const a = await openAccount(stack);
        const b = await openAccount(stack);
        await fund(stack, a.id, "10.00");
        const id = await draftPayment(a.id, b.id, "6.00");
        await transition(stack, "pend", id);
        const key = randomUUID();
        // Both posts arrive while the payment is locked, so they truly meet: one waits for the other.
        await db.query("BEGIN");
        await db.query("SELECT 1 FROM ledger.payment WHERE id = $1 FOR NO KEY UPDATE", [id]);
        const racing = Promise.all([transition(stack, "post", id, key), transition(stack, "post", id, key)]);
        await waitForLockWaiters(db, 2);
        await db.query("COMMIT");
        const [one, two] = await racing;
        expect([one.errors, two.errors]).toEqual([undefined, undefined]);
        expect(one.data!.postPayment).toEqual(two.data!.postPayment);
        expect(one.data!.postPayment.status).toBe("POSTED");
        expect(await balance(stack, a.id)).toEqual({ posted: "4.00", pending: "0.00", available: "4.00" });
        expect(await balance(stack, b.id)).toMatchObject({ posted: "6.00" });
        expect((await stack.graphql(READ, { id })).data!.payment.transactions).toEqual([{ kind: "POST" }]);
      }
    } finally {
      await db.end();
    }
  });

  it("When identical pends race on an account that affords one hold, then all answer the pending payment and it is held once", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "5.00");
    const id = await draftPayment(a.id, b.id, "5.00");
    const key = randomUUID();
    const results = await Promise.all(Array.from({ length: 6 }, () => transition(stack, "pend", id, key)));
    expect(results.map((r) => r.errors)).toEqual(results.map(() => undefined));
    expect(new Set(results.map((r) => r.data!.pendPayment.status))).toEqual(new Set(["PENDING"]));
    expect(await balance(stack, a.id)).toEqual({ posted: "5.00", pending: "5.00", available: "0.00" });
  });

  it("When a refused pend is asked again with its key once the money is there, then it runs: a refusal keeps no key", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    const id = await draftPayment(a.id, b.id, "2.00");
    const key = randomUUID();
    const refused = await transition(stack, "pend", id, key);
    expect(refused.errors![0].extensions!.code).toBe("INSUFFICIENT_FUNDS");
    await fund(stack, a.id, "2.00");
    const pended = await transition(stack, "pend", id, key);
    expect(pended.errors).toBeUndefined();
    expect(pended.data!.pendPayment.status).toBe("PENDING");
    expect(await balance(stack, a.id)).toEqual({ posted: "2.00", pending: "2.00", available: "0.00" });
  });

  it("When one key is used for payments of two clients, then each client gets its payment; within one client it is refused", async () => {
    const [clientA, clientB] = [randomUUID(), randomUUID()];
    const a = await openAccount(stack, { clientId: clientA });
    const a2 = await openAccount(stack, { clientId: clientA });
    const b = await openAccount(stack, { clientId: clientB });
    const shop = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    await fund(stack, a2.id, "10.00");
    await fund(stack, b.id, "10.00");
    const key = randomUUID();
    const fromA = await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, shop.id, "1.00"), key });
    const fromB = await stack.graphql(CREATE_PAYMENT, { input: paymentInput(b.id, shop.id, "2.00"), key });
    expect([fromA.errors, fromB.errors]).toEqual([undefined, undefined]);
    expect(fromA.data!.createPayment.id).not.toBe(fromB.data!.createPayment.id);
    const fromA2 = await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a2.id, shop.id, "3.00"), key });
    expect(fromA2.errors![0].extensions).toEqual({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await balance(stack, shop.id)).toMatchObject({ posted: "3.00" });

    // Money into a client from the bank's own account is kept under that client.
    const settlement = await settlementAccountId(stack);
    const deposit = randomUUID();
    const intoA = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(settlement, a.id, "1.00"),
      key: deposit,
    });
    const intoB = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(settlement, b.id, "1.00"),
      key: deposit,
    });
    expect([intoA.errors, intoB.errors]).toEqual([undefined, undefined]);
    expect(intoA.data!.createPayment.id).not.toBe(intoB.data!.createPayment.id);
    const intoA2 = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(settlement, a2.id, "1.00"),
      key: deposit,
    });
    expect(intoA2.errors![0].extensions!.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("When payments between the bank's own accounts share a key, then they share one bank-wide scope", async () => {
    const settlement = await settlementAccountId(stack, "USD");
    const suspense = await stack.graphql(`{ bankAccount(kind: SUSPENSE, currency: "USD") { id } }`);
    const suspenseId = suspense.data!.bankAccount.id as string;
    const key = randomUUID();
    const first = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(settlement, suspenseId, "1.00"),
      key,
    });
    expect(first.errors).toBeUndefined();
    const replay = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(settlement, suspenseId, "1.00"),
      key,
    });
    expect(replay.data!.createPayment.id).toBe(first.data!.createPayment.id);
    const other = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(suspenseId, settlement, "1.00"),
      key,
    });
    expect(other.errors![0].extensions!.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });
});
