/**
 * The gateway's direct path (gateway/direct.ts, decision 0042) answers as Apollo Server with the
 * gateway's plugins does. Each request is sent to the gateway as is twice, which the direct path
 * takes (the first time through @apollo/gateway's executor, which makes its plan known; the
 * second, when the plan is one fetch, without it: gateway/one-fetch.ts, decision 0047), and again
 * with `"extensions": {}`, which it leaves to Apollo Server; status, content type, length,
 * `retry-after` and body must be the same all three times.
 */
import { randomUUID } from "node:crypto";
import { DirectExecution } from "../../common/graphql/direct-execution";
import { QueryPlanMemory } from "../../gateway/one-fetch";
import { startGateway, type GatewayServer } from "../../gateway/server";
import { CREATE_PAYMENT, fund, openAccount, paymentInput } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
let ledgerDown: GatewayServer;
const run = jest.spyOn(DirectExecution.prototype, "run");
const result = jest.spyOn(DirectExecution.prototype, "result");
const planOf = jest.spyOn(QueryPlanMemory.prototype, "planOf");

beforeAll(async () => {
  stack = await startStack();
  // A second gateway whose ledger does not listen: port 1 refuses connections.
  ledgerDown = await startGateway(stack.config, {
    subgraphUrls: {
      client: stack.client.url,
      ledger: "http://127.0.0.1:1/graphql",
      transfer: stack.transfer.url,
    },
  });
});

afterAll(async () => {
  await ledgerDown.stop();
  await stack.stop();
});

async function post(url: string, token: string, body: Record<string, unknown>) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    length: response.headers.get("content-length"),
    retryAfter: response.headers.get("retry-after"),
    body: await response.text(),
  };
}

/** Whether the gateway's direct path (the one with a `finish` step) answered one of the calls since `mockClear`. */
async function gatewayAnsweredDirectly(): Promise<boolean> {
  for (const [index, instance] of run.mock.instances.entries()) {
    const engine = (instance as unknown as { engine: { finish?: unknown } }).engine;
    if (engine.finish && (await run.mock.results[index]!.value) !== undefined) return true;
  }
  return false;
}

/**
 * The answers of the direct path (the executor's, then the one-fetch path's when the plan is one
 * fetch) and of Apollo Server; `oneFetch`: whether the second ran without the executor.
 */
async function both(body: Record<string, unknown>, options: { token?: string; url?: string } = {}) {
  const url = options.url ?? stack.gateway.url;
  const token = options.token ?? stack.systemToken;
  const first = await post(url, token, body);
  run.mockClear();
  planOf.mockClear();
  const direct = await post(url, token, body);
  const answeredDirectly = await gatewayAnsweredDirectly();
  const oneFetch = planOf.mock.results.some((call) => Boolean(call.value));
  // Whether its plan shapes a plain operation's answer itself (gateway/plain-shape.ts).
  const plainShape = planOf.mock.results.some((call) => Boolean(call.value?.shape));
  const apollo = await post(url, token, { ...body, extensions: {} });
  expect(direct).toEqual(first);
  return { direct, apollo, answeredDirectly, oneFetch, plainShape };
}

describe("the gateway's direct path", () => {
  it("When a federated query is sent, then it answers as Apollo Server does, with the values that matter", async () => {
    const tag = `direct-${randomUUID()}`;
    const clientId = await importClient(stack, { externalId: tag });
    const { direct, apollo, answeredDirectly, oneFetch } = await both({
      query: "query Mine($id: ID!) { client(id: $id) { id externalId accounts { id } } }",
      variables: { id: clientId },
    });
    expect(answeredDirectly).toBe(true);
    expect(oneFetch).toBe(false);
    expect(direct).toEqual(apollo);
    expect(direct.status).toBe(200);
    expect(JSON.parse(direct.body).data.client).toMatchObject({ id: clientId, externalId: tag });
  });

  it("When a subgraph refuses a mutation, then both paths answer its code and status", async () => {
    const { direct, apollo, answeredDirectly, oneFetch } = await both({
      query: `mutation Pay($input: PaymentInput!) { createPayment(input: $input, idempotencyKey: "direct-test") { id } }`,
      variables: {
        input: {
          debitAccountId: randomUUID(),
          creditAccountId: randomUUID(),
          amount: "1.00",
          description: "direct path",
        },
      },
    });
    expect(answeredDirectly).toBe(true);
    expect(oneFetch).toBe(true);
    expect(direct).toEqual(apollo);
    expect(JSON.parse(direct.body).errors[0].extensions.code).toBe("ACCOUNT_NOT_FOUND");
  });

  it("When a front-office caller reads another client, then both paths answer FORBIDDEN with its status", async () => {
    const other = await importClient(stack, { externalId: `other-${randomUUID()}` });
    const own = await importClient(stack, { externalId: `own-${randomUUID()}` });
    const token = await stack.clientToken(own);
    const { direct, apollo, answeredDirectly, oneFetch } = await both(
      { query: "query Other($id: ID!) { client(id: $id) { id } }", variables: { id: other } },
      { token },
    );
    expect(answeredDirectly).toBe(true);
    expect(oneFetch).toBe(true);
    expect(direct).toEqual(apollo);
    expect(direct.status).toBe(403);
  });

  it("When the subgraph cannot be reached, then both paths answer 503 with Retry-After", async () => {
    const { direct, apollo, answeredDirectly, oneFetch } = await both(
      { query: "{ accounts(first: 1) { nodes { id } } }" },
      { url: ledgerDown.url },
    );
    expect(answeredDirectly).toBe(true);
    expect(oneFetch).toBe(true);
    expect(direct).toEqual(apollo);
    expect(direct.status).toBe(503);
    expect(direct.retryAfter).toBe("1");
  });

  it("When a payment is made and replayed, then the one-fetch path answers as the executor and Apollo Server do", async () => {
    const payer = await openAccount(stack, { clientId: await importClient(stack) });
    const payee = await openAccount(stack, { clientId: await importClient(stack) });
    await fund(stack, payer.id, "10.00");
    const { direct, apollo, oneFetch, plainShape } = await both({
      query: CREATE_PAYMENT,
      variables: { input: paymentInput(payer.id, payee.id, "2.50"), key: randomUUID() },
    });
    expect(oneFetch).toBe(true);
    expect(plainShape).toBe(true);
    expect(direct).toEqual(apollo);
    expect(JSON.parse(direct.body).data.createPayment).toMatchObject({ amount: "2.50", status: "POSTED" });
  });

  it("When a one-subgraph query has aliases, a fragment, __typename, @skip and @include, then the one-fetch path shapes it as the executor does", async () => {
    const clientId = await importClient(stack, { externalId: `shape-${randomUUID()}` });
    const query = `query Shape($id: ID!, $with: Boolean!, $missing: ID! = "00000000-0000-4000-8000-000000000000") {
      c: client(id: $id) { __typename ...Names key: externalId @include(if: $with) id @skip(if: $with) }
      none: client(id: $missing) { id }
    }
    fragment Names on Client { who: id }`;
    for (const include of [true, false]) {
      const { direct, apollo, oneFetch, plainShape } = await both({
        query,
        variables: { id: clientId, with: include },
      });
      expect(oneFetch).toBe(true);
      expect(plainShape).toBe(false);
      expect(direct).toEqual(apollo);
      const { data } = JSON.parse(direct.body);
      expect(data.c).toEqual(
        include
          ? { __typename: "Client", who: clientId, key: expect.any(String) }
          : { __typename: "Client", who: clientId, id: clientId },
      );
    }
  });

  it.each([
    ["a subscription", { query: "subscription { transferStatusChanged { transferId } }" }],
    ["an unknown operation name", { query: "query A { availableCurrencies { code } }", operationName: "B" }],
    [
      "variables that do not coerce",
      { query: "query C($id: ID!) { client(id: $id) { id } }", variables: {} },
    ],
    ["introspection", { query: "{ __schema { queryType { name } } }" }],
  ])("When %s is sent, then Apollo Server answers it, as before", async (_name, body) => {
    const { direct, apollo, answeredDirectly } = await both(body);
    expect(answeredDirectly).toBe(false);
    expect(direct).toEqual(apollo);
    expect(direct.status).toBeGreaterThanOrEqual(200);
  });

  it("When a REST route runs its operation, then the direct path runs it, and found and not found keep their REST answers", async () => {
    const id = await importClient(stack, { externalId: `rest-${randomUUID()}` });
    result.mockClear();
    const found = await stack.rest("GET", `/internal/Clients/${id}`);
    const missing = await stack.rest("GET", `/internal/Clients/${randomUUID()}`);
    const taken = await Promise.all(result.mock.results.map((call) => call.value));
    expect(taken).toHaveLength(2);
    expect(taken.every((ran) => ran !== undefined)).toBe(true);
    expect(found.status).toBe(200);
    expect(found.body.value).toMatchObject({ id });
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].metadata.code).toBe("CLIENT_NOT_FOUND");
  });
});
