/**
 * The treasury summary (decision 0038) through the gateway: the ledger's positions per currency,
 * the transfer subgraph's outgoing transfers queued for the rail joined in by the supergraph, and
 * the FX exposure valued in the reporting currency at the configured rates.
 */
import { randomUUID } from "node:crypto";
import { CREATE_DRAFT, fund, openAccount, paymentInput } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { addRecipient, CONFIRM, CREATE_OUTGOING, key, sentCode, sql } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const SUMMARY = `query($reportingCurrency: String) {
  treasurySummary(reportingCurrency: $reportingCurrency) {
    reportingCurrency fxExposureNet fxExposureGross
    positions {
      currency settlement suspense fxPosition fxExposure clientBalances clientHeld clientAccounts balanced
      queuedOutgoing { count amount }
    }
  }
}`;

function position(summary: any, currency: string) {
  return summary.positions.find((p: any) => p.currency === currency);
}

describe("the treasury summary", () => {
  beforeAll(async () => {
    const clientId = await importClient(stack);
    const eur = await openAccount(stack, { clientId });
    const usd = await openAccount(stack, { clientId, currency: "USD" });
    const other = await openAccount(stack);
    await fund(stack, eur.id, "500.00");
    await fund(stack, usd.id, "40.00", "USD");
    await fund(stack, other.id, "20.10");
    // A hold: a pended draft from one client account to another.
    const draft = await stack.graphql(CREATE_DRAFT, {
      input: paymentInput(eur.id, other.id, "5.00"),
      key: randomUUID(),
    });
    await stack.graphql(
      `mutation($id: ID!, $k: String!) { pendPayment(id: $id, idempotencyKey: $k) { id } }`,
      {
        id: draft.data!.createDraftPayment.id,
        k: randomUUID(),
      },
    );
    // An outgoing transfer confirmed and not yet sent (the suite's worker is off): queued for the rail.
    const token = await stack.clientToken(clientId);
    const created = await stack.graphql(
      CREATE_OUTGOING,
      {
        input: { accountId: eur.id, recipientId: await addRecipient(stack, clientId), amount: "25.00" },
        key: key(),
      },
      { token },
    );
    const id = created.data!.createOutgoingTransfer.id;
    await stack.graphql(CONFIRM, { id, code: await sentCode(stack, id) }, { token });
    // An exchange: 100.00 EUR into the EUR position, 108.50 USD out of the USD position.
    const quote = await stack.graphql(
      `mutation($from: ID!, $to: ID!) { fxQuote(sourceAccountId: $from, targetAccountId: $to, amount: "100.00") { id targetAmount } }`,
      { from: eur.id, to: usd.id },
      { token },
    );
    const fx = await stack.graphql(
      `mutation($q: ID!) { createFxTransfer(quoteId: $q, idempotencyKey: "fx-1") { status } }`,
      { q: quote.data!.fxQuote.id },
      { token },
    );
    expect(fx.data!.createFxTransfer.status).toBe("COMPLETED");
  });

  it("When the summary is read, then each currency's client totals equal the sum of its client accounts", async () => {
    const result = await stack.graphql(SUMMARY);
    expect(result.errors).toBeUndefined();
    const summary = result.data!.treasurySummary;
    const sums = await sql<{ currency: string; posted: string; pending: string; n: number }>(
      stack,
      `SELECT currency, sum(posted)::text AS posted, sum(pending)::text AS pending, count(*)::int AS n
         FROM ledger.account WHERE kind = 'CLIENT' GROUP BY currency`,
    );
    for (const row of sums) {
      const exponent = row.currency === "JPY" ? 0 : row.currency === "BHD" ? 3 : 2;
      const decimal = (minor: string) => (Number(minor) / 10 ** exponent).toFixed(exponent);
      expect(position(summary, row.currency)).toMatchObject({
        clientBalances: decimal(row.posted),
        clientHeld: decimal(row.pending),
        clientAccounts: row.n,
        balanced: true,
      });
    }
    const eur = position(summary, "EUR");
    expect(eur).toMatchObject({ settlement: "-520.10", suspense: "0.00", clientHeld: "30.00" });
    expect(eur.queuedOutgoing).toEqual({ count: 1, amount: "25.00" });
    expect(position(summary, "USD").queuedOutgoing).toEqual({ count: 0, amount: "0.00" });
  });

  it("When FX positions are valued, then at the configured mid rates in the reporting currency", async () => {
    const eurSummary = (await stack.graphql(SUMMARY)).data!.treasurySummary;
    const usdTarget = position(eurSummary, "USD").fxPosition; // minus what the exchange paid out
    expect(position(eurSummary, "EUR")).toMatchObject({ fxPosition: "100.00", fxExposure: "100.00" });
    expect(usdTarget.startsWith("-")).toBe(true);
    // USD=1.085 per EUR: the short USD position in EUR, rounded toward zero.
    const inEur = (Math.trunc((Number(usdTarget) / 1.085) * 100) / 100).toFixed(2);
    expect(position(eurSummary, "USD").fxExposure).toBe(inEur);
    expect(eurSummary.reportingCurrency).toBe("EUR");
    const total = (100 + Number(inEur)).toFixed(2);
    expect(eurSummary.fxExposureNet).toBe(total);
    expect(eurSummary.fxExposureGross).toBe((100 - Number(inEur)).toFixed(2));

    const usd = (await stack.graphql(SUMMARY, { reportingCurrency: "usd" })).data!.treasurySummary;
    expect(usd.reportingCurrency).toBe("USD");
    expect(position(usd, "USD").fxExposure).toBe(usdTarget);
    expect(position(usd, "EUR").fxExposure).toBe("108.50");
  });

  it("When the REST route is called, then it answers the envelope; a bad reporting currency is 400, a front-office token 403", async () => {
    const response = await stack.rest("GET", "/internal/TreasuryManagement/summary");
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ isSuccess: true, isFailed: false, errors: [] });
    expect(position(response.body.value, "EUR")).toMatchObject({
      queuedOutgoing: { count: 1, amount: "25.00" },
      balanced: true,
    });
    expect(response.body.valueOrDefault).toEqual(response.body.value);

    const bad = await stack.rest("GET", "/internal/TreasuryManagement/summary?reportingCurrency=XYZ");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].metadata).toMatchObject({ field: "reportingCurrency", rule: "hasRate" });

    const token = await stack.clientToken(randomUUID());
    expect((await stack.rest("GET", "/internal/TreasuryManagement/summary", { token })).status).toBe(403);
    const graphql = await stack.graphql(SUMMARY, {}, { token });
    expect(graphql.errors![0].extensions!.code).toBe("FORBIDDEN");
  });
});
