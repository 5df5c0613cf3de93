/**
 * Several instances on one database: two gateways, each with a transfer subgraph of its own. A
 * status change caused through one reaches a subscriber connected to the other, with the fields
 * the other subgraphs resolve.
 */
import { randomUUID } from "node:crypto";
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import { type GatewayServer, startGateway } from "../../gateway/server";
import { startTransferSubgraph, type TransferSubgraph } from "../../subgraphs/transfer/server";
import { fund, openAccount } from "../helpers/ledger";
import { type Stack, startStack, testConfig } from "../helpers/stack";

let stack: Stack;
let secondTransfer: TransferSubgraph;
let secondGateway: GatewayServer;
let client: Client;
beforeAll(async () => {
  stack = await startStack();
  secondTransfer = await startTransferSubgraph(testConfig(), stack.databaseUrl, stack.ledger.url);
  secondGateway = await startGateway(testConfig(), {
    subgraphUrls: { client: stack.client.url, ledger: stack.ledger.url, transfer: secondTransfer.url },
  });
});
afterAll(async () => {
  await client?.dispose();
  await secondGateway.stop();
  await secondTransfer.stop();
  await stack.stop();
});

describe("two instances", () => {
  it("When a transfer runs through the first gateway, then a subscriber of the second gets every event, enriched", async () => {
    const from = await openAccount(stack);
    const to = await openAccount(stack);
    await fund(stack, from.id, "10.00");
    client = createClient({
      url: secondGateway.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${stack.systemToken}` },
      lazy: false,
      retryAttempts: 0,
    });
    const events: Array<{
      sequence: number;
      status: string;
      transfer: { account: { balance: { available: string } } };
    }> = [];
    let done: () => void = () => undefined;
    const twoEvents = new Promise<void>((resolve) => (done = resolve));
    let subscribed: () => void = () => undefined;
    const connected = new Promise<void>((resolve) => (subscribed = resolve));
    client.on("connected", () => subscribed());
    client.subscribe<{ transferStatusChanged: (typeof events)[number] }>(
      {
        query: `subscription($a: ID) { transferStatusChanged(accountId: $a) {
          sequence status transfer { account { balance { available } } } } }`,
        variables: { a: from.id },
      },
      {
        next: (result) => {
          if (result.data) events.push(result.data.transferStatusChanged);
          if (events.length === 2) done();
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    await connected;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const created = await stack.graphql(
      `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { status } }`,
      { input: { debitAccountId: from.id, creditAccountId: to.id, amount: "4.00" }, key: randomUUID() },
    );
    expect(created.data!.createInternalTransfer.status).toBe("COMPLETED");
    await twoEvents;
    expect(events.map((e) => [e.sequence, e.status])).toEqual([
      [1, "CREATED"],
      [2, "COMPLETED"],
    ]);
    expect(events[1].transfer.account.balance.available).toBe("6.00");
  });
});
