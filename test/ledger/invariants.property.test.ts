/**
 * Property: whatever random sequence of the five payment operations runs concurrently over
 * a handful of one client's accounts (with retries reusing idempotency keys, and keys shared
 * between operations), afterwards
 * - the whole ledger sums to zero per currency, and every transaction balances;
 * - no client account is below minus its overdraft limit;
 * - every stored balance equals what its entries and holds say (recalculateBalances finds nothing);
 * - every payment is in the state its successful operations imply;
 * - each idempotency key answered one operation on one payment at most, and moved money at most once;
 * - each account's activity is one row per entry or hold, numbered without gap, each balance the one
 *   before plus its change, the last one the stored balance.
 */
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { Client as PgClient } from "pg";
import {
  CREATE_DRAFT,
  CREATE_PAYMENT,
  fund,
  openAccount,
  paymentInput,
  transitionMutation,
} from "../helpers/ledger";
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
  | { kind: "pend" | "post" | "cancel"; draft: number; key: number }
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
    key: fc.integer({ min: 0, max: 23 }),
  }),
  fc.record({ kind: fc.constant("replay" as const), request: fc.nat(20) }),
);

/** Operations run in groups of this many at once, groups one after another, so later ones can use earlier drafts. */
const CONCURRENCY = 6;

describe("ledger invariants under random concurrent operations", () => {
  it("When random operations race, then every invariant holds afterwards", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 10, maxLength: 40 }), async (operations) => {
        // One client: its keys are one key space (decision 0020).
        const clientId = randomUUID();
        const accounts = [
          await openAccount(stack, { clientId }),
          await openAccount(stack, { clientId }),
          await openAccount(stack, { clientId, overdraftLimit: "20.00" }),
          await openAccount(stack, { clientId }),
        ];
        await fund(stack, accounts[0].id, "50.00");
        await fund(stack, accounts[1].id, "10.00");
        await fund(stack, accounts[3].id, "0.50");
        const keys = Array.from({ length: 24 }, () => randomUUID());
        const drafts: string[] = [];
        const outcomes = new Map<string, Set<string>>(); // payment id -> operations that succeeded
        const answersByKey = new Map<string, Set<string>>(); // key -> "operation payment" it answered

        type Request = {
          query: string;
          variables: Record<string, unknown>;
          operation: "create" | "pend" | "post" | "cancel";
        };
        const sent: Request[] = [];
        const record = (key: string, operation: string, payment: { id: string; status: string }) => {
          answersByKey.set(key, (answersByKey.get(key) ?? new Set()).add(`${operation} ${payment.id}`));
          if (payment.status === "DRAFT" && !drafts.includes(payment.id)) drafts.push(payment.id);
        };
        const run = async (op: Operation) => {
          let request: Request | undefined;
          if (op.kind === "replay") {
            request = sent[op.request % Math.max(sent.length, 1)]; // the very same request again
          } else if (op.kind === "create" || op.kind === "draft") {
            if (op.from !== op.to) {
              request = {
                query: op.kind === "create" ? CREATE_PAYMENT : CREATE_DRAFT,
                variables: {
                  input: paymentInput(accounts[op.from].id, accounts[op.to].id, (op.cents / 100).toFixed(2)),
                  key: keys[op.key],
                },
                operation: "create",
              };
            }
          } else if (op.kind === "pend" || op.kind === "post" || op.kind === "cancel") {
            const id = drafts[op.draft % Math.max(drafts.length, 1)];
            if (id) {
              request = {
                query: transitionMutation(op.kind),
                variables: { id, key: keys[op.key] },
                operation: op.kind,
              };
            }
          }
          if (!request) return;
          if (op.kind !== "replay") sent.push(request);
          const result = await stack.graphql(request.query, request.variables);
          const payment =
            request.operation === "create"
              ? (result.data?.createPayment ?? result.data?.createDraftPayment)
              : result.data?.[`${request.operation}Payment`];
          if (payment) {
            record(request.variables.key as string, request.operation, payment);
            if (request.operation !== "create") {
              outcomes.set(payment.id, (outcomes.get(payment.id) ?? new Set()).add(request.operation));
            }
          } else {
            expect(["INSUFFICIENT_FUNDS", "PAYMENT_INVALID_STATE", "IDEMPOTENCY_KEY_REUSED"]).toContain(
              result.errors![0].extensions!.code,
            );
            if (request.operation === "create") {
              expect(result.errors![0].extensions!.code).not.toBe("PAYMENT_INVALID_STATE");
            }
          }
        };
        // Creations, replays and transitions race within each group.
        for (let start = 0; start < operations.length; start += CONCURRENCY) {
          await Promise.all(operations.slice(start, start + CONCURRENCY).map(run));
        }

        // Each key answered one operation on one payment at most; retries returned it.
        for (const answers of answersByKey.values()) expect(answers.size).toBe(1);

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
        // Account activity (decision 0030): numbered 1, 2, 3 ... per account, one per entry or hold,
        // each balance the one before plus its change, the last one the stored balance.
        const { rows: brokenChain } = await db.query(
          `WITH chain AS (
             SELECT account_id, sequence, posted, pending, available, posted_change, pending_change,
                    row_number() OVER w AS n,
                    lag(posted, 1, 0::bigint) OVER w AS prev_posted, lag(pending, 1, 0::bigint) OVER w AS prev_pending
               FROM ledger.account_activity WHERE account_id = ANY ($1)
             WINDOW w AS (PARTITION BY account_id ORDER BY sequence))
           SELECT c.account_id, c.sequence FROM chain c JOIN ledger.account a ON a.id = c.account_id
            WHERE c.sequence <> c.n OR c.posted <> c.prev_posted + c.posted_change
               OR c.pending <> c.prev_pending + c.pending_change OR c.available <> c.posted - c.pending + a.overdraft_limit`,
          [ids],
        );
        expect(brokenChain).toEqual([]);
        const { rows: lastActivity } = await db.query(
          `SELECT a.id, a.activity_sequence::int AS sequence, a.posted::int AS posted, a.pending::int AS pending,
                  (SELECT count(*)::int FROM ledger.entry e WHERE e.account_id = a.id) AS entries,
                  (SELECT count(*)::int FROM ledger.account_activity x
                    WHERE x.account_id = a.id AND x.transaction_id IS NOT NULL) AS entry_activities,
                  last.sequence::int AS last_sequence, last.posted::int AS last_posted, last.pending::int AS last_pending
             FROM ledger.account a
             LEFT JOIN LATERAL (SELECT * FROM ledger.account_activity x WHERE x.account_id = a.id
                                 ORDER BY sequence DESC LIMIT 1) last ON true
            WHERE a.id = ANY ($1)`,
          [ids],
        );
        for (const account of lastActivity) {
          expect(account).toEqual({
            ...account,
            entry_activities: account.entries,
            last_sequence: account.sequence || null,
            last_posted: account.sequence ? account.posted : null,
            last_pending: account.sequence ? account.pending : null,
          });
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
