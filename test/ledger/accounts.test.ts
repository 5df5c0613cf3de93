/** Accounts: opening, numbers, balances, ordering, closing, aggregates, statements, and who sees what. */
import { randomUUID } from "node:crypto";
import { Client as PgClient } from "pg";
import { isValidAccountNumber } from "../../common/account-number";
import {
  ACCOUNT_FIELDS,
  balance,
  CREATE_DRAFT,
  CREATE_PAYMENT,
  fund,
  openAccount,
  paymentInput,
  transition,
} from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe("accounts", () => {
  it("When an account is opened, then it is ACTIVE, empty, in the currency, with a valid unique number", async () => {
    const clientId = randomUUID();
    const result = await stack.graphql(
      `mutation($input: OpenAccountInput!) { openAccount(input: $input) { ${ACCOUNT_FIELDS} kind name position } }`,
      { input: { clientId, currency: "usd", name: "Savings" } },
    );
    const account = result.data!.openAccount;
    expect(account).toMatchObject({
      currency: "USD",
      status: "ACTIVE",
      clientId,
      kind: "CLIENT",
      name: "Savings",
      position: 0,
      overdraftLimit: "0.00",
      balance: { posted: "0.00", pending: "0.00", available: "0.00", currency: "USD" },
    });
    expect(isValidAccountNumber(account.number)).toBe(true);
    const byNumber = await stack.graphql(`query($n: String!) { accountByNumber(number: $n) { id } }`, {
      n: account.number,
    });
    expect(byNumber.data!.accountByNumber.id).toBe(account.id);
  });

  it("When the currency is not offered or not a currency, then the field and rule are named", async () => {
    const open = (currency: string) =>
      stack.graphql(`mutation($input: OpenAccountInput!) { openAccount(input: $input) { id } }`, {
        input: { clientId: randomUUID(), currency, name: "x" },
      });
    expect((await open("GBP")).errors![0].extensions!.fields).toEqual([
      expect.objectContaining({ field: "currency", rule: "offered" }),
    ]);
    expect((await open("XYZ")).errors![0].extensions!.fields).toEqual([
      expect.objectContaining({ field: "currency", rule: "isISO4217CurrencyCode" }),
    ]);
  });

  it("When the available currencies are asked, then the configured ones come with their exponents", async () => {
    const result = await stack.graphql(`{ availableCurrencies { code exponent } }`);
    expect(result.data!.availableCurrencies).toEqual([
      { code: "EUR", exponent: 2 },
      { code: "USD", exponent: 2 },
      { code: "JPY", exponent: 0 },
      { code: "BHD", exponent: 3 },
    ]);
  });

  it("When accounts are reordered, then positions follow the list; a list that is not the client's accounts is refused", async () => {
    const clientId = randomUUID();
    const a = await openAccount(stack, { clientId });
    const b = await openAccount(stack, { clientId });
    const c = await openAccount(stack, { clientId });
    const result = await stack.graphql(
      `mutation($c: ID!, $ids: [ID!]!) { reorderAccounts(clientId: $c, accountIds: $ids) { id position } }`,
      { c: clientId, ids: [c.id, a.id, b.id] },
    );
    expect(result.data!.reorderAccounts).toEqual([
      { id: c.id, position: 0 },
      { id: a.id, position: 1 },
      { id: b.id, position: 2 },
    ]);
    const partial = await stack.graphql(
      `mutation($c: ID!, $ids: [ID!]!) { reorderAccounts(clientId: $c, accountIds: $ids) { id } }`,
      { c: clientId, ids: [c.id, a.id] },
    );
    expect(partial.errors![0].extensions!.fields[0]).toMatchObject({ field: "accountIds" });
  });

  it("When an account holds money or a hold, then it cannot close; once empty it closes and stays closed", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "5.00");
    const close = (id: string) =>
      stack.graphql(`mutation($id: ID!) { closeAccount(id: $id) { status } }`, { id });
    expect((await close(a.id)).errors![0].extensions!.code).toBe("ACCOUNT_NOT_EMPTY");
    const draft = (
      await stack.graphql(CREATE_DRAFT, { input: paymentInput(a.id, b.id, "5.00"), key: randomUUID() })
    ).data!.createDraftPayment.id;
    await transition(stack, "pend", draft);
    expect((await close(a.id)).errors![0].extensions!.code).toBe("ACCOUNT_NOT_EMPTY");
    await transition(stack, "post", draft);
    expect((await close(a.id)).data!.closeAccount.status).toBe("CLOSED");
    expect((await close(a.id)).errors![0].extensions!.code).toBe("ACCOUNT_INVALID_STATUS_TRANSITION");
    const pay = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(b.id, a.id, "1.00"),
      key: randomUUID(),
    });
    expect(pay.errors![0].extensions).toMatchObject({ code: "ACCOUNT_NOT_ACTIVE", status: "CLOSED" });
  });

  it("When the overdraft limit is lowered below what is used, then OVERDRAFT_LIMIT_IN_USE", async () => {
    const a = await openAccount(stack, { overdraftLimit: "30.00" });
    const b = await openAccount(stack);
    await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "20.00"), key: randomUUID() });
    const update = (limit: string) =>
      stack.graphql(
        `mutation($id: ID!, $l: String) { updateAccount(id: $id, input: { overdraftLimit: $l }) { overdraftLimit } }`,
        {
          id: a.id,
          l: limit,
        },
      );
    expect((await update("10.00")).errors![0].extensions!.code).toBe("OVERDRAFT_LIMIT_IN_USE");
    expect((await update("20.00")).data!.updateAccount.overdraftLimit).toBe("20.00");
  });

  it("When aggregated amounts are asked, then posted, held and available are summed per currency", async () => {
    const clientId = randomUUID();
    const eur1 = await openAccount(stack, { clientId });
    const eur2 = await openAccount(stack, { clientId, overdraftLimit: "10.00" });
    const usd = await openAccount(stack, { clientId, currency: "USD" });
    const other = await openAccount(stack);
    await fund(stack, eur1.id, "100.00");
    await fund(stack, usd.id, "7.50", "USD");
    const draft = (
      await stack.graphql(CREATE_DRAFT, {
        input: paymentInput(eur1.id, other.id, "30.00"),
        key: randomUUID(),
      })
    ).data!.createDraftPayment.id;
    await transition(stack, "pend", draft);
    void eur2;
    const result = await stack.graphql(
      `query($c: ID!) { aggregatedAmounts(clientId: $c) { currency posted pending available } }`,
      {
        c: clientId,
      },
    );
    expect(result.data!.aggregatedAmounts).toEqual([
      { currency: "EUR", posted: "100.00", pending: "30.00", available: "80.00" },
      { currency: "USD", posted: "7.50", pending: "0.00", available: "7.50" },
    ]);
  });

  it("When a stored balance is wrong, then recalculateBalances reports it and sets it right from the entries", async () => {
    const a = await openAccount(stack);
    await fund(stack, a.id, "12.34");
    const db = new PgClient({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query(`UPDATE ledger.account SET posted = posted + 100, pending = pending + 5 WHERE id = $1`, [
      a.id,
    ]);
    await db.end();
    const check = await stack.graphql(
      `mutation($ids: [ID!]!) { recalculateBalances(accountIds: $ids) {
        accountId storedPosted actualPosted storedPending actualPending wasWrong } }`,
      { ids: [a.id] },
    );
    expect(check.data!.recalculateBalances).toEqual([
      {
        accountId: a.id,
        storedPosted: "13.34",
        actualPosted: "12.34",
        storedPending: "0.05",
        actualPending: "0.00",
        wasWrong: true,
      },
    ]);
    const again = await stack.graphql(
      `mutation($ids: [ID!]!) { recalculateBalances(accountIds: $ids) { wasWrong } }`,
      {
        ids: [a.id],
      },
    );
    expect(again.data!.recalculateBalances).toEqual([{ wasWrong: false }]);
  });

  it("When a statement is read, then the account's transactions come with its entries and running balances", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "3.00"), key: randomUUID() });
    const result = await stack.graphql(
      `query($id: ID!) { account(id: $id) { transactions(first: 10) { totalCount nodes { kind entries { accountId amount balanceAfter } } } } }`,
      { id: a.id },
    );
    const statement = result.data!.account.transactions;
    expect(statement.totalCount).toBe(2);
    expect(statement.nodes.map((t: any) => t.entries.find((e: any) => e.accountId === a.id))).toEqual([
      { accountId: a.id, amount: "10.00", balanceAfter: "10.00" },
      { accountId: a.id, amount: "-3.00", balanceAfter: "7.00" },
    ]);
    const filtered = await stack.graphql(
      `query($id: ID!) { transactions(filter: { accountId: $id, kind: IMMEDIATE }, first: 1) { totalCount pageInfo { hasNextPage } } }`,
      { id: a.id },
    );
    expect(filtered.data!.transactions).toEqual({ totalCount: 2, pageInfo: { hasNextPage: true } });
  });
});

describe("who sees what", () => {
  it("When a front-office user reads or moves another client's money, then FORBIDDEN; its own works", async () => {
    const ownClient = randomUUID();
    const own = await openAccount(stack, { clientId: ownClient });
    const other = await openAccount(stack);
    await fund(stack, other.id, "50.00");
    const token = await stack.clientToken(ownClient);
    const as = (query: string, variables: Record<string, unknown>) =>
      stack.graphql(query, variables, { token });

    expect((await as(`query($id: ID!) { account(id: $id) { id } }`, { id: own.id })).data!.account.id).toBe(
      own.id,
    );
    for (const [query, variables] of [
      [`query($id: ID!) { account(id: $id) { balance { posted } } }`, { id: other.id }],
      [`query($n: String!) { accountByNumber(number: $n) { id } }`, { n: other.number }],
      [`query($c: ID!) { aggregatedAmounts(clientId: $c) { posted } }`, { c: other.clientId }],
      [`query($id: ID!) { transactions(filter: { accountId: $id }) { totalCount } }`, { id: other.id }],
      [`mutation($id: ID!) { updateAccount(id: $id, input: { name: "mine" }) { id } }`, { id: other.id }],
      [`mutation($id: ID!) { closeAccount(id: $id) { id } }`, { id: other.id }],
      [CREATE_PAYMENT, { input: paymentInput(other.id, own.id, "1.00"), key: randomUUID() }],
      [CREATE_PAYMENT, { input: paymentInput(own.id, other.id, "1.00"), key: randomUUID() }],
    ] as const) {
      const result = await as(query, variables);
      expect({ query, code: result.errors?.[0].extensions?.code }).toEqual({ query, code: "FORBIDDEN" });
      expect(JSON.stringify(result.data ?? {})).not.toContain("50.00");
    }
    const list = await as(`{ accounts { totalCount nodes { id } } }`, {});
    expect(list.data!.accounts).toEqual({ totalCount: 1, nodes: [{ id: own.id }] });
    expect(
      (await stack.graphql(`query($id: ID!) { account(id: $id) { balance { posted } } }`, { id: other.id }))
        .data!.account,
    ).toEqual({
      balance: { posted: "50.00" },
    });
  });
});

describe("federation", () => {
  it("When 50 clients are read with their accounts and balances, then the SQL statements do not grow with the count", async () => {
    const tag = `n1-${randomUUID()}`;
    for (let i = 0; i < 50; i++) {
      const clientId = await importClient(stack, { externalId: `${tag}-${i}` });
      await openAccount(stack, { clientId });
      await openAccount(stack, { clientId, currency: "USD" });
    }
    const query = `query($s: String, $n: Int) { clients(filter: { search: $s }, first: $n) {
      nodes { id firstName accounts { number balance { posted available currency } client { id } } } } }`;
    const statementsFor = async (n: number) => {
      const before = stack.client.statements.count + stack.ledger.statements.count;
      const result = await stack.graphql(query, { s: tag, n });
      expect(result.errors).toBeUndefined();
      expect(result.data!.clients.nodes).toHaveLength(n);
      for (const node of result.data!.clients.nodes) {
        expect(node.accounts.map((a: any) => a.balance.currency)).toEqual(["EUR", "USD"]);
        expect(node.accounts[0].client.id).toBe(node.id);
      }
      return stack.client.statements.count + stack.ledger.statements.count - before;
    };
    const forFive = await statementsFor(5);
    const forFifty = await statementsFor(50);
    expect(forFifty).toBe(forFive);
    expect(forFifty).toBeLessThanOrEqual(4);
  });
});

describe("input the ledger refuses by name", () => {
  it.each([
    [`{ accounts(filter: { clientId: "nope" }) { totalCount } }`, "clientId"],
    [`{ transactions(filter: { accountId: "nope" }) { totalCount } }`, "accountId"],
    [`{ aggregatedAmounts(clientId: "nope") { currency } }`, "clientId"],
    [`mutation { recalculateBalances(accountIds: ["nope"]) { wasWrong } }`, "accountIds.0"],
  ])("When %s is sent, then VALIDATION_FAILED names %s as isUuid", async (query, field) => {
    const result = await stack.graphql(query);
    expect(result.errors![0].extensions).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(result.errors![0].extensions!.fields).toContainEqual(
      expect.objectContaining({ field, rule: "isUuid" }),
    );
  });

  it("When a date filter is not a date, then the gateway answers BAD_USER_INPUT, not a fault", async () => {
    const result = await stack.graphql(
      `query($from: DateTimeISO) { transactions(filter: { from: $from }) { totalCount } }`,
      {
        from: "yesterday",
      },
    );
    expect(result.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
  });

  it("When a front-office user opens an account without naming the client, then it is its own", async () => {
    const clientId = randomUUID();
    const result = await stack.graphql(
      `mutation { openAccount(input: { currency: "EUR", name: "Mine" }) { clientId overdraftLimit } }`,
      {},
      { token: await stack.clientToken(clientId) },
    );
    expect(result.data!.openAccount).toEqual({ clientId, overdraftLimit: "0.00" });
    const withOverdraft = await stack.graphql(
      `mutation { openAccount(input: { currency: "EUR", name: "Mine", overdraftLimit: "100.00" }) { id } }`,
      {},
      { token: await stack.clientToken(clientId) },
    );
    expect(withOverdraft.errors![0].extensions!.code).toBe("FORBIDDEN");
    const system = await stack.graphql(
      `mutation { openAccount(input: { currency: "EUR", name: "x" }) { id } }`,
    );
    expect(system.errors![0].extensions!.fields).toEqual([
      expect.objectContaining({ field: "clientId", rule: "required" }),
    ]);
  });
});

describe("recalculation while money moves", () => {
  it("When balances are recalculated while payments race on the account, then nothing is reported wrong or changed", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "100.00");
    const payments = Array.from({ length: 30 }, () =>
      stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "1.00"), key: randomUUID() }),
    );
    const checks = Array.from({ length: 10 }, () =>
      stack.graphql(`mutation($ids: [ID!]!) { recalculateBalances(accountIds: $ids) { wasWrong } }`, {
        ids: [a.id, b.id],
      }),
    );
    const results = await Promise.all([...payments, ...checks]);
    for (const check of results.slice(30)) {
      expect(check.data!.recalculateBalances).toEqual([{ wasWrong: false }, { wasWrong: false }]);
    }
    expect(await balance(stack, a.id)).toEqual({ posted: "70.00", pending: "0.00", available: "70.00" });
  });
});

describe("nested paths a front-office user might take", () => {
  it("When it follows links from its own data or asks for another client's, then it never sees the other side", async () => {
    const ownClient = await importClient(stack);
    const own = await openAccount(stack, { clientId: ownClient });
    const otherClient = await importClient(stack);
    const other = await openAccount(stack, { clientId: otherClient });
    await fund(stack, other.id, "40.00");
    const paid = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(other.id, own.id, "15.00"),
      key: randomUUID(),
    });
    const paymentId = paid.data!.createPayment.id;
    const token = await stack.clientToken(ownClient);

    const statement = await stack.graphql(
      `query($id: ID!) { account(id: $id) { transactions { nodes { id payment { id } entries { accountId amount account { id } } } } } }`,
      { id: own.id },
      { token },
    );
    const [transaction] = statement.data!.account.transactions.nodes;
    expect(transaction.entries).toEqual([{ accountId: own.id, amount: "15.00", account: { id: own.id } }]);
    expect(transaction.payment).toBeNull();
    expect(statement.errors!.map((e) => e.extensions!.code)).toEqual(["FORBIDDEN"]);

    const viaId = await stack.graphql(
      `query($id: ID!) { transaction(id: $id) { entries { accountId } } }`,
      { id: transaction.id },
      { token },
    );
    expect(viaId.data!.transaction.entries).toEqual([{ accountId: own.id }]);

    const otherTransactions = await stack.graphql(
      `query($id: ID!) { transactions(filter: { accountId: $id }) { nodes { id } } }`,
      { id: other.id },
      { token },
    );
    expect(otherTransactions.errors![0].extensions!.code).toBe("FORBIDDEN");
    const otherClientAccounts = await stack.graphql(
      `query($id: ID!) { client(id: $id) { accounts { id } } }`,
      { id: otherClient },
      { token },
    );
    expect(otherClientAccounts.data!.client).toBeNull();
    expect(JSON.stringify(otherClientAccounts.data)).not.toContain(other.id);
    const payment = await stack.graphql(
      `query($id: ID!) { payment(id: $id) { id } }`,
      { id: paymentId },
      { token },
    );
    expect(payment.errors![0].extensions!.code).toBe("FORBIDDEN");
  });

  it("When a plain argument or a metadata key holds a NUL, then it is refused by name, not as a fault", async () => {
    const currency = await stack.graphql(`query($c: String!) { settlementAccount(currency: $c) { id } }`, {
      c: "E\u0000R",
    });
    expect(currency.errors![0].extensions).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(currency.errors![0].extensions!.fields).toEqual([
      expect.objectContaining({ field: "currency", rule: "noControlCharacters" }),
    ]);
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "1.00");
    const metadata = await stack.graphql(CREATE_PAYMENT, {
      input: { ...paymentInput(a.id, b.id, "1.00"), metadata: { "bad\u0000key": 1 } },
      key: randomUUID(),
    });
    expect(metadata.errors![0].extensions).toMatchObject({ code: "VALIDATION_FAILED" });
  });
});

describe("transaction report", () => {
  it("When an account's period is reported, then opening, debits, credits and closing add up", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "100.00");
    await new Promise((resolve) => setTimeout(resolve, 20));
    const from = new Date().toISOString();
    await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "30.00"), key: randomUUID() });
    await stack.graphql(CREATE_PAYMENT, { input: paymentInput(b.id, a.id, "5.50"), key: randomUUID() });
    const report = await stack.graphql(
      `query($id: ID!, $from: DateTimeISO) { transactionReport(accountId: $id, from: $from) {
        currency openingBalance debits credits closingBalance transactionCount } }`,
      { id: a.id, from },
    );
    expect(report.data!.transactionReport).toEqual({
      currency: "EUR",
      openingBalance: "100.00",
      debits: "30.00",
      credits: "5.50",
      closingBalance: "75.50",
      transactionCount: 2,
    });
    const rest = await stack.rest("GET", `/internal/Transactions/report?accountId=${a.id}`);
    expect(rest.status).toBe(200);
    expect(rest.body.value).toMatchObject({
      openingBalance: "0.00",
      credits: "105.50",
      debits: "30.00",
      closingBalance: "75.50",
    });
    const other = await stack.graphql(
      `query($id: ID!) { transactionReport(accountId: $id) { closingBalance } }`,
      { id: a.id },
      { token: await stack.clientToken(randomUUID()) },
    );
    expect(other.errors![0].extensions!.code).toBe("FORBIDDEN");
  });
});

describe("Account.client across subgraphs", () => {
  it("When an account's client fields are asked, then the client subgraph answers them through the gateway", async () => {
    const clientId = await importClient(stack, { firstName: "Maria", lastName: "Lopez" });
    const account = await openAccount(stack, { clientId });
    const result = await stack.graphql(
      `query($id: ID!) { account(id: $id) { number client { id firstName lastName status } } }`,
      { id: account.id },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.account).toEqual({
      number: account.number,
      client: { id: clientId, firstName: "Maria", lastName: "Lopez", status: "ACTIVE" },
    });
  });
});
