/**
 * Issue 12, decision 0048: an event arrives from the transfer subgraph with the fields that
 * subgraph resolves, so the gateway's query for it only fetches from the other subgraphs. An
 * event query it cannot answer that way (a variable of the client's in the selection, an alias
 * on a key field) is still answered whole, with the same results.
 */
import { randomUUID } from "node:crypto";
import type { Client } from "graphql-ws";
import { fund, openAccount } from "../helpers/ledger";
import { sample, scrape } from "../helpers/ops";
import { type Stack, startStack } from "../helpers/stack";
import { connectClient, disposeClients, waitFor, watch } from "../helpers/subscriptions";
import { READ_TRANSFER } from "../helpers/transfers";
import { TransferHistoryRepository } from "../../subgraphs/transfer/persistence/history.repository";

let stack: Stack;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterEach(async () => {
  await disposeClients(clients, stack.gateway, 10_000);
});
afterAll(() => stack.stop());

function connect(): Client {
  return connectClient(stack.gateway, stack.systemToken, clients);
}

/** The gateway's calls to `subgraph` so far (`subgraph_fetch_duration_seconds_count`, ok). */
async function fetchesTo(subgraph: string): Promise<number> {
  return sample(await scrape(stack.gateway.url), "subgraph_fetch_duration_seconds_count", {
    subgraph,
    outcome: "ok",
  });
}

/**
 * Subscribes with `query` to the transfers of a new funded account, moves 1.00 from it, and
 * returns the events, the transfer's status history, and how many calls the gateway made to
 * each subgraph from the transfer's creation to its last event.
 */
async function followOneTransfer(query: string, variables: Record<string, unknown> = {}) {
  const from = await openAccount(stack);
  await fund(stack, from.id, "10.00");
  const to = await openAccount(stack);
  const watcher = watch(connect(), query, { a: from.id, ...variables });
  await waitFor(() => stack.gateway.subscriptions.stats().upstreamSubscriptions === 1);
  const before = { transfer: await fetchesTo("transfer"), ledger: await fetchesTo("ledger") };
  const created = await stack.graphql(
    `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id } }`,
    { input: { debitAccountId: from.id, creditAccountId: to.id, amount: "1.00" }, key: randomUUID() },
  );
  const id = created.data!.createInternalTransfer.id as string;
  // An internal transfer runs to COMPLETED at once; its last event says so (under any alias).
  await waitFor(() => watcher.events.some((e) => JSON.stringify(e).includes('"COMPLETED"')), 10_000);
  const calls = {
    transfer: (await fetchesTo("transfer")) - before.transfer,
    ledger: (await fetchesTo("ledger")) - before.ledger,
  };
  const history = (await stack.graphql(READ_TRANSFER, { id })).data!.transfer.statusHistory;
  expect(watcher.errors).toEqual([]);
  return { id, from, events: watcher.events, history, calls };
}

it("When a subscription selects transfer fields and the account's balance, then each event brings the transfer's part with it and the gateway only fetches the balance from the ledger", async () => {
  const { id, from, events, history, calls } = await followOneTransfer(
    `subscription($a: ID) { transferStatusChanged(accountId: $a) {
       transferId sequence status transfer { id status account { id balance { available currency } } } } }`,
  );
  expect(events.map((e) => [e.transferId, e.sequence, e.status])).toEqual(
    history.map((h: any) => [id, h.sequence, h.to]),
  );
  for (const event of events) {
    expect(event.transfer.id).toBe(id);
    expect(event.transfer.account.id).toBe(from.id);
    expect(event.transfer.account.balance.currency).toBe("EUR");
    expect(event.transfer.account.balance.available).toMatch(/^\d+\.\d{2}$/);
  }
  // The mutation is the transfer subgraph's only call; each event costs one ledger call.
  expect(calls.transfer).toBe(1);
  expect(calls.ledger).toBe(events.length);
});

it("When the selection uses a variable of the client's, then each event is queried whole, with the same results", async () => {
  const { id, events, history, calls } = await followOneTransfer(
    `subscription($a: ID, $withTransfer: Boolean!) { transferStatusChanged(accountId: $a) {
       transferId sequence status transfer @include(if: $withTransfer) { id } } }`,
    { withTransfer: true },
  );
  expect(events.map((e) => [e.transferId, e.sequence, e.status, e.transfer.id])).toEqual(
    history.map((h: any) => [id, h.sequence, h.to, id]),
  );
  expect(calls.transfer).toBe(1 + events.length);
});

it("When the client aliases another field to a key's name, then each event is queried whole and the alias holds the client's field", async () => {
  const { id, events, history, calls } = await followOneTransfer(
    `subscription($a: ID) { transferStatusChanged(accountId: $a) { transferId sequence: status } }`,
  );
  expect(events.map((e) => [e.transferId, e.sequence])).toEqual(history.map((h: any) => [id, h.to]));
  expect(calls.transfer).toBe(1 + events.length);
});

it("When the client aliases a key field, then every event still comes, the alias holding the key", async () => {
  const { id, events, history } = await followOneTransfer(
    `subscription($a: ID) { transferStatusChanged(accountId: $a) { tid: transferId n: sequence status } }`,
  );
  expect(events.map((e) => [e.tid, e.n, e.status])).toEqual(history.map((h: any) => [id, h.sequence, h.to]));
});

it("When an event's transfer fields are read upstream, then each event reads them as of that event, not as an earlier one left them", async () => {
  const { events } = await followOneTransfer(
    `subscription($a: ID) { transferStatusChanged(accountId: $a) { sequence status transfer { statusHistory { sequence } } } }`,
  );
  expect(events.length).toBeGreaterThanOrEqual(2);
  for (const event of events)
    expect(event.transfer.statusHistory.length).toBeGreaterThanOrEqual(event.sequence);
});

it("When an account's activity selects the account's balance, then each event shows the balance after it", async () => {
  const account = await openAccount(stack);
  const watcher = watch(
    connect(),
    `subscription($a: ID!) { accountActivity(accountId: $a) { sequence balance { available } account { balance { available } } } }`,
    { a: account.id },
    "accountActivity",
  );
  // Live from when the ledger's stream has read "now": a payment before that is not in it. The
  // gateway counts its upstream subscription before the ledger has even received it.
  await waitFor(() => stack.ledger.activity.size === 1);
  for (const [amount, count] of [
    ["10.00", 1],
    ["5.00", 2],
    ["2.00", 3],
  ] as const) {
    await fund(stack, account.id, amount);
    await watcher.until(count);
  }
  expect(watcher.errors).toEqual([]);
  expect(watcher.events.map((e) => [e.balance.available, e.account.balance.available])).toEqual([
    ["10.00", "10.00"],
    ["15.00", "15.00"],
    ["17.00", "17.00"],
  ]);
});

it("When the transfer subgraph fails to resolve an event's fields once, then the event is queried whole and still comes, once", async () => {
  const failOnce = jest
    .spyOn(TransferHistoryRepository.prototype, "transferEvents")
    .mockRejectedValueOnce(new Error("a transient read failure"));
  try {
    const { id, events, history } = await followOneTransfer(
      `subscription($a: ID) { transferStatusChanged(accountId: $a) { transferId sequence status transfer { statusHistory { sequence } } } }`,
    );
    expect(failOnce).toHaveBeenCalled();
    expect(events.map((e) => [e.transferId, e.sequence, e.status])).toEqual(
      history.map((h: any) => [id, h.sequence, h.to]),
    );
  } finally {
    failOnce.mockRestore();
  }
});
