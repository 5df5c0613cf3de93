/**
 * The operation limits (common/graphql/limits.ts) against the committed supergraph, without
 * servers: the project's own operations pass them with room to spare, and each attack of the
 * finding is refused by the limit meant for it (the gateway's tests show which fires first
 * under the defaults, over HTTP).
 */
import { type GraphQLSchema, parse } from "graphql";
import { loadConfig, type OperationLimitsConfig } from "../../common/config";
import { costShape, operationCost } from "../../common/graphql/cost";
import {
  nestingDepth,
  OperationLimits,
  subgraphLimits,
  SUBGRAPH_HEADROOM,
} from "../../common/graphql/limits";
import { MAX_PAGE_SIZE } from "../../common/graphql/page-size";
import { buildLedgerSchema } from "../../subgraphs/ledger/schema";
import { committedApiSchema, knownOperations, sampleVariables } from "../helpers/operations";
import { attacks } from "../helpers/attacks";

const defaults = loadConfig({}).operationLimits;
let schema: GraphQLSchema;

beforeAll(async () => {
  schema = await committedApiSchema();
});

/** Every count the limits take of `query`, measured with each limit lifted. */
function measure(query: string, variables: Record<string, unknown>) {
  const counted: Record<string, number> = {};
  const limits = new OperationLimits({ ...defaults, maxDepth: -1, maxAliases: -1, maxDirectives: -1 }, false);
  const checked = limits.parseAndValidate(schema, query);
  if (!("errors" in checked)) throw new Error("every count is over -1");
  for (const error of checked.errors) {
    const { limit, actual } = (error.originalError as { details?: Record<string, unknown> }).details ?? {};
    if (typeof limit === "string") counted[limit] = Number(actual);
    else throw new Error(`${query.slice(0, 60)}... is invalid: ${error.message}`);
  }
  return {
    depth: counted.depth ?? 0,
    aliases: counted.aliases ?? 0,
    directives: counted.directives ?? 0,
    cost: operationCost({ schema, document: parse(query), variables }),
  };
}

describe("the project's own operations", () => {
  it.each(knownOperations().map((operation) => [operation.name, operation] as const))(
    "When %s is checked against the default limits, then it passes with at least half of each to spare",
    (_name, operation) => {
      const limits = new OperationLimits(defaults, true);
      const checked = limits.parseAndValidate(schema, operation.query);
      expect("errors" in checked ? checked.errors.map((e) => e.message) : []).toEqual([]);
      const variables = { ...sampleVariables(schema, operation.query), ...operation.variables };
      const caller =
        operation.caller === "system"
          ? ({ kind: "system", subject: "test" } as const)
          : ({ kind: "client", subject: "test", clientId: "9d322407-0266-4106-803f-895b3575eb2d" } as const);
      const document = "document" in checked ? checked.document : parse(operation.query);
      expect(limits.check({ schema, document, variables, caller })).toBeUndefined();

      // Not vacuous: the variables fit the operation, so the cost was counted.
      const counted = measure(operation.query, variables);
      const budget = operation.caller === "system" ? defaults.maxCostSystem : defaults.maxCost;
      expect(counted.cost).toBeLessThanOrEqual(budget / 2);
      expect(counted.depth).toBeLessThanOrEqual(defaults.maxDepth / 2);
      expect(counted.aliases).toBeLessThanOrEqual(defaults.maxAliases / 2);
      expect(counted.directives).toBeLessThanOrEqual(defaults.maxDirectives / 2);
      const tokens = new OperationLimits({ ...defaults, maxTokens: defaults.maxTokens / 2 }, false);
      expect(() => parse(operation.query, tokens.parseOptions)).not.toThrow();
    },
  );
});

describe("the attacks of the finding", () => {
  const clientId = "9d322407-0266-4106-803f-895b3575eb2d";
  const client = { kind: "client", subject: "test", clientId } as const;
  /** Every limit but `limit` lifted, so the one limit is seen refusing on its own. */
  const only = (limit: keyof OperationLimitsConfig): OperationLimitsConfig => ({
    enabled: true,
    maxDepth: 1_000,
    maxAliases: 1_000_000,
    maxDirectives: 1_000_000,
    maxTokens: 100_000_000,
    maxCost: 1e15,
    maxCostSystem: 1e15,
    maxVariableDepth: 1_000_000,
    [limit]: defaults[limit],
  });

  it.each(attacks(clientId).map((attack) => [attack.name, attack] as const))(
    "When %s meets only the limit meant for it, then that limit refuses it",
    (_name, attack) => {
      const limits = new OperationLimits(only(attack.meantFor), false);
      const checked = limits.parseAndValidate(schema, attack.query);
      const refusal =
        "errors" in checked
          ? checked.errors[0].originalError
          : limits.check({ schema, document: checked.document, variables: attack.variables, caller: client });
      expect(refusal).toMatchObject({
        code: "OPERATION_LIMIT_EXCEEDED",
        details: { limit: attack.limit },
      });
    },
  );

  // What the text alone shows is refused before Apollo Server validates (a whole validation of a
  // 200-alias document costs tens of ms); cost and variables wait for the resolved operation.
  it.each(attacks(clientId).map((attack) => [attack.name, attack] as const))(
    "When %s is read before validation with the default limits, then the limits of its text refuse it there and no others",
    (_name, attack) => {
      const limits = new OperationLimits(defaults, false);
      const refusals = limits.refuseEarly(schema, { query: attack.query, variables: attack.variables });
      if (["cost", "variableDepth"].includes(attack.firstRefusedBy)) {
        expect(refusals).toBeUndefined();
      } else {
        expect(refusals?.map((error) => (error.originalError as { details?: unknown }).details)).toEqual([
          expect.objectContaining({ limit: attack.firstRefusedBy }),
        ]);
      }
    },
  );

  it("When a document within the limits, a syntax error or a persisted query's hash is read before validation, then nothing is refused there", () => {
    const limits = new OperationLimits(defaults, false);
    for (const operation of knownOperations()) {
      expect(limits.refuseEarly(schema, { query: operation.query })).toBeUndefined();
      expect(limits.refuseEarly(schema, { query: operation.query })).toBeUndefined(); // remembered
    }
    expect(limits.refuseEarly(schema, { query: "{ clients(first: 1) { nodes { id }" })).toBeUndefined();
    expect(
      limits.refuseEarly(schema, { extensions: { persistedQuery: { sha256Hash: "ab" } } }),
    ).toBeUndefined();
    expect(limits.refuseEarly(schema, null)).toBeUndefined();
  });
});

describe("the cost model", () => {
  const cost = (query: string, variables: Record<string, unknown> = {}) =>
    operationCost({ schema, document: parse(query), variables });

  it("When a page asks for first: 100, then it costs 100 times first: 1, and a variable counts as its value", () => {
    const page = (first: number) => `{ transfers(first: ${first}) { nodes { id account { id } } } }`;
    expect(cost(page(100))).toBe(100 * cost(page(1)));
    expect(cost(`query($n: Int) { transfers(first: $n) { nodes { id } } }`, { n: MAX_PAGE_SIZE })).toBe(
      cost(`{ transfers(first: ${MAX_PAGE_SIZE}) { nodes { id } } }`),
    );
  });

  it("When one document comes again with other page sizes, then each is costed as itself; strings do not matter", () => {
    const limits = new OperationLimits({ ...defaults, maxCost: 1_000 }, false);
    const document = parse(
      `query($n: Int, $kind: String) { transfers(first: $n) { nodes { id reference } } }`,
    );
    const check = (variables: Record<string, unknown>) =>
      limits.check({ schema, document, variables, caller: { kind: "client", subject: "u", clientId: "c" } });
    expect(check({ n: 10, kind: "a" })).toBeUndefined();
    expect(check({ n: 100, kind: "a" })).toBeUndefined();
    expect(check({ n: 10_000, kind: "a" })?.details).toMatchObject({ limit: "cost", actual: 20_000 });
    expect(check({ n: 10, kind: "b" })).toBeUndefined(); // remembered: the same shape
    expect(costShape({ n: 10, kind: "b", list: [1, 2, 3], nested: { on: true } })).toBe(
      "{n:10,kind:,list:[3],nested:{on:true}}",
    );
  });

  it("When lists nest, then their sizes multiply, a list without a size counting as a default page", () => {
    const oneHop = cost(`{ client(id: "x") { accounts { id } } }`);
    const twoHops = cost(`{ client(id: "x") { accounts { client { accounts { id } } } } }`);
    expect(oneHop).toBe(1 + 20);
    expect(twoHops).toBeGreaterThan(20 * oneHop);
  });

  it("When fragments spread fragments exponentially, then costing stops early and refuses the operation", () => {
    const fragments = Array.from(
      { length: 30 },
      (_, i) => `fragment F${i + 1} on Query { ...F${i} ...F${i} }`,
    ).join("\n");
    const query = `{ ...F30 }\nfragment F0 on Query { __typename }\n${fragments}`;
    const limits = new OperationLimits(defaults, false);
    const checked = limits.parseAndValidate(schema, query);
    if ("errors" in checked) throw new Error(checked.errors[0].message);
    const started = performance.now();
    const refusal = limits.check({ schema, document: checked.document });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(refusal).toMatchObject({ details: { limit: "cost", max: defaults.maxCost, actual: null } });
  });

  it("When a subgraph is asked for entities, then the cost grows with the representations", async () => {
    const ledger = await buildLedgerSchema();
    const query = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Client { accounts { id } } } }`;
    const entities = (n: number) =>
      operationCost({
        schema: ledger,
        document: parse(query),
        variables: { r: Array.from({ length: n }, (_, i) => ({ __typename: "Client", id: `c${i}` })) },
      });
    expect(entities(100)).toBe(100 * entities(1));
  });
});

describe("variables", () => {
  it("When a value nests a million levels deep, then its depth is counted without overflowing the stack", () => {
    let deep: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) deep = i % 2 ? { a: deep } : [deep];
    expect(nestingDepth(deep)).toBe(1_000_000);
    expect(nestingDepth({ a: [1, { b: 2 }], c: "x" })).toBe(3);
    expect(nestingDepth("scalar")).toBe(0);
  });
});

describe("configuration of the limits", () => {
  const production = { NODE_ENV: "production", JWT_SECRET: "a-production-secret" };

  it("When nothing is set, then the documented defaults apply, and subgraphs allow headroom for counts only", () => {
    expect(defaults).toEqual({
      enabled: true,
      maxDepth: 10,
      maxAliases: 30,
      maxDirectives: 50,
      maxTokens: 5_000,
      maxCost: 5_000,
      maxCostSystem: 50_000,
      maxVariableDepth: 20,
    });
    expect(subgraphLimits(defaults)).toEqual({
      ...defaults,
      maxAliases: 30 * SUBGRAPH_HEADROOM,
      maxDirectives: 50 * SUBGRAPH_HEADROOM,
      maxTokens: 5_000 * SUBGRAPH_HEADROOM,
      maxCost: 5_000 * SUBGRAPH_HEADROOM,
      maxCostSystem: 50_000 * SUBGRAPH_HEADROOM,
    });
    expect(loadConfig({ GRAPHQL_MAX_COST: "100", GRAPHQL_MAX_DEPTH: "3" }).operationLimits).toMatchObject({
      maxCost: 100,
      maxDepth: 3,
    });
    expect(() => loadConfig({ GRAPHQL_MAX_TOKENS: "lots" })).toThrow("GRAPHQL_MAX_TOKENS must be an integer");
  });

  it("When GRAPHQL_LIMITS is off, then nothing is limited", () => {
    const off = new OperationLimits(loadConfig({ GRAPHQL_LIMITS: "off" }).operationLimits, false);
    expect(off.parseOptions).toEqual({});
    expect(off.validationRules).toEqual([]);
    const [deepest] = attacks("x").filter((attack) => attack.limit === "variableDepth");
    expect(
      off.check({ schema, document: parse(deepest.query), variables: deepest.variables }),
    ).toBeUndefined();
  });

  it("When running in production or with introspection off, then suggestions are hidden; otherwise shown", () => {
    expect(loadConfig({}).hideSchemaDetails).toBe(false);
    expect(loadConfig({ INTROSPECTION: "off" }).hideSchemaDetails).toBe(true);
    expect(loadConfig(production).hideSchemaDetails).toBe(true);
    expect(loadConfig({ ...production, INTROSPECTION: "on" }).hideSchemaDetails).toBe(true);
  });

  it("When suggestions are hidden, then a graphql-ws document's validation errors carry none", () => {
    const query = `{ clientz { id } }`;
    const errors = (hide: boolean) => {
      const checked = new OperationLimits(defaults, hide).parseAndValidate(schema, query);
      return "errors" in checked ? checked.errors.map((e) => e.message) : [];
    };
    expect(errors(false)).toEqual([
      `Cannot query field "clientz" on type "Query". Did you mean "client" or "clients"?`,
    ]);
    expect(errors(true)).toEqual([`Cannot query field "clientz" on type "Query".`]);
  });
});
