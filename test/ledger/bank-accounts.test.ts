/**
 * The bank's own accounts: SETTLEMENT, SUSPENSE and FX_POSITION, one of each per offered
 * currency. Over the stack: bankAccount, who may ask, payments through them. On a scratch
 * database of its own: ensureBankAccounts racing itself, the unique index, and the
 * AddBankAccountKinds migration undone and redone (with the migrations after it).
 */
import { randomUUID } from "node:crypto";
import { Client as PgClient } from "pg";
import type { DataSource } from "typeorm";
import { createDataSource, migrate } from "../../common/db/data-source";
import {
  AccountKind,
  BANK_ACCOUNT_KINDS,
  type BankAccountKind,
} from "../../subgraphs/ledger/domain/account-status";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "../../subgraphs/ledger/persistence";
import { AddBankAccountKinds1732210000000 } from "../../subgraphs/ledger/persistence/migrations/1732210000000-AddBankAccountKinds";
import { AccountRepository } from "../../subgraphs/ledger/persistence/account.repository";
import { PaymentRepository } from "../../subgraphs/ledger/persistence/payment.repository";
import { balance, fund, openAccount, paymentInput } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";

const BANK_ACCOUNT = `query($kind: AccountKind!, $c: String!) {
  bankAccount(kind: $kind, currency: $c) { id number kind clientId currency name status }
}`;

let stack: Stack;
let db: PgClient;
beforeAll(async () => {
  stack = await startStack();
  db = new PgClient({ connectionString: stack.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await stack.stop();
});

async function bankAccountId(kind: BankAccountKind, currency: string): Promise<string> {
  const result = await stack.graphql(BANK_ACCOUNT, { kind, c: currency });
  if (!result.data?.bankAccount) throw new Error(`no ${kind} ${currency}: ${JSON.stringify(result.errors)}`);
  return result.data.bankAccount.id as string;
}

async function pay(debitAccountId: string, creditAccountId: string, amount: string) {
  const result = await stack.graphql(
    `mutation($input: PaymentInput!, $key: String!) { createPayment(input: $input, idempotencyKey: $key) {
      status transactions { entries { accountId amount } } } }`,
    { input: paymentInput(debitAccountId, creditAccountId, amount), key: randomUUID() },
  );
  expect(result.errors).toBeUndefined();
  return result.data!.createPayment as {
    status: string;
    transactions: { entries: { accountId: string; amount: string }[] }[];
  };
}

/** Every currency's accounts sum to zero, and so do every transaction's entries. */
async function expectLedgerSumsToZero(): Promise<void> {
  const accounts = await db.query(
    `SELECT currency FROM ledger.account GROUP BY currency HAVING sum(posted) <> 0`,
  );
  expect(accounts.rows).toEqual([]);
  const transactions = await db.query(
    `SELECT transaction_id FROM ledger.entry GROUP BY transaction_id, currency HAVING sum(amount) <> 0`,
  );
  expect(transactions.rows).toEqual([]);
}

describe("bankAccount", () => {
  it("When each bank kind is asked in each offered currency, then one account answers with that kind and currency", async () => {
    const ids = new Set<string>();
    for (const currency of stack.config.ledger.currencies) {
      for (const kind of BANK_ACCOUNT_KINDS) {
        const result = await stack.graphql(BANK_ACCOUNT, { kind, c: currency.toLowerCase() });
        expect(result.errors).toBeUndefined();
        expect(result.data!.bankAccount).toMatchObject({ kind, currency, clientId: null, status: "ACTIVE" });
        ids.add(result.data!.bankAccount.id as string);
      }
    }
    expect(ids.size).toBe(stack.config.ledger.currencies.length * BANK_ACCOUNT_KINDS.length);
    const names = await Promise.all(
      BANK_ACCOUNT_KINDS.map(async (kind) => (await stack.graphql(BANK_ACCOUNT, { kind, c: "EUR" })).data!),
    );
    expect(names.map((data) => data.bankAccount.name)).toEqual([
      "EUR settlement",
      "EUR suspense",
      "EUR FX position",
    ]);
  });

  it("When settlementAccount is asked, then it is bankAccount with SETTLEMENT", async () => {
    const settlement = await stack.graphql(`query { settlementAccount(currency: "USD") { id kind } }`);
    expect(settlement.data!.settlementAccount).toEqual({
      id: await bankAccountId(AccountKind.SETTLEMENT, "USD"),
      kind: "SETTLEMENT",
    });
  });

  it("When the kind is CLIENT or the currency has no bank accounts, then the answer is null", async () => {
    const client = await stack.graphql(BANK_ACCOUNT, { kind: "CLIENT", c: "EUR" });
    expect(client.errors).toBeUndefined();
    expect(client.data!.bankAccount).toBeNull();
    const notOffered = await stack.graphql(BANK_ACCOUNT, { kind: "SUSPENSE", c: "GBP" });
    expect(notOffered.errors).toBeUndefined();
    expect(notOffered.data!.bankAccount).toBeNull();
  });

  it("When a front-office token asks for a bank account, then it is FORBIDDEN, at the gateway and at the subgraph", async () => {
    const token = await stack.clientToken(randomUUID());
    for (const url of [undefined, stack.ledger.url]) {
      const result = await stack.graphql(BANK_ACCOUNT, { kind: "SUSPENSE", c: "EUR" }, { token, url });
      expect(result.errors![0].extensions!.code).toBe("FORBIDDEN");
      expect(result.data?.bankAccount ?? null).toBeNull();
    }
    const byNumber = await stack.graphql(
      `query($n: String!) { accountByNumber(number: $n) { id } }`,
      { n: (await stack.graphql(BANK_ACCOUNT, { kind: "FX_POSITION", c: "EUR" })).data!.bankAccount.number },
      { token },
    );
    expect(byNumber.errors![0].extensions!.code).toBe("FORBIDDEN");
  });

  it("When client accounts are listed, then no bank account is among them", async () => {
    for (const kind of BANK_ACCOUNT_KINDS) {
      const account = (await stack.graphql(BANK_ACCOUNT, { kind, c: "BHD" })).data!.bankAccount;
      const listed = await stack.graphql(
        `query($n: String!) { accounts(filter: { number: $n }) { totalCount nodes { id } } }`,
        { n: account.number },
      );
      expect(listed.data!.accounts).toEqual({ totalCount: 0, nodes: [] });
    }
    const page = await stack.graphql(
      `query { accounts(filter: { currency: "BHD" }, first: 100) { nodes { kind } } }`,
    );
    expect(page.data!.accounts.nodes.every((a: { kind: string }) => a.kind === "CLIENT")).toBe(true);
  });
});

describe("payments through bank accounts", () => {
  it("When incoming money waits in SUSPENSE and is then assigned to a client, then the client has it and the ledger sums to zero", async () => {
    const settlement = await bankAccountId(AccountKind.SETTLEMENT, "EUR");
    const suspense = await bankAccountId(AccountKind.SUSPENSE, "EUR");
    const client = await openAccount(stack);

    const arrived = await pay(settlement, suspense, "42.10");
    expect(arrived.transactions[0].entries).toEqual([
      { accountId: settlement, amount: "-42.10" },
      { accountId: suspense, amount: "42.10" },
    ]);
    const assigned = await pay(suspense, client.id, "42.10");
    expect(assigned.status).toBe("POSTED");
    expect(assigned.transactions[0].entries).toEqual([
      { accountId: suspense, amount: "-42.10" },
      { accountId: client.id, amount: "42.10" },
    ]);
    expect(await balance(stack, client.id)).toEqual({
      posted: "42.10",
      pending: "0.00",
      available: "42.10",
    });
    await expectLedgerSumsToZero();
  });

  it("When an FX transfer's two legs go through the currencies' positions, then both post and the ledger sums to zero", async () => {
    const clientId = randomUUID();
    const eur = await openAccount(stack, { clientId, currency: "EUR" });
    const usd = await openAccount(stack, { clientId, currency: "USD" });
    await fund(stack, eur.id, "100.00");

    await pay(eur.id, await bankAccountId(AccountKind.FX_POSITION, "EUR"), "100.00");
    // The USD position pays out what it never received in USD: no funds check on the bank's accounts.
    const payout = await pay(await bankAccountId(AccountKind.FX_POSITION, "USD"), usd.id, "108.25");
    expect(payout.status).toBe("POSTED");
    expect(await balance(stack, eur.id)).toMatchObject({ posted: "0.00" });
    expect(await balance(stack, usd.id)).toMatchObject({ posted: "108.25" });
    await expectLedgerSumsToZero();
  });
});

describe("ensureBankAccounts and the AddBankAccountKinds migration (scratch database)", () => {
  let scratchName: string;
  let scratch: DataSource;
  let repository: AccountRepository;
  let payments: PaymentRepository;

  beforeAll(async () => {
    scratchName = `${new URL(stack.databaseUrl).pathname.slice(1)}_bank_kinds`;
    await db.query(`CREATE DATABASE "${scratchName}"`);
    const url = new URL(stack.databaseUrl);
    url.pathname = `/${scratchName}`;
    ({ dataSource: scratch } = createDataSource({
      url: url.toString(),
      schema: LEDGER_SCHEMA,
      entities: ledgerEntities,
      migrations: ledgerMigrations,
      poolSize: 4,
    }));
    await scratch.initialize();
    await migrate(scratch, LEDGER_SCHEMA);
    repository = new AccountRepository(scratch);
    payments = new PaymentRepository(scratch);
  });
  afterAll(async () => {
    await scratch?.destroy();
    await db.query(`DROP DATABASE IF EXISTS "${scratchName}" WITH (FORCE)`);
  });

  /** Undoes AddBankAccountKinds, and first the migrations after it. */
  const undoBankKinds = async () => {
    const later = ledgerMigrations.length - 1 - ledgerMigrations.indexOf(AddBankAccountKinds1732210000000);
    for (let i = 0; i < later; i++) await scratch.undoLastMigration({ transaction: "each" });
    await scratch.undoLastMigration({ transaction: "each" });
  };

  const insertAccount = (kind: string, currency: string, clientId: string | null = null) =>
    scratch.query(
      `INSERT INTO ledger.account (number, kind, client_id, currency, name) VALUES ($1, $2, $3, $4, 'x')`,
      [randomUUID().slice(0, 12), kind, clientId, currency],
    );

  const bankAccounts = async (currencies: string[]) =>
    (await scratch.query(
      `SELECT kind, currency, name FROM ledger.account WHERE kind <> 'CLIENT' AND currency = ANY ($1)
        ORDER BY currency, kind`,
      [currencies],
    )) as { kind: string; currency: string; name: string }[];

  it("When ensureBankAccounts runs twice at once and then again, then each currency has one account of each bank kind", async () => {
    const created = await Promise.all([
      repository.ensureBankAccounts(["CHF", "GBP"]),
      repository.ensureBankAccounts(["CHF", "GBP"]),
    ]);
    expect(created[0] + created[1]).toBe(6);
    expect(await repository.ensureBankAccounts(["CHF", "GBP"])).toBe(0);
    expect(await bankAccounts(["CHF", "GBP"])).toEqual([
      { kind: "FX_POSITION", currency: "CHF", name: "CHF FX position" },
      { kind: "SETTLEMENT", currency: "CHF", name: "CHF settlement" },
      { kind: "SUSPENSE", currency: "CHF", name: "CHF suspense" },
      { kind: "FX_POSITION", currency: "GBP", name: "GBP FX position" },
      { kind: "SETTLEMENT", currency: "GBP", name: "GBP settlement" },
      { kind: "SUSPENSE", currency: "GBP", name: "GBP suspense" },
    ]);
  });

  it("When a second bank account of a kind and currency, a bank account with a client or an unknown kind is inserted, then the database refuses it", async () => {
    await repository.ensureBankAccounts(["JPY"]);
    await expect(insertAccount("SUSPENSE", "JPY")).rejects.toMatchObject({
      driverError: { code: "23505", constraint: "account_bank_per_currency" },
    });
    await expect(insertAccount("FX_POSITION", "JPY", randomUUID())).rejects.toMatchObject({
      driverError: { code: "23514", constraint: "account_owner" },
    });
    await expect(insertAccount("TREASURY", "JPY")).rejects.toMatchObject({
      driverError: { code: "23514", constraint: "account_kind_check" },
    });
  });

  it("When the migration is undone, then unused new-kind accounts go and the old rules return; redone, they apply again; used ones block the undo", async () => {
    await repository.ensureBankAccounts(["USD"]);
    const indexes = async () =>
      (
        (await scratch.query(
          `SELECT indexname FROM pg_indexes WHERE schemaname = 'ledger' AND indexname LIKE 'account_%_per_currency'`,
        )) as { indexname: string }[]
      ).map((row) => row.indexname);

    await undoBankKinds();
    expect(await indexes()).toEqual(["account_settlement_per_currency"]);
    expect((await bankAccounts(["USD"])).map((a) => a.kind)).toEqual(["SETTLEMENT"]);
    await expect(insertAccount("SUSPENSE", "USD")).rejects.toMatchObject({
      driverError: { code: "23514", constraint: "account_kind_check" },
    });

    await migrate(scratch, LEDGER_SCHEMA);
    expect(await indexes()).toEqual(["account_bank_per_currency"]);
    expect(await repository.ensureBankAccounts(["USD"])).toBe(2);

    // The new kinds pay out with no funds check, as SETTLEMENT does, so they go negative.
    const client = await repository.insertAccount({
      kind: AccountKind.CLIENT,
      clientId: randomUUID(),
      currency: "USD",
      name: "Current account",
      overdraftLimit: 0n,
    });
    const bank = new Map(
      (
        (await scratch.query(
          `SELECT kind, id FROM ledger.account WHERE kind <> 'CLIENT' AND currency = 'USD'`,
        )) as { kind: string; id: string }[]
      ).map((row) => [row.kind, row.id]),
    );
    for (const kind of [AccountKind.SUSPENSE, AccountKind.FX_POSITION]) {
      await payments.createPayment({
        mode: "IMMEDIATE",
        key: randomUUID(),
        hash: "h",
        debitAccountId: bank.get(kind)!,
        creditAccountId: client.id,
        amount: 100n,
        currency: "USD",
        description: "out of a bank account",
        metadata: null,
        actor: "test",
        requestId: "test",
      });
    }
    expect(
      (await repository.accountsByIds([...bank.values(), client.id])).map((a) => [a.kind, a.posted]).sort(),
    ).toEqual([
      ["CLIENT", "200"],
      ["FX_POSITION", "-100"],
      ["SETTLEMENT", "0"],
      ["SUSPENSE", "-100"],
    ]);

    // Accounts with payments hold history: the undo refuses and changes nothing.
    await expect(undoBankKinds()).rejects.toThrow(/SUSPENSE or FX_POSITION accounts have payments/);
    expect(await indexes()).toEqual(["account_bank_per_currency"]);
    expect((await bankAccounts(["USD"])).map((a) => a.kind)).toEqual([
      "FX_POSITION",
      "SETTLEMENT",
      "SUSPENSE",
    ]);
  });
});
