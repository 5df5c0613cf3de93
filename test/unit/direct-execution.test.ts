/**
 * The subgraphs' direct path (common/graphql/direct-execution.ts, decision 0042) answers as
 * Apollo Server does. One real server (`serveSubgraph`, a small schema, no database): each request
 * is sent as is, which the direct path takes, and again with `"extensions": {}`, which it leaves
 * to Apollo Server; status, content type and body must be the same.
 */
import { randomUUID } from "node:crypto";
import { buildSchema, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import { TokenVerifier, mintToken } from "../../common/auth/tokens";
import { AppError } from "../../common/errors";
import { DirectExecution, graphqlEngine, variablesCoerce } from "../../common/graphql/direct-execution";
import { toGraphQLError } from "../../common/graphql/errors";
import { OperationLimits, subgraphLimits } from "../../common/graphql/limits";
import { type RunningServer, serveSubgraph } from "../../common/graphql/serve-subgraph";
import { ServiceMetrics } from "../../common/ops/metrics";
import { requestScopesOpen, withRequestScope } from "../../common/request-id";
import { captureLogs } from "../helpers/ops";
import { testConfig } from "../helpers/stack";

const SDL = `
  enum Colour { RED GREEN }
  type Item { id: ID! name: String! secret: String }
  type Query {
    item(id: ID!): Item
    items(first: Int = 2): [Item!]!
    colour(colour: Colour!): Colour!
    forbidden: Int
  }
  type Mutation { bump(by: Int!): Int! }
`;

let bumps = 0;

/** The SDL with resolvers: a refusal with our code, an unexpected fault, one that sets a status. */
function testSchema(): GraphQLSchema {
  const schema = buildSchema(SDL);
  const resolve = (type: string, field: string, resolver: GraphQLFieldResolver<unknown, unknown>) => {
    (schema.getType(type) as unknown as { getFields(): Record<string, { resolve?: unknown }> }).getFields()[
      field
    ]!.resolve = resolver;
  };
  const item = (id: string) => ({ id, name: `item ${id}` });
  resolve("Query", "item", (_, { id }) => {
    if (id === "missing") throw new AppError("NOT_FOUND", `No item ${id}`);
    return item(id);
  });
  resolve("Query", "items", (_, { first }) =>
    Array.from({ length: first }, (_, index) => item(String(index))),
  );
  resolve("Query", "colour", (_, { colour }) => colour);
  resolve("Query", "forbidden", () => {
    throw toGraphQLError(new AppError("FORBIDDEN", "Not for you"));
  });
  resolve("Item", "secret", () => {
    throw new Error("database password is hunter2");
  });
  resolve("Mutation", "bump", (_, { by }) => (bumps += by));
  return schema;
}

const config = testConfig();
let server: RunningServer;
let token: string;
const run = jest.spyOn(DirectExecution.prototype, "run");

beforeAll(async () => {
  token = await mintToken(config.auth, { kind: "system", subject: "direct-test" });
  server = await serveSubgraph({
    schema: testSchema(),
    host: "127.0.0.1",
    port: 0,
    http: config.http,
    ops: config.ops,
    verifier: new TokenVerifier(config.auth),
    createContext: (base) => base,
    metrics: new ServiceMetrics("direct_test"),
    readiness: {},
    limits: new OperationLimits(subgraphLimits(config.operationLimits), true),
    hideSchemaDetails: true,
  });
});

afterAll(async () => {
  await server.stop();
});

async function post(body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    length: response.headers.get("content-length"),
    body: await response.text(),
  };
}

/** The answer of the direct path and of Apollo Server to `body`, and whether the direct path answered. */
async function both(body: Record<string, unknown>) {
  run.mockClear();
  const direct = await post(body);
  const answeredDirectly = (await run.mock.results[0]?.value) !== undefined;
  const apollo = await post({ ...body, extensions: {} });
  return { direct, apollo, answeredDirectly };
}

/** The request scope the direct path is given (its errors are logged with it). */
const scope = { service: "test", requestId: "direct-test", startedAt: 0 };

describe("the direct path", () => {
  it.each([
    ["a query", { query: "{ items(first: 3) { id name } }" }],
    [
      "a query with variables",
      { query: "query One($id: ID!) { item(id: $id) { id name } }", variables: { id: "7" } },
    ],
    ["a refusal with our code", { query: 'query { item(id: "missing") { id } }' }],
    ["an unexpected fault, masked", { query: "{ items { id secret } }" }],
    ["a refusal with a status", { query: "{ forbidden items { id } }" }],
    [
      "a chosen operation",
      { query: 'query A { items { id } } query B { item(id: "2") { name } }', operationName: "B" },
    ],
  ])("When %s is sent, then the direct path answers it as Apollo Server does", async (_name, body) => {
    const { direct, apollo, answeredDirectly } = await both(body);
    expect(answeredDirectly).toBe(true);
    expect(direct).toEqual(apollo);
    expect(direct.type).toBe("application/json; charset=utf-8");
  });

  it("When an error carries an HTTP status, then the answer has it, its data and no `http` extension", async () => {
    const { direct } = await both({ query: "{ forbidden items(first: 1) { id } }" });
    expect(direct.status).toBe(403);
    const body = JSON.parse(direct.body);
    expect(body.data).toEqual({ forbidden: null, items: [{ id: "0" }] });
    expect(body.errors[0].extensions).toEqual({ code: "FORBIDDEN" });
  });

  it("When the answer is read, then it has the values that matter (data, codes, masking)", async () => {
    const { direct } = await both({ query: '{ item(id: "missing") { id } items(first: 1) { id secret } }' });
    expect(direct.status).toBe(200);
    const body = JSON.parse(direct.body);
    expect(body.data).toEqual({ item: null, items: [{ id: "0", secret: null }] });
    expect(
      body.errors.map((error: { extensions: { code: string } }) => error.extensions.code).sort(),
    ).toEqual(["INTERNAL_SERVER_ERROR", "NOT_FOUND"]);
    expect(direct.body).not.toContain("hunter2");
  });

  it.each([
    [
      "variables that do not coerce",
      { query: "query One($id: ID!) { item(id: $id) { id } }", variables: {} },
    ],
    ["an unknown field", { query: "{ items { id colour } }" }],
    ["an unknown enum value (suggestions hidden)", { query: "{ colour(colour: REED) }" }],
    ["an unknown operation name", { query: "query A { items { id } }", operationName: "B" }],
    ["introspection", { query: "{ __schema { queryType { name } } }" }],
    ["a syntax error", { query: "{ items { id " }],
  ])("When %s is sent, then Apollo Server answers it, as before", async (_name, body) => {
    const { direct, apollo, answeredDirectly } = await both(body);
    expect(answeredDirectly).toBe(false);
    expect(direct).toEqual(apollo);
  });

  it("When a variable's enum value is wrong, then its suggestion is hidden on both paths", async () => {
    const { direct, apollo } = await both({
      query: "query C($colour: Colour!) { colour(colour: $colour) }",
      variables: { colour: "REED" },
    });
    expect(direct).toEqual(apollo);
    expect(direct.status).toBe(400);
    expect(direct.body).not.toContain("Did you mean");
  });

  it("When a mutation is sent, then it runs once per request on either path", async () => {
    const before = bumps;
    const { direct, apollo, answeredDirectly } = await both({
      query: "mutation Bump($by: Int!) { bump(by: $by) }",
      variables: { by: 5 },
    });
    expect(answeredDirectly).toBe(true);
    expect(bumps).toBe(before + 10);
    expect(JSON.parse(direct.body).data.bump).toBe(before + 5);
    expect(JSON.parse(apollo.body).data.bump).toBe(before + 10);
    // Variables that do not coerce: handed over before anything ran, and Apollo runs nothing either.
    await both({ query: "mutation Bump($by: Int!) { bump(by: $by) }", variables: { by: "five" } });
    expect(bumps).toBe(before + 10);
  });

  it.each([
    ["application/graphql-response+json", "application/graphql-response+json"],
    ["application/json;q=0, */*", "application/graphql-response+json"],
    ["application/json; charset=iso-8859-1", null],
  ])("When the caller accepts %s, then Apollo Server negotiates it", async (accept, type) => {
    run.mockClear();
    const answer = await post({ query: "{ items { id } }" }, { accept });
    expect(await run.mock.results[0]?.value).toBeUndefined();
    if (type) expect(answer.type).toContain(type);
    else expect(answer.status).toBe(406);
  });
});

describe("an engine's result without data", () => {
  it("When graphql-js's engine gets variables that do not coerce, then it answers undefined having run nothing, and coerces them once when they do", async () => {
    const schema = testSchema();
    const direct = new DirectExecution(
      graphqlEngine(schema),
      new OperationLimits(subgraphLimits(testConfig().operationLimits), true),
    );
    const caller = { kind: "system", subject: "ops" } as const;
    const query = "mutation Bump($by: Int!) { bump(by: $by) }";
    const before = bumps;
    expect(
      await direct.run({ query, variables: { by: "one" } }, undefined, caller, {}, scope),
    ).toBeUndefined();
    expect(await direct.run({ query, variables: {} }, undefined, caller, {}, scope)).toBeUndefined();
    expect(bumps).toBe(before);
    const answer = await direct.run({ query, variables: { by: 2 } }, undefined, caller, {}, scope);
    expect(JSON.parse(answer!.body)).toEqual({ data: { bump: before + 2 } });
  });

  it("When the variables coerce and the engine then answers errors only (it may have run a mutation), then that is the answer: nothing is handed to Apollo Server to run again", async () => {
    const schema = testSchema();
    let executions = 0;
    const direct = new DirectExecution(
      {
        schema: () => schema,
        // As the gateway's engine: another executor than graphql-js, so it checks the variables first.
        execute: async (request) => {
          if (!variablesCoerce(schema, request)) return undefined;
          executions++;
          return { errors: [toGraphQLError(new AppError("FORBIDDEN", "after the fetches"))] };
        },
      },
      new OperationLimits(subgraphLimits(testConfig().operationLimits), true),
    );
    const caller = { kind: "system", subject: "ops" } as const;
    const mutation = { query: "mutation Bump($by: Int!) { bump(by: $by) }", variables: { by: 1 } };
    const answer = await direct.run(mutation, undefined, caller, {}, scope);
    expect(executions).toBe(1);
    expect(answer).toBeDefined();
    expect(JSON.parse(answer!.body)).toEqual({
      errors: [expect.objectContaining({ extensions: expect.objectContaining({ code: "FORBIDDEN" }) })],
    });
    // Variables that do not coerce: handed over, nothing run.
    expect(
      await direct.run({ ...mutation, variables: { by: "one" } }, undefined, caller, {}, scope),
    ).toBeUndefined();
    expect(executions).toBe(1);
  });
});

describe("the direct path's request scope (decision 0071)", () => {
  it("When a request on the direct path meets an unexpected fault, then the lines that log it carry the request's service and id, as Apollo Server's do, and no request scope stays open (Node's promise hooks on) once it is answered", async () => {
    expect(withRequestScope(scope, requestScopesOpen)).toBe(true);
    expect(requestScopesOpen()).toBe(false);
    const capture = captureLogs();
    try {
      for (const extensions of [undefined, {}]) {
        const sent = `direct-${randomUUID()}`;
        run.mockClear();
        const answer = await post({ query: "{ items { id secret } }", extensions }, { "x-request-id": sent });
        expect(answer.status).toBe(200);
        // Run by the direct path without extensions, by Apollo Server with them.
        expect((await run.mock.results[0]?.value) !== undefined).toBe(extensions === undefined);
        const faults = capture.lines.filter((line) => line.msg === "unexpected error");
        expect(faults).toHaveLength(2); // the secret of each of the two items
        for (const line of faults) expect(line).toMatchObject({ service: "direct_test", requestId: sent });
        capture.lines.length = 0;
        expect(requestScopesOpen()).toBe(false);
      }
    } finally {
      capture.stop();
    }
  });
});
