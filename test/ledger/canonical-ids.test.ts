/**
 * Ids are normalised once, at the subgraph's edge: a UUID written in upper case names the same
 * account, client or payment, and hashes the same for idempotency, wherever it is passed (an
 * argument, a list, an input object, an entity representation).
 */
import { randomUUID } from "node:crypto";
import {
  balance,
  CREATE_DRAFT,
  CREATE_PAYMENT,
  fund,
  openAccount,
  paymentInput,
  transition,
} from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const upper = (id: string) => id.toUpperCase();

describe("ids in upper case", () => {
  it("When a front-office caller reads its account and totals by upper-case ids, then it gets them as by lower-case ones", async () => {
    const account = await openAccount(stack);
    const token = await stack.clientToken(account.clientId);
    const read = await stack.graphql(
      `query($id: ID!, $c: ID!) { account(id: $id) { id clientId } aggregatedAmounts(clientId: $c) { currency } }`,
      { id: upper(account.id), c: upper(account.clientId) },
      { token },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data).toEqual({
      account: { id: account.id, clientId: account.clientId },
      aggregatedAmounts: [{ currency: "EUR" }],
    });
  });

  it("When a payment is asked again with its ids in upper case, then the key answers the same payment", async () => {
    const a = await openAccount(stack);
    const b = await openAccount(stack);
    await fund(stack, a.id, "10.00");
    const key = randomUUID();
    const first = await stack.graphql(CREATE_PAYMENT, { input: paymentInput(a.id, b.id, "1.00"), key });
    const again = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(upper(a.id), upper(b.id), "1.00"),
      key,
    });
    expect(again.errors).toBeUndefined();
    expect(again.data!.createPayment).toMatchObject({
      id: first.data!.createPayment.id,
      debitAccountId: a.id,
      creditAccountId: b.id,
    });

    const draft = await stack.graphql(CREATE_DRAFT, {
      input: paymentInput(upper(a.id), b.id, "2.00"),
      key: randomUUID(),
    });
    const id = draft.data!.createDraftPayment.id as string;
    const pendKey = randomUUID();
    const pended = await transition(stack, "pend", upper(id), pendKey);
    const replayed = await transition(stack, "pend", id, pendKey);
    expect(pended.data!.pendPayment).toMatchObject({ id, status: "PENDING" });
    expect(replayed.errors).toBeUndefined();
    expect(replayed.data!.pendPayment).toMatchObject({ id, status: "PENDING" });
    expect(await balance(stack, a.id)).toMatchObject({ posted: "9.00", pending: "2.00" });
  });

  it("When a client's accounts are reordered by upper-case ids, then the order is the one given", async () => {
    const clientId = randomUUID();
    const first = await openAccount(stack, { clientId });
    const second = await openAccount(stack, { clientId });
    const result = await stack.graphql(
      `mutation($c: ID!, $ids: [ID!]!) { reorderAccounts(clientId: $c, accountIds: $ids) { id position } }`,
      { c: upper(clientId), ids: [upper(second.id), upper(first.id)] },
      { token: await stack.clientToken(clientId) },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.reorderAccounts).toEqual([
      { id: second.id, position: 0 },
      { id: first.id, position: 1 },
    ]);
  });

  it("When entities are resolved by upper-case representations, then the account and the client's accounts are found", async () => {
    const account = await openAccount(stack);
    const result = await stack.graphql(
      `query($representations: [_Any!]!) { _entities(representations: $representations) {
        ... on Account { id } ... on Client { id accounts { id } } } }`,
      {
        representations: [
          { __typename: "Account", id: upper(account.id) },
          { __typename: "Client", id: upper(account.clientId) },
        ],
      },
      { url: stack.ledger.url, token: await stack.clientToken(account.clientId) },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { id: account.id },
      { id: account.clientId, accounts: [{ id: account.id }] },
    ]);
  });
});
