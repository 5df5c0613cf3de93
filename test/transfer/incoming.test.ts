/**
 * Incoming transfers (the rail's IncomingRequests, system only): a known account is credited
 * from settlement; an unknown one waits in suspense until an operator assigns it; a second
 * delivery of the same external id credits nothing.
 */
import { randomUUID } from "node:crypto";
import { balance, openAccount } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";
import { sql, unbalancedCurrencies } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const RECEIVE = `mutation($input: IncomingTransferInput!) {
  receiveIncomingTransfer(input: $input) {
    id kind type status clientId accountId accountNumber amount currency counterpartyName counterpartyIban failureCode
    statusHistory { sequence to reason }
  }
}`;
const ASSIGN = `mutation($id: ID!, $accountId: ID!) {
  assignIncomingTransfer(id: $id, accountId: $accountId) { id status clientId accountId statusHistory { to } }
}`;

function delivery(accountNumber: string, amount = "40.00") {
  return {
    externalId: `SEPA-${randomUUID()}`,
    accountNumber,
    amount,
    currency: "EUR",
    senderName: "Max Mustermann",
    senderIban: "de89 3704 0044 0532 0130 00",
    reference: "Rent",
  };
}

async function suspenseBalance() {
  const result = await stack.graphql(`{ bankAccount(kind: SUSPENSE, currency: "EUR") { id } }`);
  return balance(stack, result.data!.bankAccount.id);
}

describe("incoming transfers", () => {
  it("When the account number is ours, then the account is credited from settlement at once", async () => {
    const account = await openAccount(stack);
    const result = await stack.graphql(RECEIVE, { input: delivery(account.number) });
    expect(result.errors).toBeUndefined();
    expect(result.data!.receiveIncomingTransfer).toMatchObject({
      kind: "INCOMING",
      type: "SEPA",
      status: "COMPLETED",
      clientId: account.clientId,
      accountId: account.id,
      counterpartyIban: "DE89370400440532013000",
      statusHistory: [
        { sequence: 1, to: "RECEIVED" },
        { sequence: 2, to: "COMPLETED" },
      ],
    });
    expect(await balance(stack, account.id)).toMatchObject({ posted: "40.00" });
    expect(await unbalancedCurrencies(stack)).toEqual({});
  });

  it("When the same delivery arrives twice, also at once, then the account is credited once", async () => {
    const account = await openAccount(stack);
    const input = delivery(account.number, "12.34");
    const results = await Promise.all([1, 2, 3].map(() => stack.graphql(RECEIVE, { input })));
    expect(new Set(results.map((r) => r.data!.receiveIncomingTransfer.id)).size).toBe(1);
    expect(results.every((r) => r.data!.receiveIncomingTransfer.status === "COMPLETED")).toBe(true);
    const later = await stack.graphql(RECEIVE, { input });
    expect(later.data!.receiveIncomingTransfer.id).toBe(results[0].data!.receiveIncomingTransfer.id);
    expect(await balance(stack, account.id)).toMatchObject({ posted: "12.34" });
    const payments = await sql(stack, `SELECT 1 FROM ledger.payment WHERE metadata->>'transferId' = $1`, [
      later.data!.receiveIncomingTransfer.id,
    ]);
    expect(payments).toHaveLength(1);
  });

  it("When a redelivery spells the same transfer differently, then it is still the same transfer", async () => {
    const account = await openAccount(stack);
    const input = delivery(account.number, "40");
    const first = await stack.graphql(RECEIVE, { input: { ...input, reference: null } });
    expect(first.data!.receiveIncomingTransfer.amount).toBe("40.00");
    const again = await stack.graphql(RECEIVE, {
      input: {
        ...input,
        amount: "40.00",
        reference: undefined,
        accountNumber: ` ${account.number.slice(0, 6)} ${account.number.slice(6)}`,
      },
    });
    expect(again.data!.receiveIncomingTransfer.id).toBe(first.data!.receiveIncomingTransfer.id);
    expect(await balance(stack, account.id)).toMatchObject({ posted: "40.00" });
  });

  it("When the external id comes again with other details, then it is refused and nothing moves", async () => {
    const account = await openAccount(stack);
    const input = delivery(account.number, "5.00");
    await stack.graphql(RECEIVE, { input });
    const other = await stack.graphql(RECEIVE, { input: { ...input, amount: "500.00" } });
    expect(other.errors![0].extensions).toMatchObject({ code: "INCOMING_ALREADY_RECEIVED" });
    expect(await balance(stack, account.id)).toMatchObject({ posted: "5.00" });
  });

  it("When no account matches, then the money waits in suspense, and an operator's assignment credits it", async () => {
    const before = await suspenseBalance();
    const received = await stack.graphql(RECEIVE, { input: delivery("999999999999", "70.00") });
    const transfer = received.data!.receiveIncomingTransfer;
    expect(transfer).toMatchObject({
      status: "UNRECOGNIZED",
      clientId: null,
      accountId: null,
      accountNumber: "999999999999",
      statusHistory: [{ to: "RECEIVED" }, { to: "UNRECOGNIZED", reason: "UNKNOWN_ACCOUNT" }],
    });
    const held = await suspenseBalance();
    expect(Number(held.posted) - Number(before.posted)).toBeCloseTo(70, 2);

    const account = await openAccount(stack);
    const assigned = await stack.graphql(ASSIGN, { id: transfer.id, accountId: account.id });
    expect(assigned.data!.assignIncomingTransfer).toMatchObject({
      status: "COMPLETED",
      clientId: account.clientId,
      accountId: account.id,
      statusHistory: [{ to: "RECEIVED" }, { to: "UNRECOGNIZED" }, { to: "ASSIGNING" }, { to: "COMPLETED" }],
    });
    expect(await balance(stack, account.id)).toMatchObject({ posted: "70.00" });
    expect((await suspenseBalance()).posted).toBe(before.posted);

    const twice = await stack.graphql(ASSIGN, { id: transfer.id, accountId: account.id });
    expect(twice.errors![0].extensions).toMatchObject({ code: "TRANSFER_ALREADY_FINISHED" });
    expect(await balance(stack, account.id)).toMatchObject({ posted: "70.00" });
    expect(await unbalancedCurrencies(stack)).toEqual({});
  });

  it("When the matched account is in another currency or blocked, then the money goes to suspense", async () => {
    const usd = await openAccount(stack, { currency: "USD" });
    const result = await stack.graphql(RECEIVE, { input: delivery(usd.number) });
    expect(result.data!.receiveIncomingTransfer).toMatchObject({ status: "UNRECOGNIZED", accountId: null });
    expect(await balance(stack, usd.id)).toMatchObject({ posted: "0.00" });
  });

  it("When an assignment names an account in another currency, then it is refused and the money stays in suspense", async () => {
    const received = await stack.graphql(RECEIVE, { input: delivery("000000000000") });
    const usd = await openAccount(stack, { currency: "USD" });
    const refused = await stack.graphql(ASSIGN, {
      id: received.data!.receiveIncomingTransfer.id,
      accountId: usd.id,
    });
    expect(refused.errors![0].extensions).toMatchObject({ code: "CURRENCY_MISMATCH" });
    const read = await stack.graphql(`query($id: ID!) { transfer(id: $id) { status } }`, {
      id: received.data!.receiveIncomingTransfer.id,
    });
    expect(read.data!.transfer.status).toBe("UNRECOGNIZED");
  });

  it("When a front-office token delivers or assigns, then it is FORBIDDEN", async () => {
    const account = await openAccount(stack);
    const token = await stack.clientToken(account.clientId);
    const deliver = await stack.graphql(RECEIVE, { input: delivery(account.number) }, { token });
    expect(deliver.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
    const assign = await stack.graphql(ASSIGN, { id: randomUUID(), accountId: account.id }, { token });
    expect(assign.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
    expect(await balance(stack, account.id)).toMatchObject({ posted: "0.00" });
  });

  it("When the amount or the sender's IBAN is malformed, then the field and rule are named", async () => {
    const bad = await stack.graphql(RECEIVE, { input: { ...delivery("1"), amount: "1.234" } });
    expect(bad.errors![0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [expect.objectContaining({ field: "amount", rule: "isDecimal" })],
    });
    const iban = await stack.graphql(RECEIVE, {
      input: { ...delivery("1"), senderIban: "DE00370400440532013000" },
    });
    expect(iban.errors![0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [expect.objectContaining({ field: "senderIban", rule: "ibanChecksum" })],
    });
  });

  it("When a customer lists its transfers, then the incoming one credited to it is there", async () => {
    const account = await openAccount(stack);
    await stack.graphql(RECEIVE, { input: delivery(account.number, "3.00") });
    const token = await stack.clientToken(account.clientId);
    const list = await stack.graphql(
      `{ transfers(filter: { kind: INCOMING }) { totalCount nodes { amount status } } }`,
      {},
      { token },
    );
    expect(list.data!.transfers).toEqual({ totalCount: 1, nodes: [{ amount: "3.00", status: "COMPLETED" }] });
  });
});
