/**
 * FX transfers: a quote with the bank's spread and an expiry; the exchange moves the source
 * amount into the FX position of its currency and the target amount out of the other's, all
 * or nothing; an expired or used quote is refused.
 */
import { balance, fund, openAccount } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";
import { key, sql, unbalancedCurrencies } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const QUOTE = `mutation($source: ID!, $target: ID!, $amount: String!) {
  fxQuote(sourceAccountId: $source, targetAccountId: $target, amount: $amount) {
    id sourceAmount sourceCurrency targetAmount targetCurrency midRate rate spreadBps expiresAt
  }
}`;
const EXCHANGE = `mutation($quoteId: ID!, $key: String!) {
  createFxTransfer(quoteId: $quoteId, idempotencyKey: $key) {
    id kind status amount currency counterAccountId failureCode
    fx { sourceAmount sourceCurrency targetAmount targetCurrency rate quoteId }
    statusHistory { to reason }
  }
}`;

async function client() {
  const eur = await openAccount(stack, { currency: "EUR" });
  const usd = await openAccount(stack, { currency: "USD", clientId: eur.clientId });
  await fund(stack, eur.id, "500.00");
  return { eur, usd, token: await stack.clientToken(eur.clientId) };
}

async function position(currency: string) {
  const result = await stack.graphql(
    `query($c: String!) { bankAccount(kind: FX_POSITION, currency: $c) { id } }`,
    {
      c: currency,
    },
  );
  return balance(stack, result.data!.bankAccount.id);
}

describe("FX transfers", () => {
  it("When a customer quotes and exchanges, then both legs move at the quoted rate, once", async () => {
    const { eur, usd, token } = await client();
    const quoted = await stack.graphql(
      QUOTE,
      { source: eur.id, target: usd.id, amount: "100.00" },
      { token },
    );
    expect(quoted.errors).toBeUndefined();
    // FX_RATES in the tests: EUR=1, USD=1.085; spread 50 bps.
    expect(quoted.data!.fxQuote).toMatchObject({
      sourceAmount: "100.00",
      sourceCurrency: "EUR",
      targetAmount: "107.95",
      targetCurrency: "USD",
      midRate: "1.08500000",
      rate: "1.07957500",
      spreadBps: 50,
    });
    const seconds = (Date.parse(quoted.data!.fxQuote.expiresAt) - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(50);
    expect(seconds).toBeLessThanOrEqual(60);

    const eurPosition = await position("EUR");
    const usdPosition = await position("USD");
    const k = key();
    const exchanged = await stack.graphql(EXCHANGE, { quoteId: quoted.data!.fxQuote.id, key: k }, { token });
    expect(exchanged.errors).toBeUndefined();
    expect(exchanged.data!.createFxTransfer).toMatchObject({
      kind: "FX",
      status: "COMPLETED",
      amount: "100.00",
      currency: "EUR",
      counterAccountId: usd.id,
      fx: { sourceAmount: "100.00", targetAmount: "107.95", targetCurrency: "USD", rate: "1.07957500" },
      statusHistory: [{ to: "CREATED" }, { to: "SOURCE_DEBITED" }, { to: "COMPLETED" }],
    });
    expect(await balance(stack, eur.id)).toMatchObject({ posted: "400.00" });
    expect(await balance(stack, usd.id)).toMatchObject({ posted: "107.95" });
    const eurAfter = await position("EUR");
    const usdAfter = await position("USD");
    expect(Math.round((Number(eurAfter.posted) - Number(eurPosition.posted)) * 100)).toBe(10000);
    expect(Math.round((Number(usdAfter.posted) - Number(usdPosition.posted)) * 100)).toBe(-10795);

    const replay = await stack.graphql(EXCHANGE, { quoteId: quoted.data!.fxQuote.id, key: k }, { token });
    expect(replay.data!.createFxTransfer.id).toBe(exchanged.data!.createFxTransfer.id);
    const reused = await stack.graphql(EXCHANGE, { quoteId: quoted.data!.fxQuote.id, key: key() }, { token });
    expect(reused.errors![0].extensions).toMatchObject({ code: "QUOTE_ALREADY_USED" });
    expect(await balance(stack, eur.id)).toMatchObject({ posted: "400.00" });
    expect(await unbalancedCurrencies(stack)).toEqual({});
  });

  it("When the quote has expired, then the exchange is refused and nothing moves", async () => {
    const { eur, usd, token } = await client();
    const quoted = await stack.graphql(QUOTE, { source: eur.id, target: usd.id, amount: "10.00" }, { token });
    await sql(stack, `UPDATE transfer.fx_quote SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      quoted.data!.fxQuote.id,
    ]);
    const late = await stack.graphql(EXCHANGE, { quoteId: quoted.data!.fxQuote.id, key: key() }, { token });
    expect(late.errors![0].extensions).toMatchObject({
      code: "QUOTE_EXPIRED",
      quoteId: quoted.data!.fxQuote.id,
    });
    expect(await balance(stack, eur.id)).toMatchObject({ posted: "500.00" });
  });

  it("When the target account refuses the second leg, then the source amount is refunded and it FAILS", async () => {
    const { eur, usd, token } = await client();
    const quoted = await stack.graphql(QUOTE, { source: eur.id, target: usd.id, amount: "50.00" }, { token });
    await stack.graphql(
      `mutation($id: ID!) { updateAccount(id: $id, input: { status: BLOCKED }) { status } }`,
      {
        id: usd.id,
      },
    );
    const result = await stack.graphql(EXCHANGE, { quoteId: quoted.data!.fxQuote.id, key: key() }, { token });
    expect(result.errors![0].extensions).toMatchObject({ code: "ACCOUNT_NOT_ACTIVE" });
    const transferId = result.errors![0].extensions!.transferId as string;
    const read = await stack.graphql(
      `query($id: ID!) { transfer(id: $id) { status failureCode statusHistory { to } } }`,
      {
        id: transferId,
      },
    );
    expect(read.data!.transfer).toMatchObject({
      status: "FAILED",
      failureCode: "ACCOUNT_NOT_ACTIVE",
      statusHistory: [{ to: "CREATED" }, { to: "SOURCE_DEBITED" }, { to: "REFUNDING" }, { to: "FAILED" }],
    });
    expect(await balance(stack, eur.id)).toMatchObject({ posted: "500.00", pending: "0.00" });
    expect(await balance(stack, usd.id)).toMatchObject({ posted: "0.00" });
    expect(await unbalancedCurrencies(stack)).toEqual({});
  });

  it("When the source balance is too low, then it FAILS at the first leg and nothing moves", async () => {
    const { eur, usd, token } = await client();
    const quoted = await stack.graphql(
      QUOTE,
      { source: eur.id, target: usd.id, amount: "900.00" },
      { token },
    );
    const result = await stack.graphql(EXCHANGE, { quoteId: quoted.data!.fxQuote.id, key: key() }, { token });
    expect(result.errors![0].extensions).toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    expect(await balance(stack, eur.id)).toMatchObject({ posted: "500.00" });
  });

  it("When the quote is asked for badly, then the rule is named", async () => {
    const { eur, usd, token } = await client();
    const other = await openAccount(stack, { currency: "USD" });
    const eur2 = await openAccount(stack, { currency: "EUR", clientId: eur.clientId });
    const foreign = await stack.graphql(
      QUOTE,
      { source: eur.id, target: other.id, amount: "1.00" },
      { token },
    );
    expect(foreign.errors![0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [expect.objectContaining({ field: "targetAccountId", rule: "sameClient" })],
    });
    const same = await stack.graphql(QUOTE, { source: eur.id, target: eur2.id, amount: "1.00" }, { token });
    expect(same.errors![0].extensions!.fields[0]).toMatchObject({
      field: "targetAccountId",
      rule: "otherCurrency",
    });
    const decimals = await stack.graphql(
      QUOTE,
      { source: eur.id, target: usd.id, amount: "1.001" },
      { token },
    );
    expect(decimals.errors![0].extensions!.fields[0]).toMatchObject({ field: "amount" });
    const stranger = await stack.clientToken(other.clientId);
    const notMine = await stack.graphql(
      QUOTE,
      { source: eur.id, target: usd.id, amount: "1.00" },
      { token: stranger },
    );
    expect(notMine.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
  });

  it("When another client uses my quote, then it is QUOTE_NOT_FOUND", async () => {
    const { eur, usd, token } = await client();
    const quoted = await stack.graphql(QUOTE, { source: eur.id, target: usd.id, amount: "1.00" }, { token });
    const stranger = await stack.clientToken((await openAccount(stack)).clientId);
    const result = await stack.graphql(
      EXCHANGE,
      { quoteId: quoted.data!.fxQuote.id, key: key() },
      { token: stranger },
    );
    expect(result.errors![0].extensions).toMatchObject({ code: "QUOTE_NOT_FOUND" });
  });
});
