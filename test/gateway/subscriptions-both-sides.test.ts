/**
 * Both sides of a movement through the gateway (decision 0026), with real graphql-ws clients: the
 * client an internal transfer credits hears of it live, by account and on resume, resolved through
 * the supergraph as its statement shows it (its own account's balance; nothing of the payer's);
 * a third client hears nothing; a front-office filter naming another client or its account is
 * refused FORBIDDEN.
 */
import { randomUUID } from "node:crypto";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { fund, openAccount } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { disposeClients, sleep, STATUS_CHANGED, waitFor, watch } from "../helpers/subscriptions";

let stack: Stack;
let wsUrl: string;
const clients: Client[] = [];

beforeAll(async () => {
  stack = await startStack();
  wsUrl = stack.gateway.url.replace(/^http/, "ws");
});
afterEach(async () => {
  await disposeClients(clients, stack.gateway);
});
afterAll(() => stack.stop());

function connect(token: string): Client {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
  });
  clients.push(client);
  return client;
}

const STATEMENT = `subscription Statement($accountId: ID, $transferId: ID, $afterSequence: ID) {
  transferStatusChanged(accountId: $accountId, transferId: $transferId, afterSequence: $afterSequence) {
    transferId sequence status changedBy
    transfer {
      amount reference clientId accountId
      account { id } client { id }
      counterAccount { id balance { available } }
    }
  }
}`;

describe("both sides of a movement through the gateway", () => {
  it("When A pays B internally, then B hears of it live, by account and on resume, with its own balance and nothing of A's; a third client hears nothing", async () => {
    const payer = await openAccount(stack, { clientId: await importClient(stack) });
    const payee = await openAccount(stack, { clientId: await importClient(stack) });
    const third = await openAccount(stack, { clientId: await importClient(stack) });
    await fund(stack, payer.id, "50.00");
    const payeeToken = await stack.clientToken(payee.clientId);
    const before = stack.transfer.events.size;
    const live = watch<any>(connect(payeeToken), STATEMENT);
    const byAccount = watch<any>(connect(payeeToken), STATEMENT, { accountId: payee.id });
    const bystander = watch<any>(connect(await stack.clientToken(third.clientId)), STATEMENT);
    await waitFor(() => stack.transfer.events.size >= before + 3);

    const created = await stack.graphql(
      `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id status } }`,
      {
        input: { debitAccountId: payer.id, creditAccountId: payee.id, amount: "12.50", reference: "Rent" },
        key: randomUUID(),
      },
      { token: await stack.clientToken(payer.clientId) },
    );
    expect(created.data!.createInternalTransfer.status).toBe("COMPLETED");
    const id = created.data!.createInternalTransfer.id as string;
    await live.until(2);
    await byAccount.until(2);
    const resumed = watch<any>(connect(payeeToken), STATEMENT, { transferId: id, afterSequence: "0" });
    await resumed.until(2);
    await sleep(300);

    for (const watcher of [live, byAccount, resumed]) {
      expect(watcher.errors).toEqual([]);
      expect(watcher.events.map((e) => [e.transferId, e.sequence, e.status, e.changedBy])).toEqual([
        [id, 1, "CREATED", "counterparty"],
        [id, 2, "COMPLETED", "counterparty"],
      ]);
      for (const event of watcher.events) {
        expect(event.transfer).toEqual({
          amount: "12.50",
          reference: "Rent",
          clientId: null,
          accountId: null,
          account: null,
          client: null,
          counterAccount: { id: payee.id, balance: { available: expect.stringMatching(/^\d+\.\d{2}$/) } },
        });
      }
    }
    expect(resumed.events.at(-1).transfer.counterAccount.balance.available).toBe("12.50");
    expect(bystander.events).toEqual([]);
    expect(bystander.errors).toEqual([]);
  });

  it("When a front-office caller filters on another client or another client's account, then the gateway answers FORBIDDEN", async () => {
    const mine = await openAccount(stack);
    const theirs = await openAccount(stack);
    const client = connect(await stack.clientToken(mine.clientId));
    const byClient = watch(client, STATUS_CHANGED, { clientId: theirs.clientId });
    const byAccount = watch(client, STATUS_CHANGED, { accountId: theirs.id });
    const own = watch(client, STATUS_CHANGED, { clientId: mine.clientId, accountId: mine.id });
    await waitFor(() => byClient.completed() && byAccount.completed());
    expect(byClient.errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    expect(byAccount.errors[0]).toMatchObject({ extensions: { code: "FORBIDDEN" } });
    await sleep(200);
    expect(own.errors).toEqual([]);
    expect(own.completed()).toBe(false);
  });
});
