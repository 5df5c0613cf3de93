/**
 * The payment state machine is written twice, on purpose: the table in domain/payment-status.ts
 * (what the code and the docs read) and the CASE of `ledger.transition_payment` (where the move
 * happens, under the payment's lock). These tests run the real function on a real PostgreSQL for
 * every (status, operation) pair and check that it does what the table says, no more and no less;
 * and that every error code the ledger's functions raise has its message in domain/errors.ts.
 */
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { createDataSource } from "../../common/db/data-source";
import { AccountKind } from "../../subgraphs/ledger/domain/account-status";
import { isLedgerErrorCode } from "../../subgraphs/ledger/domain/errors";
import {
  PAYMENT_TRANSITIONS,
  type PaymentOperation,
  PaymentStatus,
} from "../../subgraphs/ledger/domain/payment-status";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "../../subgraphs/ledger/persistence";
import { AccountRepository } from "../../subgraphs/ledger/persistence/account.repository";
import { PaymentRepository } from "../../subgraphs/ledger/persistence/payment.repository";
import { suiteDatabase } from "../helpers/stack";

const AMOUNT = 100n;
const OPERATIONS = Object.keys(PAYMENT_TRANSITIONS) as PaymentOperation[];

/** What a status means for the accounts (README "Ledger rules"): PENDING holds the amount, POSTED has moved it. */
const held = (status: PaymentStatus) => (status === PaymentStatus.PENDING ? AMOUNT : 0n);
const moved = (status: PaymentStatus) => (status === PaymentStatus.POSTED ? AMOUNT : 0n);

let database: { url: string; drop: () => Promise<void> };
let dataSource: DataSource;
let accounts: AccountRepository;
let payments: PaymentRepository;
let settlement: string;

beforeAll(async () => {
  database = await suiteDatabase();
  ({ dataSource } = createDataSource({
    url: database.url,
    schema: LEDGER_SCHEMA,
    entities: ledgerEntities,
    migrations: ledgerMigrations,
    poolSize: 2,
  }));
  await dataSource.initialize();
  accounts = new AccountRepository(dataSource);
  payments = new PaymentRepository(dataSource);
  await accounts.ensureBankAccounts(["EUR"]);
  settlement = (await accounts.bankAccount(AccountKind.SETTLEMENT, "EUR"))!.id;
});
afterAll(async () => {
  await dataSource?.destroy();
  await database?.drop();
});

const request = { actor: "contract-test", requestId: "contract-test" };

async function openFundedAccounts(): Promise<{ debit: string; credit: string }> {
  const open = async () =>
    (
      await accounts.insertAccount({
        kind: AccountKind.CLIENT,
        clientId: randomUUID(),
        currency: "EUR",
        name: "contract",
        overdraftLimit: 0n,
      })
    ).id;
  const [debit, credit] = [await open(), await open()];
  await create("IMMEDIATE", settlement, debit, 10n * AMOUNT);
  return { debit, credit };
}

function create(mode: "IMMEDIATE" | "DRAFT", debit: string, credit: string, amount = AMOUNT) {
  return payments.createPayment({
    mode,
    key: randomUUID(),
    hash: "h",
    debitAccountId: debit,
    creditAccountId: credit,
    amount,
    currency: "EUR",
    description: "contract",
    metadata: null,
    ...request,
  });
}

function transition(id: string, operation: PaymentOperation, key = randomUUID()) {
  return payments.transitionPayment({ id, operation, key, hash: `${operation}:${id}`, ...request });
}

/** A payment of AMOUNT in `status`, reached the documented way. */
async function paymentIn(status: PaymentStatus, debit: string, credit: string): Promise<string> {
  if (status === PaymentStatus.POSTED) return (await create("IMMEDIATE", debit, credit)).id;
  const { id } = await create("DRAFT", debit, credit);
  if (status === PaymentStatus.PENDING) await transition(id, "pend");
  if (status === PaymentStatus.CANCELLED) await transition(id, "cancel");
  return id;
}

async function snapshot(paymentId: string, debit: string, credit: string) {
  const rows = await accounts.accountsByIds([debit, credit]);
  const of = (id: string) => rows.find((row) => row.id === id)!;
  const [counts] = (await dataSource.query(
    `SELECT (SELECT count(*) FROM ledger.payment_event WHERE payment_id = $1)::int AS events,
            (SELECT count(*) FROM ledger.ledger_transaction WHERE payment_id = $1)::int AS transactions,
            (SELECT status FROM ledger.payment WHERE id = $1) AS status`,
    [paymentId],
  )) as { events: number; transactions: number; status: PaymentStatus }[];
  return {
    ...counts,
    debitPosted: BigInt(of(debit).posted),
    debitPending: BigInt(of(debit).pending),
    creditPosted: BigInt(of(credit).posted),
  };
}

const pairs = Object.values(PaymentStatus).flatMap((status) =>
  OPERATIONS.map((operation) => [status, operation] as const),
);

describe("ledger.transition_payment against domain/payment-status.ts", () => {
  it.each(pairs)(
    "When a %s payment is asked to %s, then the function does what the table says",
    async (from, operation) => {
      const { debit, credit } = await openFundedAccounts();
      const id = await paymentIn(from, debit, credit);
      const before = await snapshot(id, debit, credit);
      expect(before.status).toBe(from);
      const { from: allowed, to } = PAYMENT_TRANSITIONS[operation];
      const key = randomUUID();

      if (allowed.includes(from)) {
        const payment = await transition(id, operation, key);
        expect(payment.status).toBe(to);
        const after = await snapshot(id, debit, credit);
        expect(after).toEqual({
          status: to,
          events: before.events + 1,
          transactions: before.transactions + (moved(to) > moved(from) ? 1 : 0),
          debitPending: before.debitPending + held(to) - held(from),
          debitPosted: before.debitPosted - (moved(to) - moved(from)),
          creditPosted: before.creditPosted + (moved(to) - moved(from)),
        });
      } else {
        await expect(transition(id, operation, key)).rejects.toMatchObject({
          code: "PAYMENT_INVALID_STATE",
          message: `A ${from} payment cannot become ${to}`,
          details: { paymentId: id, from, to },
        });
        expect(await snapshot(id, debit, credit)).toEqual(before);
        // A refused request keeps no key.
        expect(await dataSource.query(`SELECT 1 FROM ledger.idempotency_key WHERE key = $1`, [key])).toEqual(
          [],
        );
      }
    },
  );
});

describe("the ledger functions' error codes", () => {
  it("When the functions of the ledger schema are read, then every code they raise has its message in domain/errors.ts", async () => {
    const functions = (await dataSource.query(
      `SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'ledger'`,
    )) as { proname: string; prosrc: string }[];
    const raised = functions.flatMap(({ prosrc }) =>
      [...prosrc.matchAll(/ledger\.fail\('([A-Z_]+)'/g)].map((match) => match[1]),
    );
    expect(raised).toContain("PAYMENT_INVALID_STATE");
    expect(raised.filter((code) => !isLedgerErrorCode(code))).toEqual([]);
  });
});

describe("the payment the functions answer", () => {
  it("When a payment is created and moved, then each answer is the row as stored, field for field: a bigint amount beyond 2^53, nested metadata, timestamps to the millisecond", async () => {
    const { debit, credit } = await openFundedAccounts();
    const metadata = { order: { lines: [1, "two", null], note: "é ✓" }, at: "2026-11-30" };
    const created = await payments.createPayment({
      mode: "DRAFT",
      key: randomUUID(),
      hash: "h",
      debitAccountId: debit,
      creditAccountId: credit,
      amount: 9_007_199_254_740_993n,
      currency: "EUR",
      description: "stored as answered",
      metadata,
      ...request,
    });
    const stored = async (id: string) => (await payments.paymentsByIds([id]))[0];
    expect(created.amount).toBe("9007199254740993");
    expect(created.metadata).toEqual(metadata);
    expect(created.createdAt).toBeInstanceOf(Date);
    expect(created).toEqual(await stored(created.id));
    const cancelled = await transition(created.id, "cancel");
    expect(cancelled.status).toBe(PaymentStatus.CANCELLED);
    expect(cancelled.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());
    expect(cancelled).toEqual(await stored(created.id));
  });
});
