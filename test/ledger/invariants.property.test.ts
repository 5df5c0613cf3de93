/**
 * Property: whatever random sequence of the five payment operations runs concurrently over
 * a handful of accounts (with retries reusing idempotency keys), afterwards
 * - the whole ledger sums to zero per currency, and every transaction balances;
 * - no client account is below minus its overdraft limit;
 * - every stored balance equals what its entries and holds say (recalculateBalances finds nothing);
 * - every payment is in the state its successful operations imply;
 * - each idempotency key moved money at most once.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { Client as PgClient } from "pg";
import { CREATE_DRAFT, CREATE_PAYMENT, fund, openAccount, paymentInput, transition } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";

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

type Operation =
  | { kind: "create" | "draft"; from: number; to: number; cents: number; key: number }
  | { kind: "pend" | "post" | "cancel"; draft: number }
  | { kind: "replay"; request: number };

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({
    kind: fc.constantFrom("create" as const, "draft" as const),
    from: fc.integer({ min: 0, max: 3 }),
    to: fc.integer({ min: 0, max: 3 }),
    cents: fc.integer({ min: 1, max: 4000 }),
    key: fc.integer({ min: 0, max: 11 }),
  }),
  fc.record({
    kind: fc.constantFrom("pend" as const, "post" as const, "cancel" as const),
    draft: fc.nat(20),
  }),
  fc.record({ kind: fc.constant("replay" as const), request: fc.nat(20) }),
);

/** Operations run in groups of this many at once, groups one after another, so later ones can use earlier drafts. */
const CONCURRENCY = 6;

describe("ledger invariants under random concurrent operations", () => {
  it("When random operations race, then every invariant holds afterwards", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 10, maxLength: 40 }), async (operations) => {
        const accounts = [
          await openAccount(stack),
          await openAccount(stack),
          await openAccount(stack, { overdraftLimit: "20.00" }),
          await openAccount(stack),
        ];
        await fund(stack, accounts[0].id, "50.00");
        await fund(stack, accounts[1].id, "10.00");
        await fund(stack, accounts[3].id, "0.50");
        const keys = Array.from({ length: 12 }, () => randomUUID());
        const drafts: string[] = [];
        const outcomes = new Map<string, Set<string>>(); // payment id -> operations that succeeded
        const paymentsByKey = new Map<string, Set<string>>();

        const sent: Array<{ query: string; variables: Record<string, unknown> }> = [];
        const record = (key: string, payment: { id: string; status: string }) => {
          paymentsByKey.set(key, (paymentsByKey.get(key) ?? new Set()).add(payment.id));
          if (payment.status === "DRAFT" && !drafts.includes(payment.id)) drafts.push(payment.id);
        };
        const run = async (op: Operation) => {
          if (op.kind === "create" || op.kind === "draft" || op.kind === "replay") {
            let request: { query: string; variables: Record<string, unknown> } | undefined;
            if (op.kind === "replay") {
              request = sent[op.request % Math.max(sent.length, 1)]; // the very same request again
            } else if (op.from !== op.to) {
              request = {
                query: op.kind === "create" ? CREATE_PAYMENT : CREATE_DRAFT,
                variables: {
                  input: paymentInput(accounts[op.from].id, accounts[op.to].id, (op.cents / 100).toFixed(2)),
                  key: keys[op.key],
                },
              };
              sent.push(request);
            }
            if (!request) return;
            const result = await stack.graphql(request.query, request.variables);
            const payment = result.data?.createPayment ?? result.data?.createDraftPayment;
            if (payment) record(request.variables.key as string, payment);
            else
              expect(["INSUFFICIENT_FUNDS", "IDEMPOTENCY_KEY_REUSED"]).toContain(
                result.errors![0].extensions!.code,
              );
            return;
          }
          if (op.kind !== "pend" && op.kind !== "post" && op.kind !== "cancel") return;
          const id = drafts[op.draft % Math.max(drafts.length, 1)];
          if (!id) return;
          const result = await transition(stack, op.kind, id);
          if (result.data?.[`${op.kind}Payment`])
            outcomes.set(id, (outcomes.get(id) ?? new Set()).add(op.kind));
          else
            expect(["INSUFFICIENT_FUNDS", "PAYMENT_INVALID_STATE"]).toContain(
              result.errors![0].extensions!.code,
            );
        };
        // Creations, replays and transitions race within each group.
        for (let start = 0; start < operations.length; start += CONCURRENCY) {
          await Promise.all(operations.slice(start, start + CONCURRENCY).map(run));
        }

        // Each key made one payment at most; retries returned it.
        for (const ids of paymentsByKey.values()) expect(ids.size).toBe(1);

        const ids = accounts.map((a) => a.id);
        const { rows: payments } = await db.query(
          `SELECT id, status, amount::int AS amount, debit_account_id, credit_account_id,
                  (SELECT count(*)::int FROM ledger.ledger_transaction t WHERE t.payment_id = p.id) AS moves
             FROM ledger.payment p WHERE debit_account_id = ANY ($1) OR credit_account_id = ANY ($1)`,
          [ids],
        );
        for (const payment of payments) {
          const done = outcomes.get(payment.id) ?? new Set<string>();
          // A payment resolves once, and only a held one is posted.
          expect(done.has("post") && done.has("cancel")).toBe(false);
          if (done.has("post")) expect(done.has("pend")).toBe(true);
          const expected = done.has("post")
            ? "POSTED"
            : done.has("cancel")
              ? "CANCELLED"
              : done.has("pend")
                ? "PENDING"
                : drafts.includes(payment.id)
                  ? "DRAFT"
                  : "POSTED";
          expect({ id: payment.id, status: payment.status }).toEqual({ id: payment.id, status: expected });
          expect(payment.moves).toBe(payment.status === "POSTED" ? 1 : 0);
        }

        // Balances: what the payments (fundings included) imply, what is stored, what the entries say.
        const implied = new Map(ids.map((id) => [id, { posted: 0, pending: 0 }]));
        for (const p of payments) {
          const debit = implied.get(p.debit_account_id);
          const credit = implied.get(p.credit_account_id);
          if (p.status === "POSTED") {
            if (debit) debit.posted -= p.amount;
            if (credit) credit.posted += p.amount;
          }
          if (p.status === "PENDING" && debit) debit.pending += p.amount;
        }
        const { rows: stored } = await db.query(
          `SELECT id, posted::int AS posted, pending::int AS pending, overdraft_limit::int AS overdraft,
                  (SELECT COALESCE(sum(amount), 0)::int FROM ledger.entry e WHERE e.account_id = a.id) AS entries
             FROM ledger.account a WHERE id = ANY ($1)`,
          [ids],
        );
        for (const account of stored) {
          expect({ id: account.id, posted: account.posted, pending: account.pending }).toEqual({
            id: account.id,
            ...implied.get(account.id),
          });
          expect(account.entries).toBe(account.posted);
          expect(account.posted - account.pending + account.overdraft).toBeGreaterThanOrEqual(0);
        }
        const check = await stack.graphql(
          `mutation($ids: [ID!]!) { recalculateBalances(accountIds: $ids) { wasWrong } }`,
          {
            ids,
          },
        );
        expect(check.data!.recalculateBalances).toEqual(ids.map(() => ({ wasWrong: false })));

        // The whole ledger sums to zero, and so does every transaction.
        const { rows: totals } = await db.query(
          `SELECT currency, sum(posted)::text AS posted FROM ledger.account GROUP BY currency`,
        );
        for (const total of totals) expect(total).toEqual({ currency: total.currency, posted: "0" });
        const { rows: unbalanced } = await db.query(
          `SELECT transaction_id FROM ledger.entry GROUP BY transaction_id, currency HAVING sum(amount) <> 0`,
        );
        expect(unbalanced).toEqual([]);
      }),
      { numRuns: 15 },
    );
  });
});
