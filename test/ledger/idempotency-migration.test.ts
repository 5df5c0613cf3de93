/**
 * The PaymentIdempotencyPerClient migration on a scratch database: payments made while keys were
 * kept per token subject move to their client's scope (the earliest keeps a key two callers
 * shared for one client), their keys keep answering, and the undo brings keys per subject back.
 */
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { accountNumberFromSerial } from "../../common/account-number";
import { createDataSource, migrate } from "../../common/db/data-source";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "../../subgraphs/ledger/persistence";
import { PaymentIdempotencyPerClient1732240000000 } from "../../subgraphs/ledger/persistence/migrations/1732240000000-PaymentIdempotencyPerClient";
import { AccountRepository } from "../../subgraphs/ledger/persistence/account.repository";
import { PaymentRepository, type NewPayment } from "../../subgraphs/ledger/persistence/payment.repository";
import { emptyDatabase } from "../helpers/stack";

const BEFORE = ledgerMigrations.slice(0, ledgerMigrations.indexOf(PaymentIdempotencyPerClient1732240000000));
/** How many migrations came after PaymentIdempotencyPerClient: undone first to reach it. */
const LATER = ledgerMigrations.length - 1 - BEFORE.length;

let database: { url: string; drop: () => Promise<void> };
let scratch: DataSource;

function dataSource(migrations: typeof ledgerMigrations): DataSource {
  return createDataSource({
    url: database.url,
    schema: LEDGER_SCHEMA,
    entities: ledgerEntities,
    migrations,
    poolSize: 2,
  }).dataSource;
}

beforeAll(async () => {
  database = await emptyDatabase();
});
afterAll(async () => {
  if (scratch?.isInitialized) await scratch.destroy();
  await database.drop();
});

describe("PaymentIdempotencyPerClient migration", () => {
  const clientA = randomUUID();
  const clientB = randomUUID();
  const ids: Record<string, string> = {};
  const account: Record<string, string> = {};

  /** A payment as the code before the migration made it: scope = the caller's subject. */
  async function legacyPayment(
    db: DataSource,
    name: string,
    payment: { mode: string; subject: string; key: string; hash: string; debit: string; credit: string },
  ) {
    const [row] = (await db.query(
      `SELECT id FROM ledger.create_payment($1, $2, $3, $4, $5, $6, 100, 'EUR', 'legacy', NULL, $2, 'test')`,
      [
        payment.mode,
        payment.subject,
        payment.key,
        payment.hash,
        account[payment.debit],
        account[payment.credit],
      ],
    )) as { id: string }[];
    ids[name] = row.id;
  }

  /** Undoes PaymentIdempotencyPerClient, and first the migrations after it. */
  const undoPaymentIdempotency = async () => {
    for (let i = 0; i < LATER; i++) await scratch.undoLastMigration({ transaction: "each" });
    await scratch.undoLastMigration({ transaction: "each" });
  };

  /** Each payment's idempotency scope, by the names above. */
  const scopes = async () => {
    const rows = (await scratch.query(`SELECT id, idempotency_scope FROM ledger.payment`)) as {
      id: string;
      idempotency_scope: string;
    }[];
    return Object.fromEntries(
      Object.entries(ids).map(([name, id]) => [name, rows.find((row) => row.id === id)!.idempotency_scope]),
    );
  };

  const request = (overrides: Partial<NewPayment>): NewPayment => ({
    mode: "IMMEDIATE",
    key: randomUUID(),
    hash: "h",
    debitAccountId: account.a1,
    creditAccountId: account.b1,
    amount: 100n,
    currency: "EUR",
    description: "legacy",
    metadata: null,
    actor: "operator-1",
    requestId: "test",
    ...overrides,
  });

  it("When payments made with keys per subject are migrated, then each key moves to its client's scope and still answers", async () => {
    const before = dataSource(BEFORE);
    await before.initialize();
    await migrate(before, LEDGER_SCHEMA);
    const repository = new AccountRepository(before);
    await repository.ensureBankAccounts(["EUR"]);
    const bank = (await before.query(
      `SELECT kind, id FROM ledger.account WHERE kind <> 'CLIENT' AND currency = 'EUR'`,
    )) as { kind: string; id: string }[];
    account.settlement = bank.find((a) => a.kind === "SETTLEMENT")!.id;
    account.suspense = bank.find((a) => a.kind === "SUSPENSE")!.id;
    // In SQL: the entity reads columns that later migrations add.
    for (const [name, clientId] of [
      ["a1", clientA],
      ["a2", clientA],
      ["b1", clientB],
    ] as const) {
      const [{ serial }] = (await before.query(
        `SELECT nextval('ledger.account_number_serial') AS serial`,
      )) as [{ serial: string }];
      const [opened] = (await before.query(
        `INSERT INTO ledger.account (number, client_id, kind, currency, name, overdraft_limit)
         VALUES ($1, $2, 'CLIENT', 'EUR', $3, 100000) RETURNING id`,
        [accountNumberFromSerial(serial), clientId, name],
      )) as [{ id: string }];
      account[name] = opened.id;
    }
    const op = { mode: "IMMEDIATE", subject: "operator-1" };
    await legacyPayment(before, "deposit", {
      ...op,
      key: "d1",
      hash: "hd",
      debit: "settlement",
      credit: "a1",
    });
    await legacyPayment(before, "fromA", { ...op, key: "k1", hash: "h1", debit: "a1", credit: "b1" });
    // Another caller (the client's own user) used the same key for client A, later.
    await legacyPayment(before, "fromA2", {
      mode: "DRAFT",
      subject: "user-a",
      key: "k1",
      hash: "h2",
      debit: "a2",
      credit: "b1",
    });
    await before.query(
      `UPDATE ledger.payment SET created_at = created_at + interval '1 minute' WHERE id = $1`,
      [ids.fromA2],
    );
    await legacyPayment(before, "fromB", {
      ...op,
      mode: "DRAFT",
      key: "k2",
      hash: "h3",
      debit: "b1",
      credit: "a1",
    });
    await before.query(
      `SELECT * FROM ledger.transition_payment($1, '{DRAFT}', 'PENDING', 'operator-1', 'test')`,
      [ids.fromB],
    );
    await legacyPayment(before, "bankOnly", {
      ...op,
      key: "k3",
      hash: "h4",
      debit: "settlement",
      credit: "suspense",
    });
    await before.destroy();

    scratch = dataSource(ledgerMigrations);
    await scratch.initialize();
    await migrate(scratch, LEDGER_SCHEMA);
    expect(await scopes()).toEqual({
      deposit: `client:${clientA}`,
      fromA: `client:${clientA}`,
      fromA2: "user-a",
      fromB: `client:${clientB}`,
      bankOnly: "bank",
    });
    const keys = (await scratch.query(
      `SELECT scope, key, operation, payment_id FROM ledger.idempotency_key ORDER BY key, scope`,
    )) as Record<string, string>[];
    expect(keys).toEqual([
      { scope: `client:${clientA}`, key: "d1", operation: "create", payment_id: ids.deposit },
      { scope: `client:${clientA}`, key: "k1", operation: "create", payment_id: ids.fromA },
      { scope: "user-a", key: "k1", operation: "create", payment_id: ids.fromA2 },
      { scope: `client:${clientB}`, key: "k2", operation: "create", payment_id: ids.fromB },
      { scope: "bank", key: "k3", operation: "create", payment_id: ids.bankOnly },
    ]);

    // The keys answer as before, whoever asks now; another request of client A with k1 is refused.
    const repository2 = new PaymentRepository(scratch);
    const count = async () =>
      ((await scratch.query(`SELECT count(*)::int AS n FROM ledger.payment`)) as { n: number }[])[0].n;
    const payments = await count();
    const replay = await repository2.createPayment(
      request({
        key: "k1",
        hash: "h1",
        debitAccountId: account.a1,
        creditAccountId: account.b1,
        actor: "operator-2",
      }),
    );
    expect(replay.id).toBe(ids.fromA);
    await expect(
      repository2.createPayment(request({ key: "k1", hash: "other", debitAccountId: account.a1 })),
    ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    // The later of the two payments that shared k1 no longer replays: its key now belongs to the first.
    await expect(
      repository2.createPayment(
        request({ mode: "DRAFT", key: "k1", hash: "h2", debitAccountId: account.a2, actor: "user-a" }),
      ),
    ).rejects.toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
    expect(await count()).toBe(payments);

    // A transition of an old payment keeps its key in the payment's scope.
    const posted = await repository2.transitionPayment({
      id: ids.fromB,
      operation: "post",
      key: "post-1",
      hash: "hp",
      actor: "operator-1",
      requestId: "test",
    });
    expect(posted.status).toBe("POSTED");
    expect(
      await scratch.query(`SELECT scope, operation FROM ledger.idempotency_key WHERE key = 'post-1'`),
    ).toEqual([{ scope: `client:${clientB}`, operation: "post" }]);
  });

  it("When the migration is undone, then keys are per subject again; when a key now serves two clients of one caller, the undo refuses", async () => {
    await undoPaymentIdempotency();
    expect(await scopes()).toEqual({
      deposit: "operator-1",
      fromA: "operator-1",
      fromA2: "user-a",
      fromB: "operator-1",
      bankOnly: "operator-1",
    });
    // The old function is back and answers the old key.
    const [replay] = (await scratch.query(
      `SELECT id FROM ledger.create_payment('IMMEDIATE', 'operator-1', 'k1', 'h1', $1, $2, 100, 'EUR', 'legacy', NULL, 'operator-1', 'test')`,
      [account.a1, account.b1],
    )) as { id: string }[];
    expect(replay.id).toBe(ids.fromA);

    await migrate(scratch, LEDGER_SCHEMA);
    expect((await scopes()).fromA).toBe(`client:${clientA}`);
    // operator-1 uses k1 for client B too, which keys per client allow.
    await new PaymentRepository(scratch).createPayment(
      request({ key: "k1", hash: "h5", debitAccountId: account.b1, creditAccountId: account.a1 }),
    );
    await expect(undoPaymentIdempotency()).rejects.toThrow(
      /one idempotency key for payments of several clients/,
    );
    expect((await scopes()).fromA).toBe(`client:${clientA}`);
  });
});
