/**
 * The general ledger's REST routes over real HTTP: documented answers in REST spellings,
 * who may call what, the id/number distinction of `GET /Accounts/{id}`, payment
 * idempotency through the `Idempotency-Key` header, and named error codes.
 */
import { randomUUID } from "node:crypto";
import { balance, fund, openAccount, settlementAccountId } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";
import { closeGrant } from "../helpers/step-up";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

/** A client of its own (the ledger does not need the client subgraph to know it) and its front-office token. */
async function frontOffice(): Promise<{ clientId: string; token: string }> {
  const clientId = randomUUID();
  return { clientId, token: await stack.clientToken(clientId) };
}

/** POSTs a payment route with an idempotency key (a fresh one unless given; `null` sends none). */
function pay(path: string, body: unknown, key: string | null = randomUUID(), token?: string | null) {
  return stack.rest("POST", path, {
    body,
    headers: key === null ? {} : { "Idempotency-Key": key },
    token,
  });
}

/** POSTs `/internal/Payments/{id}/{action}` with an idempotency key (a fresh one unless given; `null` sends none). */
function move(id: string, action: "pend" | "post" | "cancel", key: string | null = randomUUID()) {
  return stack.rest("POST", `/internal/Payments/${id}/${action}`, {
    headers: key === null ? {} : { "Idempotency-Key": key },
  });
}

function payment(debitAccountId: string, creditAccountId: string, amount: string) {
  return { debitAccountId, creditAccountId, amount, description: "REST payment" };
}

/** The error code of an answer in either shape (envelope on /internal, problem details elsewhere). */
function codeOf(body: any): string {
  return body.errors?.[0]?.metadata?.code ?? body.code;
}

describe("GET /BaasProvider/available-currencies", () => {
  it("When a front-office user asks, then it gets the offered currencies with their exponents", async () => {
    const { token } = await frontOffice();
    const response = await stack.rest("GET", "/BaasProvider/available-currencies", { token });
    expect(response.status).toBe(200);
    expect(response.body).toEqual([
      { code: "EUR", exponent: 2 },
      { code: "USD", exponent: 2 },
      { code: "JPY", exponent: 0 },
      { code: "BHD", exponent: 3 },
    ]);
  });
});

describe("Front-office account routes (/Accounts)", () => {
  it("When a front-office user opens an account for its own client, then the AccountDto comes back in documented spellings", async () => {
    const { clientId, token } = await frontOffice();
    const response = await stack.rest("POST", "/Accounts", {
      token,
      body: { clientId, currency: "EUR", name: "Everyday" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      id: expect.any(String),
      number: expect.stringMatching(/^\d{12}$/),
      kind: "client",
      clientId,
      currency: "EUR",
      name: "Everyday",
      status: "active",
      position: 0,
      overdraftLimit: "0.00",
      balance: { posted: "0.00", pending: "0.00", available: "0.00", currency: "EUR" },
      createdAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      updatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it("When a front-office user asks for an overdraft or opens for another client, then 403 and nothing is opened", async () => {
    const { clientId, token } = await frontOffice();
    const overdraft = await stack.rest("POST", "/Accounts", {
      token,
      body: { clientId, currency: "EUR", name: "Overdrawn", overdraftLimit: "100.00" },
    });
    expect(overdraft.status).toBe(403);
    expect(overdraft.body.code).toBe("FORBIDDEN");
    const other = randomUUID();
    const foreign = await stack.rest("POST", "/Accounts", {
      token,
      body: { clientId: other, currency: "EUR", name: "Not mine" },
    });
    expect(foreign.status).toBe(403);
    const listed = await stack.rest("GET", `/Accounts?clientId=${other}`);
    expect(listed.body.totalCount).toBe(0);
  });

  it("When the opening body is wrong, then 400 names each field and rule", async () => {
    const { token } = await frontOffice();
    const response = await stack.rest("POST", "/Accounts", {
      token,
      body: { clientId: "client-1", currency: "EUR", name: "x" },
    });
    expect(response.status).toBe(400);
    expect(response.contentType).toContain("application/problem+json");
    expect(response.body.errors).toEqual([expect.objectContaining({ field: "clientId", rule: "isUuid" })]);

    const { clientId } = await frontOffice();
    const unoffered = await stack.rest("POST", "/Accounts", {
      body: { clientId, currency: "GBP", name: "Sterling" },
    });
    expect(unoffered.status).toBe(400);
    expect(unoffered.body.errors).toEqual([expect.objectContaining({ field: "currency", rule: "offered" })]);
  });

  it("When a front-office user lists accounts, then only its own come back, filtered and paged", async () => {
    const { clientId, token } = await frontOffice();
    const first = await openAccount(stack, { clientId });
    const second = await openAccount(stack, { clientId });
    await openAccount(stack, { clientId, currency: "USD" });
    await openAccount(stack); // another client's

    const eur = await stack.rest("GET", "/Accounts?currency=EUR&status=active&first=1", { token });
    expect(eur.status).toBe(200);
    expect(eur.body.totalCount).toBe(2);
    expect(eur.body.items.map((a: any) => a.id)).toEqual([first.id]);
    expect(eur.body.items[0]).toMatchObject({ status: "active", kind: "client", clientId });
    expect(eur.body.pageInfo.hasNextPage).toBe(true);
    const next = await stack.rest("GET", `/Accounts?currency=EUR&after=${eur.body.pageInfo.endCursor}`, {
      token,
    });
    expect(next.body.items.map((a: any) => a.id)).toEqual([second.id]);

    const all = await stack.rest("GET", "/Accounts", { token });
    expect(all.body.totalCount).toBe(3);
    expect(all.body.items.every((a: any) => a.clientId === clientId)).toBe(true);

    const closed = await stack.rest("GET", "/Accounts?status=closed", { token });
    expect(closed.body.totalCount).toBe(0);
    const badStatus = await stack.rest("GET", "/Accounts?status=frozen", { token });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.errors[0]).toMatchObject({ field: "status", rule: "enum" });
  });

  describe("GET /Accounts/{id}: a UUID is an id, 12 digits an account number", () => {
    it("When called with the account's id and with its number, then both answer the same account", async () => {
      const { clientId, token } = await frontOffice();
      const account = await openAccount(stack, { clientId });
      await fund(stack, account.id, "25.00");

      const byId = await stack.rest("GET", `/Accounts/${account.id}`, { token });
      expect(byId.status).toBe(200);
      expect(byId.body).toMatchObject({
        id: account.id,
        number: account.number,
        balance: { posted: "25.00", pending: "0.00", available: "25.00" },
      });
      const byNumber = await stack.rest("GET", `/Accounts/${account.number}`, { token });
      expect(byNumber.status).toBe(200);
      expect(byNumber.body).toEqual(byId.body);
    });

    it.each([["42"], ["1234567890123"], ["12345678901a"], ["not-an-id"]])(
      "When called with %s, then 400 names id and the rule",
      async (key) => {
        const response = await stack.rest("GET", `/Accounts/${key}`);
        expect(response.status).toBe(400);
        expect(response.body.code).toBe("VALIDATION_FAILED");
        expect(response.body.errors).toEqual([
          {
            field: "id",
            rule: "isUuidOrAccountNumber",
            message: "id must be an account id (UUID) or a 12-digit account number",
          },
        ]);
      },
    );

    it("When no account has that id or number, then 404 ACCOUNT_NOT_FOUND", async () => {
      const byId = await stack.rest("GET", `/Accounts/${randomUUID()}`);
      expect(byId.status).toBe(404);
      expect(byId.body.code).toBe("ACCOUNT_NOT_FOUND");
      const byNumber = await stack.rest("GET", "/Accounts/999999999999");
      expect(byNumber.status).toBe(404);
      expect(byNumber.body.code).toBe("ACCOUNT_NOT_FOUND");
    });
  });

  it("When an account is renamed by its owner and blocked by the bank, then each answers the changed account", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const renamed = await stack.rest("PATCH", `/Accounts/${account.id}`, {
      token,
      body: { name: "Savings" },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ id: account.id, name: "Savings", status: "active" });

    const byOwner = await stack.rest("PATCH", `/Accounts/${account.id}`, {
      token,
      body: { status: "blocked" },
    });
    expect(byOwner.status).toBe(403);

    const blocked = await stack.rest("PATCH", `/Accounts/${account.id}`, {
      body: { status: "blocked", overdraftLimit: "20.00" },
    });
    expect(blocked.status).toBe(200);
    expect(blocked.body).toMatchObject({
      name: "Savings",
      status: "blocked",
      overdraftLimit: "20.00",
      balance: { available: "20.00" },
    });

    const toClosed = await stack.rest("PATCH", `/Accounts/${account.id}`, { body: { status: "closed" } });
    expect(toClosed.status).toBe(409);
    expect(toClosed.body).toMatchObject({
      code: "ACCOUNT_INVALID_STATUS_TRANSITION",
      from: "blocked",
      to: "closed",
    });
  });

  it("When an account is closed, then only an empty one closes (409 ACCOUNT_NOT_EMPTY otherwise)", async () => {
    const { clientId, token } = await frontOffice();
    const empty = await openAccount(stack, { clientId });
    const funded = await openAccount(stack, { clientId });
    await fund(stack, funded.id, "1.00");

    // A front-office close needs a step-up grant (decision 0039; test/ledger/step-up.test.ts).
    const closed = await stack.rest("DELETE", `/Accounts/${empty.id}`, {
      token,
      headers: { "X-Otp-Grant": await closeGrant(stack, empty.id, token) },
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id: empty.id, status: "closed" });

    const refused = await stack.rest("DELETE", `/Accounts/${funded.id}`, {
      token,
      headers: { "X-Otp-Grant": await closeGrant(stack, funded.id, token) },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: "ACCOUNT_NOT_EMPTY", accountId: funded.id });

    const badId = await stack.rest("DELETE", "/Accounts/123456789012", { token });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0]).toMatchObject({ field: "id", rule: "isUuid" });
  });

  it("When accounts are reordered, then they come back in the new order with new positions", async () => {
    const { clientId, token } = await frontOffice();
    const a = await openAccount(stack, { clientId });
    const b = await openAccount(stack, { clientId });
    const c = await openAccount(stack, { clientId, currency: "USD" });

    const response = await stack.rest("PUT", "/Accounts/reorder-accounts", {
      token,
      body: { clientId, accountIds: [c.id, a.id, b.id] },
    });
    expect(response.status).toBe(200);
    expect(response.body.map((x: any) => [x.id, x.position])).toEqual([
      [c.id, 0],
      [a.id, 1],
      [b.id, 2],
    ]);
    const listed = await stack.rest("GET", `/Accounts/${a.id}`, { token });
    expect(listed.body.position).toBe(1);

    const partial = await stack.rest("PUT", "/Accounts/reorder-accounts", {
      token,
      body: { clientId, accountIds: [a.id, b.id] },
    });
    expect(partial.status).toBe(400);
    expect(partial.body.errors[0]).toMatchObject({ field: "accountIds", rule: "allOpenAccountsOnce" });

    const malformed = await stack.rest("PUT", "/Accounts/reorder-accounts", {
      token,
      body: { clientId, accountIds: [a.id, "b"] },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([
      expect.objectContaining({ field: "accountIds.1", rule: "isUuid" }),
    ]);
  });
});

describe("A front-office token and other clients' accounts", () => {
  it("When it reads, changes, closes or reorders another client's account, then 403 and nothing changes; its own answers 200", async () => {
    const me = await frontOffice();
    const mine = await openAccount(stack, { clientId: me.clientId });
    const theirs = await openAccount(stack, { name: "Theirs" });
    await fund(stack, theirs.id, "9.00");
    const token = me.token;

    for (const path of [`/Accounts/${theirs.id}`, `/Accounts/${theirs.number}`]) {
      const read = await stack.rest("GET", path, { token });
      expect(read.status).toBe(403);
      expect(read.body.code).toBe("FORBIDDEN");
      expect(JSON.stringify(read.body)).not.toContain("9.00");
    }
    const update = await stack.rest("PATCH", `/Accounts/${theirs.id}`, { token, body: { name: "Mine now" } });
    expect(update.status).toBe(403);
    const close = await stack.rest("DELETE", `/Accounts/${theirs.id}`, { token });
    expect(close.status).toBe(403);
    const reorder = await stack.rest("PUT", "/Accounts/reorder-accounts", {
      token,
      body: { clientId: theirs.clientId, accountIds: [theirs.id] },
    });
    expect(reorder.status).toBe(403);
    const list = await stack.rest("GET", `/Accounts?clientId=${theirs.clientId}`, { token });
    expect(list.status).toBe(403);

    const unchanged = await stack.rest("GET", `/v2/ledger/internal/Accounts/${theirs.id}`);
    expect(unchanged.body.value).toMatchObject({ name: "Theirs", status: "active" });

    expect((await stack.rest("GET", `/Accounts/${mine.id}`, { token })).status).toBe(200);
    expect((await stack.rest("GET", `/Accounts/${mine.number}`, { token })).status).toBe(200);
    const own = await stack.rest("PATCH", `/Accounts/${mine.id}`, { token, body: { name: "Mine" } });
    expect(own.status).toBe(200);
    expect(own.body.name).toBe("Mine");
  });
});

describe("System account routes", () => {
  it("When the bank opens an account with an overdraft, then the envelope carries it with the overdraft available", async () => {
    const { clientId } = await frontOffice();
    const response = await stack.rest("POST", "/v2/internal/Accounts", {
      body: { clientId, currency: "JPY", name: "Yen", overdraftLimit: "5000" },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ isSuccess: true, isFailed: false, errors: [] });
    expect(response.body.value).toMatchObject({
      clientId,
      currency: "JPY",
      status: "active",
      overdraftLimit: "5000",
      balance: { posted: "0", pending: "0", available: "5000", currency: "JPY" },
    });
    expect(response.body.valueOrDefault).toEqual(response.body.value);
  });

  it("When an account is fetched by id, then any account answers, a settlement account too; else 404 or 400", async () => {
    const account = await openAccount(stack, { currency: "BHD" });
    await fund(stack, account.id, "1.250", "BHD");
    const response = await stack.rest("GET", `/v2/ledger/internal/Accounts/${account.id}`);
    expect(response.status).toBe(200);
    expect(response.body.value).toMatchObject({
      id: account.id,
      currency: "BHD",
      balance: { posted: "1.250", available: "1.250" },
    });

    const settlement = await stack.rest(
      "GET",
      `/v2/ledger/internal/Accounts/${await settlementAccountId(stack, "BHD")}`,
    );
    expect(settlement.body.value).toMatchObject({ kind: "settlement", clientId: null, currency: "BHD" });

    const missing = await stack.rest("GET", `/v2/ledger/internal/Accounts/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ isFailed: true, value: null });
    expect(missing.body.errors[0].metadata.code).toBe("ACCOUNT_NOT_FOUND");

    const malformed = await stack.rest("GET", `/v2/ledger/internal/Accounts/${account.number}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].metadata).toMatchObject({ field: "accountId", rule: "isUuid" });
  });

  it("When accounts are searched, then the filter applies in documented spellings and bad filters name their field", async () => {
    const { clientId } = await frontOffice();
    await openAccount(stack, { clientId });
    const usd = await openAccount(stack, { clientId, currency: "USD" });

    const response = await stack.rest("POST", "/v2/ledger/internal/Accounts/search", {
      body: { filter: { clientId, currency: "USD", status: "active" }, first: 10 },
    });
    expect(response.status).toBe(200);
    expect(response.body.value).toMatchObject({
      totalCount: 1,
      items: [{ id: usd.id, currency: "USD", status: "active" }],
      pageInfo: { hasNextPage: false },
    });

    const badId = await stack.rest("POST", "/v2/ledger/internal/Accounts/search", {
      body: { filter: { clientId: "c-1" } },
    });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].metadata).toMatchObject({ field: "filter.clientId", rule: "isUuid" });
    const badStatus = await stack.rest("POST", "/v2/ledger/internal/Accounts/search", {
      body: { filter: { status: "frozen" } },
    });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.errors[0].metadata).toMatchObject({ field: "filter.status", rule: "enum" });
    const unknown = await stack.rest("POST", "/v2/ledger/internal/Accounts/search", {
      body: { clientId },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].metadata).toMatchObject({ field: "clientId", rule: "unknownField" });
  });

  it("When aggregated amounts are asked for, then posted, held and available are summed per currency", async () => {
    const { clientId } = await frontOffice();
    const a = await openAccount(stack, { clientId });
    const b = await openAccount(stack, { clientId });
    const usd = await openAccount(stack, { clientId, currency: "USD" });
    await fund(stack, a.id, "10.00");
    await fund(stack, b.id, "20.00");
    await fund(stack, usd.id, "7.50", "USD");
    const draft = await pay("/internal/Payments/draft", payment(a.id, b.id, "4.00"));
    await move(draft.body.value.id, "pend");

    const response = await stack.rest(
      "GET",
      `/v2/ledger/internal/Accounts/getAggregatedAmounts?clientId=${clientId}`,
    );
    expect(response.status).toBe(200);
    expect(response.body.value).toEqual([
      { currency: "EUR", posted: "30.00", pending: "4.00", available: "26.00" },
      { currency: "USD", posted: "7.50", pending: "0.00", available: "7.50" },
    ]);

    const missing = await stack.rest("GET", "/v2/ledger/internal/Accounts/getAggregatedAmounts");
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].metadata).toMatchObject({ field: "clientId", rule: "required" });
    const malformed = await stack.rest(
      "GET",
      "/v2/ledger/internal/Accounts/getAggregatedAmounts?clientId=42",
    );
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].metadata).toMatchObject({ field: "clientId", rule: "isUuid" });
  });

  it.each([["/v2/internal/Accounts/recalculate"], ["/internal/Accounts/calculateBalances"]])(
    "When %s is called, then each account's stored and recomputed balances come back",
    async (path) => {
      const account = await openAccount(stack);
      await fund(stack, account.id, "10.00");
      const response = await stack.rest("POST", path, { body: { accountIds: [account.id] } });
      expect(response.status).toBe(200);
      expect(response.body.value).toEqual([
        {
          accountId: account.id,
          currency: "EUR",
          storedPosted: "10.00",
          actualPosted: "10.00",
          storedPending: "0.00",
          actualPending: "0.00",
          wasWrong: false,
        },
      ]);
      const malformed = await stack.rest("POST", path, { body: { accountIds: ["x"] } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.errors[0].metadata).toMatchObject({ field: "accountIds.0", rule: "isUuid" });
    },
  );
});

describe("Transaction routes", () => {
  it("When an account's transactions are listed, queried and fetched, then each carries its balanced entries", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "50.00");
    const paid = await pay("/internal/Payments", payment(a.id, b.id, "12.34"));
    const paymentId = paid.body.value.id;

    const listed = await stack.rest("GET", `/internal/Transactions?accountId=${a.id}&kind=immediate`);
    expect(listed.status).toBe(200);
    expect(listed.body.value.totalCount).toBe(2);
    const last = listed.body.value.items[1];
    expect(last).toMatchObject({
      kind: "immediate",
      paymentId,
      entries: [
        { accountId: a.id, currency: "EUR", amount: "-12.34", balanceAfter: "37.66" },
        { accountId: b.id, currency: "EUR", amount: "12.34", balanceAfter: "12.34" },
      ],
    });

    const queried = await stack.rest("POST", "/internal/Transactions/query", {
      body: { filter: { paymentId, kind: "immediate" } },
    });
    expect(queried.status).toBe(200);
    expect(queried.body.value.items).toEqual([last]);

    const fetched = await stack.rest("GET", `/internal/Transactions/${last.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.body.value).toEqual(last);

    const future = await stack.rest(
      "GET",
      `/internal/Transactions?accountId=${a.id}&from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`,
    );
    expect(future.body.value.totalCount).toBe(0);
  });

  it("When a transaction does not exist or a filter is malformed, then 404 or 400 naming the field", async () => {
    const missing = await stack.rest("GET", `/internal/Transactions/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].metadata.code).toBe("TRANSACTION_NOT_FOUND");

    for (const [query, field, rule] of [
      ["kind=refund", "kind", "enum"],
      ["from=yesterday", "from", "type"],
      ["accountId=12", "accountId", "isUuid"],
    ]) {
      const response = await stack.rest("GET", `/internal/Transactions?${query}`);
      expect(response.status).toBe(400);
      expect(response.body.errors[0].metadata).toMatchObject({ code: "VALIDATION_FAILED", field, rule });
    }
    const badBody = await stack.rest("POST", "/internal/Transactions/query", {
      body: { filter: { paymentId: "p-1" } },
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors[0].metadata).toMatchObject({ field: "filter.paymentId", rule: "isUuid" });
  });
});

describe("Payment routes", () => {
  it("When a payment is created, then it is posted at once and the money has moved", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "100.00");
    const key = randomUUID();
    const response = await pay(
      "/internal/Payments",
      { ...payment(a.id, b.id, "30.25"), metadata: { invoice: "INV-1" } },
      key,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ isSuccess: true, errors: [] });
    expect(response.body.value).toMatchObject({
      status: "posted",
      amount: "30.25",
      currency: "EUR",
      debitAccountId: a.id,
      creditAccountId: b.id,
      description: "REST payment",
      metadata: { invoice: "INV-1" },
      idempotencyKey: key,
    });
    expect(await balance(stack, a.id)).toEqual({ posted: "69.75", pending: "0.00", available: "69.75" });
    expect(await balance(stack, b.id)).toEqual({ posted: "30.25", pending: "0.00", available: "30.25" });
  });

  it("When a draft is pended and posted, then funds are held, then moved", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");

    const draft = await pay("/internal/Payments/draft", payment(a.id, b.id, "4.00"));
    expect(draft.status).toBe(200);
    expect(draft.body.value).toMatchObject({ status: "draft", amount: "4.00" });
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "0.00", available: "10.00" });

    const id = draft.body.value.id;
    const pended = await move(id, "pend");
    expect(pended.status).toBe(200);
    expect(pended.body.value).toMatchObject({ id, status: "pending" });
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "4.00", available: "6.00" });

    const posted = await move(id, "post");
    expect(posted.status).toBe(200);
    expect(posted.body.value).toMatchObject({ id, status: "posted" });
    expect(await balance(stack, a.id)).toEqual({ posted: "6.00", pending: "0.00", available: "6.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "4.00" });

    const again = await move(id, "post");
    expect(again.status).toBe(409);
    expect(again.body.errors[0].metadata).toMatchObject({
      code: "PAYMENT_INVALID_STATE",
      from: "posted",
      to: "posted",
    });
  });

  it("When a pending payment is cancelled, then the hold is released and nothing moves", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const draft = await pay("/internal/Payments/draft", payment(a.id, b.id, "3.00"));
    const id = draft.body.value.id;
    await move(id, "pend");

    const cancelled = await move(id, "cancel");
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.value).toMatchObject({ id, status: "cancelled" });
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "0.00", available: "10.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "0.00" });

    const pend = await move(id, "pend");
    expect(pend.status).toBe(409);
    expect(pend.body.errors[0].metadata).toMatchObject({ from: "cancelled", to: "pending" });
  });

  it("When the same Idempotency-Key comes twice, then the same payment answers and the money moved once", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const key = randomUUID();

    const first = await pay("/internal/Payments", payment(a.id, b.id, "4.00"), key);
    const second = await pay("/internal/Payments", payment(a.id, b.id, "4.00"), key);
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(second.body.value).toEqual(first.body.value);
    expect(await balance(stack, a.id)).toMatchObject({ posted: "6.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "4.00" });

    const other = await pay("/internal/Payments", payment(a.id, b.id, "5.00"), key);
    expect(other.status).toBe(409);
    expect(other.body.errors[0].metadata).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "6.00" });
  });

  it("When the Idempotency-Key is missing, empty or too long, then 400 names the header and nothing moves", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    for (const path of ["/internal/Payments", "/internal/Payments/draft"]) {
      const response = await pay(path, payment(a.id, b.id, "1.00"), null);
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        expect.objectContaining({
          message: "The Idempotency-Key header is required",
          metadata: expect.objectContaining({
            code: "VALIDATION_FAILED",
            field: "Idempotency-Key",
            rule: "required",
          }),
        }),
      ]);
    }
    const empty = await pay("/internal/Payments", payment(a.id, b.id, "1.00"), "");
    expect(empty.status).toBe(400);
    expect(empty.body.errors[0].metadata).toMatchObject({ field: "Idempotency-Key", rule: "required" });
    const long = await pay("/internal/Payments", payment(a.id, b.id, "1.00"), "k".repeat(201));
    expect(long.status).toBe(400);
    expect(long.body.errors[0].metadata).toMatchObject({ field: "Idempotency-Key", rule: "maxLength" });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "10.00" });
  });

  it("When pend, post or cancel comes again with its Idempotency-Key, then the payment answers as it is now and nothing moves again", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const id = (await pay("/internal/Payments/draft", payment(a.id, b.id, "4.00"))).body.value.id;
    const [pendKey, postKey, cancelKey] = [randomUUID(), randomUUID(), randomUUID()];

    expect((await move(id, "pend", pendKey)).status).toBe(200);
    const pendAgain = await move(id, "pend", pendKey);
    expect(pendAgain.status).toBe(200);
    expect(pendAgain.body.value).toMatchObject({ id, status: "pending" });
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "4.00", available: "6.00" });

    const posted = await move(id, "post", postKey);
    const postAgain = await move(id, "post", postKey);
    expect(postAgain.status).toBe(200);
    expect(postAgain.body.value).toEqual(posted.body.value);
    // The pend's key still answers, with the payment as it is now, and holds nothing again.
    const pendLate = await move(id, "pend", pendKey);
    expect(pendLate.status).toBe(200);
    expect(pendLate.body.value).toMatchObject({ id, status: "posted" });
    expect(await balance(stack, a.id)).toEqual({ posted: "6.00", pending: "0.00", available: "6.00" });
    expect(await balance(stack, b.id)).toMatchObject({ posted: "4.00" });

    // The post's key on another operation is refused; a cancel's key answers its cancel.
    const reused = await move(id, "cancel", postKey);
    expect(reused.status).toBe(409);
    expect(reused.body.errors[0].metadata).toEqual({
      code: "IDEMPOTENCY_KEY_REUSED",
      requestId: expect.any(String),
    });
    const draft = (await pay("/internal/Payments/draft", payment(a.id, b.id, "1.00"))).body.value.id;
    const cancelled = await move(draft, "cancel", cancelKey);
    const cancelAgain = await move(draft, "cancel", cancelKey);
    expect(cancelAgain.status).toBe(200);
    expect(cancelAgain.body.value).toEqual(cancelled.body.value);
    expect(cancelAgain.body.value.status).toBe("cancelled");
  });

  it("When pend, post or cancel has no Idempotency-Key, an empty or a too long one, then 400 names the header as /internal/Payments does and nothing moves", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const id = (await pay("/internal/Payments/draft", payment(a.id, b.id, "4.00"))).body.value.id;
    const withoutRequestId = (body: any) =>
      body.errors.map(({ metadata: { requestId: _requestId, ...metadata }, ...error }: any) => ({
        ...error,
        metadata,
      }));
    const create = await pay("/internal/Payments", payment(a.id, b.id, "1.00"), null);
    expect(create.status).toBe(400);
    for (const action of ["pend", "post", "cancel"] as const) {
      const response = await move(id, action, null);
      expect({ action, status: response.status }).toEqual({ action, status: 400 });
      expect(withoutRequestId(response.body)).toEqual(withoutRequestId(create.body));
    }
    expect((await move(id, "pend", "")).body.errors[0].metadata).toMatchObject({
      field: "Idempotency-Key",
      rule: "required",
    });
    const long = await move(id, "pend", "k".repeat(201));
    expect(long.status).toBe(400);
    expect(long.body.errors[0].metadata).toMatchObject({ field: "Idempotency-Key", rule: "maxLength" });
    expect(await balance(stack, a.id)).toEqual({ posted: "10.00", pending: "0.00", available: "10.00" });
  });

  it("When the debit account cannot afford it, then 409 INSUFFICIENT_FUNDS in the envelope and nothing moves", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "5.00");
    const response = await pay("/internal/Payments", payment(a.id, b.id, "5.01"));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({
      isFailed: true,
      isSuccess: false,
      value: null,
      valueOrDefault: null,
    });
    expect(response.body.errors[0].metadata).toMatchObject({ code: "INSUFFICIENT_FUNDS", accountId: a.id });
    expect(codeOf(response.body)).toBe("INSUFFICIENT_FUNDS");
    expect(await balance(stack, a.id)).toMatchObject({ posted: "5.00" });

    const draft = await pay("/internal/Payments/draft", payment(a.id, b.id, "6.00"));
    const pend = await move(draft.body.value.id, "pend");
    expect(pend.status).toBe(409);
    expect(pend.body.errors[0].metadata.code).toBe("INSUFFICIENT_FUNDS");
  });

  it("When an account of the payment is blocked, then 409 ACCOUNT_NOT_ACTIVE names it with the documented status spelling", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "5.00");
    await stack.rest("PATCH", `/Accounts/${b.id}`, { body: { status: "blocked" } });
    const response = await pay("/internal/Payments", payment(a.id, b.id, "1.00"));
    expect(response.status).toBe(409);
    expect(response.body.errors[0].metadata).toMatchObject({
      code: "ACCOUNT_NOT_ACTIVE",
      accountId: b.id,
      status: "blocked",
    });
  });

  it("When the payment body breaks a rule, then 400 names the REST field", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    const usd = await openAccount(stack, { currency: "USD" });
    await fund(stack, a.id, "5.00");
    const cases: Array<[unknown, string, string, number]> = [
      [payment(a.id, b.id, "1.001"), "amount", "scale", 400],
      [payment(a.id, b.id, "-1.00"), "amount", "isDecimal", 400],
      [{ ...payment(a.id, b.id, "1.00"), amount: 1 }, "amount", "type", 400],
      [{ ...payment(a.id, b.id, "1.00"), description: "" }, "description", "minLength", 400],
      [{ ...payment(a.id, b.id, "1.00"), description: undefined }, "description", "required", 400],
      [{ ...payment(a.id, b.id, "1.00"), metadata: "invoice 1" }, "metadata", "type", 400],
      [{ ...payment(a.id, b.id, "1.00"), metadata: [1] }, "metadata", "type", 400],
      [payment("a-1", b.id, "1.00"), "debitAccountId", "isUuid", 400],
      [payment(a.id, a.id, "1.00"), "creditAccountId", "differentFromDebit", 400],
    ];
    for (const [body, field, rule, status] of cases) {
      const response = await pay("/internal/Payments", body);
      expect({ field, status: response.status }).toEqual({ field, status });
      expect(response.body.errors[0].metadata).toMatchObject({ code: "VALIDATION_FAILED", field, rule });
    }
    const mismatch = await pay("/internal/Payments", payment(a.id, usd.id, "1.00"));
    expect(mismatch.status).toBe(400);
    expect(mismatch.body.errors[0].metadata).toMatchObject({
      code: "CURRENCY_MISMATCH",
      field: "creditAccountId",
    });
    const unknownAccount = await pay("/internal/Payments", payment(a.id, randomUUID(), "1.00"));
    expect(unknownAccount.status).toBe(404);
    expect(unknownAccount.body.errors[0].metadata).toMatchObject({
      code: "ACCOUNT_NOT_FOUND",
      field: "creditAccountId",
    });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "5.00" });
  });

  it("When a payment id names no payment or is not a UUID, then 404 PAYMENT_NOT_FOUND or 400 isUuid", async () => {
    const missing = await move(randomUUID(), "post");
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].metadata.code).toBe("PAYMENT_NOT_FOUND");
    const malformed = await move("p-1", "cancel");
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].metadata).toMatchObject({ field: "paymentId", rule: "isUuid" });
  });
});

describe("Who may call the ledger routes", () => {
  it("When a system route or a front-office route is called without a token, then 401 UNAUTHENTICATED", async () => {
    const account = await openAccount(stack);
    const internal = await pay(
      "/internal/Payments",
      payment(account.id, account.id, "1.00"),
      randomUUID(),
      null,
    );
    expect(internal.status).toBe(401);
    expect(internal.body.errors[0].metadata.code).toBe("UNAUTHENTICATED");
    expect(internal.body.value).toBeNull();
    const front = await stack.rest("GET", `/Accounts/${account.id}`, { token: null });
    expect(front.status).toBe(401);
    expect(front.body.code).toBe("UNAUTHENTICATED");
  });

  it("When a front-office token calls a system route, even for its own account, then 403 and nothing moves", async () => {
    const { clientId, token } = await frontOffice();
    const mine = await openAccount(stack, { clientId });
    const other = await openAccount(stack, { clientId });
    await fund(stack, mine.id, "10.00");

    const paid = await pay("/internal/Payments", payment(mine.id, other.id, "1.00"), randomUUID(), token);
    expect(paid.status).toBe(403);
    expect(paid.body.errors[0].metadata.code).toBe("FORBIDDEN");
    expect(await balance(stack, mine.id)).toMatchObject({ posted: "10.00" });

    const read = await stack.rest("GET", `/v2/ledger/internal/Accounts/${mine.id}`, { token });
    expect(read.status).toBe(403);
    expect(read.body.value).toBeNull();
    const transactions = await stack.rest("GET", `/internal/Transactions?accountId=${mine.id}`, { token });
    expect(transactions.status).toBe(403);
  });
});
