/** The documented five payment operations, with holds, idempotency and every named error. */
import { randomUUID } from "node:crypto";
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
