/**
 * The reconciliation report (decision 0038) through the gateway, on a suite database of its own:
 * a day of incoming (credited and to suspense) and completed outgoing transfers matches the
 * settlement account one to one; a payment into settlement that no transfer made, and a transfer
 * whose amount no longer agrees with its entry, are reported.
 */
import { randomUUID } from "node:crypto";
import { CREATE_PAYMENT, openAccount, paymentInput, settlementAccountId } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { addRecipient, CONFIRM, CREATE_OUTGOING, key, runWorker, sentCode, sql } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const RECEIVE = `mutation($input: IncomingTransferInput!) { receiveIncomingTransfer(input: $input) { id status } }`;
const REPORT = `query($currency: String!, $from: DateTimeISO!, $to: DateTimeISO!) {
  reconciliationReport(currency: $currency, from: $from, to: $to) {
    currency bookedTotal entryCount
    matched { transferId kind status amount entry { entryId amount transferId } }
    differences { transferId amount bookedAmount difference }
    unmatchedTransfers { transferId kind amount }
    unmatchedEntries { entryId paymentId transferId amount description transferStatus }
  }
}`;

async function receive(accountNumber: string, amount: string): Promise<string> {
  const result = await stack.graphql(RECEIVE, {
    input: {
      externalId: `SEPA-${randomUUID()}`,
      accountNumber,
      amount,
      currency: "EUR",
      senderName: "Max Mustermann",
      senderIban: "DE89370400440532013000",
      reference: "Invoice",
    },
  });
  if (!result.data) throw new Error(JSON.stringify(result.errors));
  return result.data.receiveIncomingTransfer.id as string;
}

async function sendOut(accountId: string, clientId: string, recipientId: string, amount: string) {
  const token = await stack.clientToken(clientId);
  const created = await stack.graphql(
    CREATE_OUTGOING,
    { input: { accountId, recipientId, amount, reference: "Rent" }, key: key() },
    { token },
  );
  const id = created.data!.createOutgoingTransfer.id as string;
  const confirmed = await stack.graphql(CONFIRM, { id, code: await sentCode(stack, id) }, { token });
  if (confirmed.errors) throw new Error(JSON.stringify(confirmed.errors));
  return id;
}

describe("the reconciliation report", () => {
  let from: Date;
  let transfers: { id: string; kind: string; amount: string }[];
  let injectedPayment: string;

  beforeAll(async () => {
    from = new Date(Date.now() - 1000);
    const clientId = await importClient(stack);
    const account = await openAccount(stack, { clientId });
    const credited = [await receive(account.number, "100.00"), await receive(account.number, "50.25")];
    const suspended = await receive("DE02120300000000202051", "7.00");
    const recipientId = await addRecipient(stack, clientId);
    const sent = [
      await sendOut(account.id, clientId, recipientId, "30.00"),
      await sendOut(account.id, clientId, recipientId, "12.50"),
    ];
    await runWorker(stack);
    transfers = [
      { id: credited[0], kind: "INCOMING", amount: "-100.00" },
      { id: credited[1], kind: "INCOMING", amount: "-50.25" },
      { id: suspended, kind: "INCOMING", amount: "-7.00" },
      { id: sent[0], kind: "OUTGOING", amount: "30.00" },
      { id: sent[1], kind: "OUTGOING", amount: "12.50" },
    ];
    // Money into settlement that no transfer made: a deposit booked by hand.
    const other = await openAccount(stack);
    const injected = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(await settlementAccountId(stack), other.id, "3.33", "manual deposit"),
      key: randomUUID(),
    });
    injectedPayment = injected.data!.createPayment.id;
  });

  it("When a day of transfers is reconciled, then every completed transfer matches one entry and the injected entry is unmatched", async () => {
    const response = await stack.rest(
      "GET",
      `/internal/Reports/ReconciliationReport?currency=EUR&from=${from.toISOString()}&to=${new Date(Date.now() + 1000).toISOString()}`,
    );
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ isSuccess: true, isFailed: false });
    const report = response.body.value;
    expect(report.matched.map((m: any) => [m.transferId, m.kind, m.amount, m.entry.amount]).sort()).toEqual(
      transfers.map((t) => [t.id, t.kind.toLowerCase(), t.amount, t.amount]).sort(),
    );
    expect(report.differences).toEqual([]);
    expect(report.unmatchedTransfers).toEqual([]);
    expect(report.unmatchedEntries).toEqual([
      expect.objectContaining({
        paymentId: injectedPayment,
        transferId: null,
        amount: "-3.33",
        description: "manual deposit",
      }),
    ]);
    expect(report.entryCount).toBe(6);
    expect(report.bookedTotal).toBe("-118.08"); // -100 - 50.25 - 7 + 30 + 12.50 - 3.33
  });

  it("When a transfer's amount no longer agrees with its entry, then the difference is reported", async () => {
    const [changed] = transfers;
    await sql(stack, `UPDATE transfer.transfer SET amount = 99.00 WHERE id = $1`, [changed.id]);
    const result = await stack.graphql(REPORT, {
      currency: "EUR",
      from: from.toISOString(),
      to: new Date(Date.now() + 1000).toISOString(),
    });
    expect(result.errors).toBeUndefined();
    const report = result.data!.reconciliationReport;
    expect(report.differences).toEqual([
      { transferId: changed.id, amount: "-99.00", bookedAmount: "-100.00", difference: "-1.00" },
    ]);
    expect(report.matched).toHaveLength(transfers.length - 1);
    await sql(stack, `UPDATE transfer.transfer SET amount = 100.00 WHERE id = $1`, [changed.id]);
  });

  it("When the period ends before the day's movements, then nothing is listed; when it is inverted, then 400 naming `to`", async () => {
    const early = await stack.rest(
      "GET",
      `/internal/Reports/ReconciliationReport?currency=EUR&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`,
    );
    expect(early.status).toBe(200);
    expect(early.body.value).toMatchObject({
      matched: [],
      unmatchedEntries: [],
      entryCount: 0,
      bookedTotal: "0.00",
    });
    const inverted = await stack.rest(
      "GET",
      `/internal/Reports/ReconciliationReport?currency=EUR&from=2020-01-02T00:00:00Z&to=2020-01-01T00:00:00Z`,
    );
    expect(inverted.status).toBe(400);
    expect(inverted.body).toMatchObject({ isFailed: true });
    expect(inverted.body.errors[0].metadata).toMatchObject({
      code: "VALIDATION_FAILED",
      field: "to",
      rule: "isAfterFrom",
    });
  });

  it("When a front-office token asks for the report, then 403", async () => {
    const token = await stack.clientToken(randomUUID());
    const graphql = await stack.graphql(
      REPORT,
      { currency: "EUR", from: from.toISOString(), to: new Date().toISOString() },
      { token },
    );
    expect(graphql.errors![0].extensions!.code).toBe("FORBIDDEN");
    const rest = await stack.rest(
      "GET",
      `/internal/Reports/ReconciliationReport?currency=EUR&from=${from.toISOString()}&to=${new Date().toISOString()}`,
      { token },
    );
    expect(rest.status).toBe(403);
  });
});

const MOVEMENTS = `query($from: DateTimeISO!, $to: DateTimeISO!, $first: Int, $after: String) {
  settlementMovements(currency: "EUR", from: $from, to: $to, first: $first, after: $after) {
    totalCount nodes { entryId amount bookedAt } pageInfo { hasNextPage endCursor }
  }
}`;
const BATCH = `mutation($payments: [PaymentBatchInput!]!) {
  createPayments(payments: $payments, allOrNothing: true) { succeeded }
}`;

describe("a reconciliation longer than a page", () => {
  const DEPOSITS = 150;
  let start: Date;
  let end: Date;
  let early: string;

  beforeAll(async () => {
    start = new Date(); // after the movements of the tests above
    const settlement = await settlementAccountId(stack);
    const other = await openAccount(stack);
    for (let batch = 0; batch < DEPOSITS / 75; batch++) {
      const payments = Array.from({ length: 75 }, (_, i) => ({
        ...paymentInput(settlement, other.id, ((batch * 75 + i + 1) / 100).toFixed(2), "deposit"),
        idempotencyKey: randomUUID(),
      }));
      const made = await stack.graphql(BATCH, { payments });
      expect(made.data?.createPayments.succeeded).toBe(75);
    }
    // A credited incoming transfer whose entry was booked an hour before it completed: outside the period.
    const clientId = await importClient(stack);
    const account = await openAccount(stack, { clientId });
    early = await receive(account.number, "20.00");
    await runWorker(stack);
    await sql(
      stack,
      `SET session_replication_role = replica;
       UPDATE ledger.ledger_transaction SET created_at = created_at - interval '1 hour'
        WHERE payment_id IN (SELECT id FROM ledger.payment WHERE metadata->>'transferId' = '${early}');
       SET session_replication_role = DEFAULT`,
    );
    end = new Date(Date.now() + 1000);
  });

  it("When the period's movements are read a page at a time, then each entry comes once, in booking order, and totalCount counts them", async () => {
    const expected = await sql<{ entryId: string }>(
      stack,
      `SELECT e.id::text AS "entryId" FROM ledger.entry e
         JOIN ledger.ledger_transaction t ON t.id = e.transaction_id
         JOIN ledger.account a ON a.id = e.account_id AND a.kind = 'SETTLEMENT' AND a.currency = 'EUR'
        WHERE t.created_at >= $1 AND t.created_at < $2 ORDER BY t.created_at, e.id`,
      [start, end],
    );
    expect(expected).toHaveLength(DEPOSITS);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const result: { data?: any; errors?: unknown[] } = await stack.graphql(MOVEMENTS, {
        from: start,
        to: end,
        first: 40,
        after,
      });
      expect(result.errors).toBeUndefined();
      const page: any = result.data!.settlementMovements;
      expect(page.totalCount).toBe(DEPOSITS);
      seen.push(...page.nodes.map((n: { entryId: string }) => n.entryId));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(4);
    expect(seen).toEqual(expected.map((row) => row.entryId));
    const forged = await stack.graphql(MOVEMENTS, { from: start, to: end, after: "bm90LWEtY3Vyc29y" });
    expect(forged.errors![0].extensions).toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("When the period holds more movements than a page, then the report lists every one, and a transfer booked outside it still matches", async () => {
    const result = await stack.graphql(REPORT, { currency: "EUR", from: start, to: end });
    expect(result.errors).toBeUndefined();
    const report = result.data!.reconciliationReport;
    expect(report.entryCount).toBe(DEPOSITS);
    expect(report.unmatchedEntries).toHaveLength(DEPOSITS);
    expect(new Set(report.unmatchedEntries.map((u: { entryId: string }) => u.entryId)).size).toBe(DEPOSITS);
    expect(report.matched).toEqual([
      expect.objectContaining({ transferId: early, kind: "INCOMING", amount: "-20.00" }),
    ]);
    expect(report.unmatchedTransfers).toEqual([]);
  });

  it("When more transfers are named than one ask may hold, then VALIDATION_FAILED names transferIds", async () => {
    const ids = Array.from({ length: 501 }, () => randomUUID());
    const result = await stack.graphql(
      `query($ids: [ID!]!) { settlementMovementsOfTransfers(currency: "EUR", transferIds: $ids) { entryId } }`,
      { ids },
    );
    expect(result.errors![0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [expect.objectContaining({ field: "transferIds", rule: "maxItems" })],
    });
  });
});
