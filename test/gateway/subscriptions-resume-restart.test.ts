/**
 * A cursor survives restarts (decision 0028): subscribers of a gateway and a transfer subgraph
 * that each run in a process of their own keep their cursor while the transfer subgraph is
 * killed and started again, then the gateway, with transfers committing all along (through
 * another gateway and transfer subgraph on the same database). Resuming with `after`, each gets
 * every event of its filter once, in log order.
 */
import { randomUUID } from "node:crypto";
import { fund, openAccount } from "../helpers/ledger";
import { type ServiceProcess, startServiceProcess } from "../helpers/processes";
import { caughtUp, follow, type Follower, loggedEvents, received } from "../helpers/resume";
import { type Stack, startStack } from "../helpers/stack";
import { sleep } from "../helpers/subscriptions";

let stack: Stack;
let transfer: ServiceProcess | undefined;
let gateway: ServiceProcess | undefined;
const followers: Follower[] = [];
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await Promise.all(followers.map((follower) => follower.stop()));
  await gateway?.kill();
  await transfer?.kill();
  await stack.stop();
});

function startTransfer(port = "0") {
  return startServiceProcess("subgraphs/transfer/main.ts", {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    TRANSFER_SUBGRAPH_PORT: port,
    DATABASE_URL: stack.databaseUrl,
    LEDGER_SUBGRAPH_URL: stack.ledger.url,
    JWT_SECRET: stack.config.auth.jwtSecret,
    TRANSFER_WORKER: "off",
  });
}

function startGatewayProcess(transferUrl: string) {
  return startServiceProcess("gateway/main.ts", {
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    CLIENT_SUBGRAPH_URL: stack.client.url,
    LEDGER_SUBGRAPH_URL: stack.ledger.url,
    TRANSFER_SUBGRAPH_URL: transferUrl,
    JWT_SECRET: stack.config.auth.jwtSecret,
  });
}

const INTERNAL = `mutation($input: InternalTransferInput!, $key: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $key) { id status }
}`;

it("When the transfer subgraph and then the gateway are killed and started again while transfers commit, then unfiltered, client-wide and account-wide subscribers resuming with after get every event once", async () => {
  const a = randomUUID();
  const b = randomUUID();
  const [a1, a2, b1] = [
    await openAccount(stack, { clientId: a }),
    await openAccount(stack, { clientId: a }),
    await openAccount(stack, { clientId: b }),
  ].map((account) => account.id);
  await fund(stack, a1, "100.00");
  await fund(stack, b1, "100.00");
  const moves = [
    [a1, b1],
    [b1, a2],
    [a1, a2],
  ];
  let made = 0;
  const transfers = async (count: number) => {
    for (let i = 0; i < count; i++, made++) {
      const [debitAccountId, creditAccountId] = moves[made % moves.length];
      const result = await stack.graphql(INTERNAL, {
        input: { debitAccountId, creditAccountId, amount: "1.00" },
        key: randomUUID(),
      });
      expect(result.data?.createInternalTransfer.status).toBe("COMPLETED");
    }
  };
  const head = await stack.graphql(`{ transferSnapshot(recent: 0) { position } }`);
  const start = head.data!.transferSnapshot.position as string;

  transfer = await startTransfer();
  gateway = await startGatewayProcess(transfer.url);
  const url = () => gateway!.url.replace(/^http/, "ws");
  const cutAfter = () => (Math.random() < 0.5 ? 0 : 1 + Math.floor(Math.random() * 3));
  const all = follow({ url, token: stack.systemToken, after: start, cutAfter });
  const client = follow({
    url,
    token: await stack.clientToken(a),
    filter: { clientId: a },
    after: start,
    cutAfter,
  });
  const account = follow({
    url,
    token: stack.systemToken,
    filter: { accountId: b1 },
    after: start,
    cutAfter,
  });
  followers.push(all, client, account);
  await transfers(4);
  await sleep(300);

  // The transfer subgraph dies and comes back on the same port, while transfers go on.
  const transferPort = new URL(transfer.url).port;
  await transfer.kill();
  await transfers(4);
  transfer = await startTransfer(transferPort);
  await transfers(4);

  // Then the gateway dies; its subscribers come back to a new one.
  await gateway.kill();
  await transfers(4);
  gateway = await startGatewayProcess(transfer.url);
  await transfers(4);

  const expected = {
    all: await loggedEvents(stack, start),
    client: await loggedEvents(stack, start, { clientId: a }),
    account: await loggedEvents(stack, start, { accountId: b1 }),
  };
  expect(expected.all).toHaveLength(40);
  expect(expected.account).toHaveLength(28);
  await caughtUp(all, expected.all.length, 60_000);
  await caughtUp(client, expected.client.length, 60_000);
  await caughtUp(account, expected.account.length, 60_000);
  expect(received(all.events)).toEqual(received(expected.all));
  expect(received(client.events)).toEqual(received(expected.client));
  expect(received(account.events)).toEqual(received(expected.account));
  // Each was ended by both restarts and resumed.
  for (const follower of [all, client, account]) expect(follower.ended.length).toBeGreaterThanOrEqual(2);
}, 180_000);
