/**
 * Operation limits over real servers (issue 10, findings 4, 5 and 8): every attack of the
 * finding is refused at once with OPERATION_LIMIT_EXCEEDED while normal queries keep their
 * pace; suggestions and subgraph SDL stay out of reach outside development; subgraphs refuse
 * cost bombs sent to them directly, but not what the gateway sends for an allowed operation.
 */
import { createClient } from "graphql-ws";
import { parse } from "graphql";
import WebSocket from "ws";
import { mintToken } from "../../common/auth/tokens";
import { type Config, loadConfig } from "../../common/config";
import { operationCost } from "../../common/graphql/cost";
import type { LimitName } from "../../common/graphql/limits";
import type { RunningServer } from "../../common/graphql/serve-subgraph";
import { type GatewayServer, startGateway } from "../../gateway/server";
import { startClientSubgraph } from "../../subgraphs/client/server";
import { buildTransferSchema } from "../../subgraphs/transfer/schema";
import { type Attack, attacks, nestedJson } from "../helpers/attacks";
import { openAccount } from "../helpers/ledger";
import { committedApiSchema } from "../helpers/operations";
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
let clientId: string;
let clientToken: string;
const limits = loadConfig({}).operationLimits;

const MAX_OF: Record<LimitName, number> = {
  depth: limits.maxDepth,
  aliases: limits.maxAliases,
  tokens: limits.maxTokens,
  directives: limits.maxDirectives,
  cost: limits.maxCost,
  variableDepth: limits.maxVariableDepth,
};

const NORMAL = `query Normal($id: ID!) { client(id: $id) { firstName accounts { id number balance { available } } } }`;

beforeAll(async () => {
  stack = await startStack();
  clientId = await importClient(stack);
  clientToken = await stack.clientToken(clientId);
  // The finding's fan-out ran over a client with four accounts.
  for (let i = 0; i < 4; i++) await openAccount(stack, { clientId, name: `Account ${i}` });
});
afterAll(() => stack.stop());

interface Timed {
  status: number;
  body: any;
  ms: number;
}

/** POSTs a raw JSON body (JSON.stringify cannot write every attack) and times the answer. */
async function post(url: string, body: string, token: string | null = clientToken): Promise<Timed> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body,
  });
  const text = await response.text();
  return { status: response.status, body: JSON.parse(text), ms: performance.now() - started };
}

const bodyOf = (attack: Attack) =>
  `{"query":${JSON.stringify(attack.query)},"variables":${attack.variablesJson}}`;
const normal = () => post(stack.gateway.url, JSON.stringify({ query: NORMAL, variables: { id: clientId } }));

function expectNormalAnswer(answer: Timed): void {
  expect(answer.body.errors).toBeUndefined();
  expect(answer.status).toBe(200);
  expect(answer.body.data.client.accounts).toHaveLength(4);
}

describe("the attacks of the finding, at the gateway with a front-office token", () => {
  it.each(attacks("9d322407-0266-4106-803f-895b3575eb2d").map((attack) => [attack.name, attack] as const))(
    "When %s arrives, then it is refused within 100 ms with OPERATION_LIMIT_EXCEEDED while a normal query sent with it answers within 200 ms",
    async (_name, template) => {
      const attack = attacks(clientId).find((a) => a.name === template.name)!;
      expectNormalAnswer(await normal()); // warm
      // Times on a shared 2-core machine where other suites run alongside: one of five tries, a moment
      // apart, must meet them (a stall the attack causes fails all five).
      let [refused, answered] = await Promise.all([post(stack.gateway.url, bodyOf(attack)), normal()]);
      for (let retry = 0; retry < 4 && (refused.ms >= 100 || answered.ms >= 200); retry++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        [refused, answered] = await Promise.all([post(stack.gateway.url, bodyOf(attack)), normal()]);
      }
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].extensions).toEqual({
        code: "OPERATION_LIMIT_EXCEEDED",
        limit: attack.firstRefusedBy,
        max: MAX_OF[attack.firstRefusedBy],
        actual: attack.firstRefusedBy === "tokens" ? null : expect.any(Number),
        ...(attack.firstRefusedBy === "variableDepth" ? { field: expect.any(String) } : {}),
      });
      if (attack.firstRefusedBy !== "tokens") {
        expect(refused.body.errors[0].extensions.actual).toBeGreaterThan(MAX_OF[attack.firstRefusedBy]);
      }
      expect(refused.ms).toBeLessThan(100);
      expectNormalAnswer(answered);
      expect(answered.ms).toBeLessThan(200);
    },
  );

  // Seven attacks at once (megabytes of bodies) share this test process's one thread with the
  // gateway and the subgraphs: the bound is the per-attack 200 ms doubled for them.
  it("When every attack arrives at once, then each is refused and a normal query sent with them answers within 400 ms", async () => {
    expectNormalAnswer(await normal());
    const bodies = attacks(clientId).map(bodyOf); // built before the clock starts
    const all = () => Promise.all([normal(), ...bodies.map((body) => post(stack.gateway.url, body))]);
    let [answered, ...refused] = await all();
    for (let retry = 0; retry < 4 && answered.ms >= 400; retry++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      [answered, ...refused] = await all();
    }
    expect(refused.map((r) => r.body.errors[0].extensions.code)).toEqual(
      refused.map(() => "OPERATION_LIMIT_EXCEEDED"),
    );
    expectNormalAnswer(answered);
    expect(answered.ms).toBeLessThan(400);
  });

  it("When a 5,000-level metadata reaches a REST route, then it answers 400 OPERATION_LIMIT_EXCEEDED in its envelope", async () => {
    const response = await stack.rest("POST", "/internal/Payments", {
      rawBody: `{"debitAccountId":"${clientId}","creditAccountId":"${clientId}","amount":"1.00","description":"deep","metadata":${nestedJson(5000)}}`,
      headers: { "Idempotency-Key": "deep-metadata" },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].metadata).toMatchObject({
      code: "OPERATION_LIMIT_EXCEEDED",
      limit: "variableDepth",
      max: limits.maxVariableDepth,
      actual: 5001,
      field: "input",
    });
  });

  it("When an attack arrives without a token or with a bad one, then it is refused as unauthenticated, the limits not shown", async () => {
    const attack = attacks(clientId).find((a) => a.firstRefusedBy === "aliases")!;
    for (const token of [null, "not-a-token"]) {
      const refused = await post(stack.gateway.url, bodyOf(attack), token);
      expect(refused.status).toBe(401);
      expect(refused.body.errors.map((e: any) => e.extensions.code)).toEqual(["UNAUTHENTICATED"]);
    }
  });

  it("When an operation's extensions nest too deeply, then it is refused like a variable", async () => {
    const refused = await post(
      stack.gateway.url,
      `{"query":"{ __typename }","extensions":{"x":${nestedJson(100)}}}`,
    );
    expect(refused.status).toBe(400);
    expect(refused.body.errors[0].extensions).toMatchObject({
      limit: "variableDepth",
      actual: 100,
      field: "extensions.x",
    });
  });
});

describe("graphql-ws at the gateway", () => {
  function connect() {
    return createClient({
      url: stack.gateway.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${clientToken}` },
      retryAttempts: 0,
    });
  }

  /** What one operation on the socket ends with: its results, or the errors it was refused with. */
  function run(client: ReturnType<typeof connect>, query: string) {
    return new Promise<{ results: any[]; errors?: any[] }>((resolve) => {
      const results: any[] = [];
      client.subscribe(
        { query },
        {
          next: (result) => void results.push(result),
          error: (errors) => resolve({ results, errors: errors as any[] }),
          complete: () => resolve({ results }),
        },
      );
    });
  }

  it("When a subscription document is over a limit, then that subscription gets OPERATION_LIMIT_EXCEEDED and the socket serves on", async () => {
    const client = connect();
    try {
      const deep = `subscription { transferStatusChanged { transfer { account { client { accounts { client { accounts { client { accounts { client { accounts { id } } } } } } } } } } } }`;
      const refused = await run(client, deep);
      expect(refused.errors?.[0]).toMatchObject({
        extensions: { code: "OPERATION_LIMIT_EXCEEDED", limit: "depth", max: limits.maxDepth },
      });
      const manyTokens = await run(
        client,
        `subscription { transferStatusChanged { ${"transferId ".repeat(6000)} } }`,
      );
      expect(manyTokens.errors?.[0].extensions).toMatchObject({
        code: "OPERATION_LIMIT_EXCEEDED",
        limit: "tokens",
      });

      const query = await run(client, `{ client(id: "${clientId}") { firstName } }`);
      expect(query.results).toEqual([{ data: { client: { firstName: "Ann" } } }]);
    } finally {
      await client.dispose();
    }
  });

  it("When a subscription's selection costs too much, then it is refused when subscribed, and nothing is opened upstream", async () => {
    const owner = await importClient(stack);
    const token = await stack.clientToken(owner);
    const client = createClient({
      url: stack.gateway.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    try {
      const upstreamBefore = stack.gateway.subscriptions.stats().upstreamSubscriptions;
      const refused = await new Promise<any>((resolve) => {
        client.subscribe(
          {
            query: `subscription { transferStatusChanged {
              sequence transfer { client { accounts { transfers(first: 100) { nodes { statusHistory { sequence } } } } } }
            } }`,
          },
          { next: resolve, error: resolve, complete: () => resolve("completed") },
        );
      });
      const errors = Array.isArray(refused) ? refused : refused.errors;
      expect(errors[0].extensions).toMatchObject({
        code: "OPERATION_LIMIT_EXCEEDED",
        limit: "cost",
        max: limits.maxCost,
      });
      expect(stack.gateway.subscriptions.stats().upstreamSubscriptions).toBe(upstreamBefore);
    } finally {
      await client.dispose();
    }
  });

  it("When a query over the socket costs too much, then it is refused with OPERATION_LIMIT_EXCEEDED", async () => {
    const client = connect();
    try {
      const [costly] = attacks(clientId).filter((attack) => attack.firstRefusedBy === "cost");
      const refused = await run(client, costly.query);
      const errors = refused.errors ?? refused.results[0]?.errors;
      expect(errors[0].extensions).toMatchObject({ code: "OPERATION_LIMIT_EXCEEDED", limit: "cost" });
    } finally {
      await client.dispose();
    }
  });
});

describe("subgraphs called directly", () => {
  const subgraphUrls = () => [stack.client.url, stack.ledger.url, stack.transfer.url];

  it("When a front-office token asks a subgraph for _service { sdl }, then it is FORBIDDEN; a system token gets it", async () => {
    for (const url of subgraphUrls()) {
      const refused = await stack.graphql(`{ _service { sdl } }`, {}, { token: clientToken, url });
      expect(refused.data).toBeNull();
      expect(refused.errors![0].extensions!.code).toBe("FORBIDDEN");
      const allowed = await stack.graphql(`{ _service { sdl } }`, {}, { url });
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data!._service.sdl).toContain("type Query");
    }
  });

  it("When a cost bomb is sent straight to a subgraph, then it refuses it with OPERATION_LIMIT_EXCEEDED", async () => {
    const representations = Array.from({ length: 2000 }, () => ({ __typename: "Client", id: clientId }));
    const entities = await stack.graphql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Client { accounts { balance { available } } } } }`,
      { r: representations },
      { token: clientToken, url: stack.ledger.url },
    );
    expect(entities.status).toBe(400);
    expect(entities.errors![0].extensions).toMatchObject({ code: "OPERATION_LIMIT_EXCEEDED", limit: "cost" });

    const pages = Array.from(
      { length: 30 },
      (_, i) => `t${i}: transfers(first: 100) { nodes { id statusHistory { sequence } } }`,
    );
    const aliased = await stack.graphql(
      `{ ${pages.join(" ")} }`,
      {},
      { token: clientToken, url: stack.transfer.url },
    );
    expect(aliased.status).toBe(400);
    expect(aliased.errors![0].extensions).toMatchObject({ code: "OPERATION_LIMIT_EXCEEDED", limit: "cost" });

    // The transfer subgraph's own graphql-ws endpoint refuses it too.
    const ws = createClient({
      url: stack.transfer.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${clientToken}` },
      retryAttempts: 0,
    });
    try {
      const errors = await new Promise<any[]>((resolve) => {
        ws.subscribe(
          { query: `{ ${pages.join(" ")} }` },
          { next: () => undefined, error: (e) => resolve(e as any[]), complete: () => resolve([]) },
        );
      });
      expect(errors[0].extensions).toMatchObject({ code: "OPERATION_LIMIT_EXCEEDED", limit: "cost" });
    } finally {
      await ws.dispose();
    }
  });

  it("When an allowed front-office query fans out over more accounts than the gateway's estimate, then the subgraphs' entity fetches still pass", async () => {
    const owner = await importClient(stack);
    for (let i = 0; i < 25; i++) await openAccount(stack, { clientId: owner, name: `Pocket ${i}` });
    const query = `query Pockets($id: ID!) {
      client(id: $id) { accounts { id balance { available } transfers(first: 11) { nodes { id statusHistory { sequence } } } } }
    }`;
    // Allowed at the gateway (a list without a size counts as 20 accounts)...
    const gatewayCost = operationCost({
      schema: await committedApiSchema(),
      document: parse(query),
      variables: { id: owner },
    });
    expect(gatewayCost).toBeLessThanOrEqual(limits.maxCost);
    // ...while the transfer subgraph's fetch, sized by its 25 representations, costs more than that budget.
    const fetch = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { transfers(first: 11) { nodes { id statusHistory { sequence } } } } } }`;
    const fetchCost = operationCost({
      schema: await buildTransferSchema(),
      document: parse(fetch),
      variables: { r: Array.from({ length: 25 }, (_, i) => ({ __typename: "Account", id: String(i) })) },
    });
    expect(fetchCost).toBeGreaterThan(limits.maxCost);

    const result = await stack.graphql(query, { id: owner }, { token: await stack.clientToken(owner) });
    expect(result.errors).toBeUndefined();
    expect(result.data!.client.accounts).toHaveLength(25);
    expect(result.data!.client.accounts[24].transfers).toEqual({ nodes: [] });
  });
});

describe("suggestions", () => {
  const PRODUCTION_SECRET = "limits-test-production-secret";
  let production: Config;
  let gateway: GatewayServer;
  let clientSubgraph: RunningServer;
  let productionToken: string;

  beforeAll(async () => {
    production = loadConfig({
      NODE_ENV: "production",
      JWT_SECRET: PRODUCTION_SECRET,
      HOST: "127.0.0.1",
      PORT: "0",
      CLIENT_SUBGRAPH_PORT: "0",
      LOG_LEVEL: "silent",
    });
    clientSubgraph = await startClientSubgraph(production, stack.databaseUrl);
    // Only validation is asked of it: the subgraphs behind it are the development stack's.
    gateway = await startGateway(production, {
      subgraphUrls: { client: clientSubgraph.url, ledger: stack.ledger.url, transfer: stack.transfer.url },
    });
    productionToken = await mintToken(production.auth, { kind: "system", subject: "test-production" });
  });
  afterAll(async () => {
    await gateway.stop();
    await clientSubgraph.stop();
  });

  const TYPO = `{ clientz { id } }`;
  const ENUM_TYPO = `query($s: ClientStatus) { clients(filter: { status: $s }) { totalCount } }`;

  it("When a field is misspelt over HTTP, then development suggests the right one and production does not", async () => {
    const developed = await stack.graphql(TYPO);
    expect(developed.errors![0].message).toBe(
      `Cannot query field "clientz" on type "Query". Did you mean "client" or "clients"?`,
    );
    const produced = await stack.graphql(TYPO, {}, { token: productionToken, url: gateway.url });
    expect(produced.status).toBe(400);
    expect(produced.errors![0].message).toBe(`Cannot query field "clientz" on type "Query".`);

    const developedEnum = await stack.graphql(ENUM_TYPO, { s: "ACTIV" });
    expect(developedEnum.errors![0].message).toContain("Did you mean");
    const producedEnum = await stack.graphql(
      ENUM_TYPO,
      { s: "ACTIV" },
      { token: productionToken, url: gateway.url },
    );
    expect(producedEnum.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
    expect(producedEnum.errors![0].message).not.toContain("Did you mean");
  });

  it("When a field is misspelt in a subscription over graphql-ws, then only development suggests", async () => {
    const firstError = async (url: string, token: string) => {
      const client = createClient({
        url: url.replace(/^http/, "ws"),
        webSocketImpl: WebSocket,
        connectionParams: { authorization: `Bearer ${token}` },
        retryAttempts: 0,
      });
      try {
        return await new Promise<any>((resolve) => {
          client.subscribe(
            { query: `subscription { transferStatusChanged { transferIdd } }` },
            {
              next: () => undefined,
              error: (e) => resolve((e as any[])[0]),
              complete: () => resolve(undefined),
            },
          );
        });
      } finally {
        await client.dispose();
      }
    };
    expect((await firstError(stack.gateway.url, stack.systemToken)).message).toContain(
      'Did you mean "transferId"',
    );
    const produced = await firstError(gateway.url, productionToken);
    expect(produced.extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
    expect(produced.message).toBe(`Cannot query field "transferIdd" on type "TransferStatusEvent".`);
  });

  it("When a field is misspelt at a subgraph directly, then only development suggests", async () => {
    const developed = await stack.graphql(TYPO, {}, { url: stack.client.url });
    expect(developed.errors![0].message).toContain("Did you mean");
    const produced = await stack.graphql(TYPO, {}, { token: productionToken, url: clientSubgraph.url });
    expect(produced.errors![0].message).toBe(`Cannot query field "clientz" on type "Query".`);
  });
});
