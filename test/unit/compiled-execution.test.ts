/**
 * The subgraphs' direct path runs known queries compiled by graphql-jit
 * (common/graphql/compiled-engine.ts, decision 0044) and must answer word for word as Apollo
 * Server (graphql-js) does. One real server over a small federated type-graphql schema (no
 * database): each request is sent three times as is (graphql-js, then compiled, then compiled
 * again) and once with `"extensions": {}`, which Apollo Server answers; status, content type and
 * body must be the same, and the direct path's executor is read from `/metrics`'s counter.
 */
import "reflect-metadata";
import { GraphQLJSONObject } from "graphql-scalars";
import {
  Arg,
  createUnionType,
  Directive,
  Field,
  FieldResolver,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  registerEnumType,
  Resolver,
  Root,
  UseMiddleware,
} from "type-graphql";
import { TokenVerifier, mintToken } from "../../common/auth/tokens";
import { AppError } from "../../common/errors";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { DirectExecution } from "../../common/graphql/direct-execution";
import { OperationLimits, subgraphLimits } from "../../common/graphql/limits";
import { type RunningServer, serveSubgraph } from "../../common/graphql/serve-subgraph";
import { SystemOnly } from "../../common/graphql/system-only";
import { ServiceMetrics } from "../../common/ops/metrics";
import { testConfig } from "../helpers/stack";

/** Internal values other than the names: the compiled query must serialise them as graphql-js does. */
enum Shade {
  LIGHT = "light",
  DARK = "dark",
}
registerEnumType(Shade, { name: "Shade" });

@ObjectType()
class Part {
  @Field()
  label!: string;

  @Field(() => Int, { nullable: true })
  weight!: number | null;

  /** Non-null, and failing for glass: the null bubbles to the nearest nullable place. */
  @Field(() => String)
  get fragile(): string {
    if (this.label === "glass") throw new AppError("BAD_USER_INPUT", "Glass breaks");
    return "no";
  }
}

@Directive('@key(fields: "id")')
@ObjectType()
class Gadget {
  @Field(() => ID)
  id!: string;

  @Field()
  name!: string;

  @Field(() => Shade)
  shade!: Shade;

  @Field()
  made!: Date;

  @Field(() => String, { nullable: true })
  @UseMiddleware(SystemOnly)
  secret!: string | null;

  @Field(() => GraphQLJSONObject)
  facts!: Record<string, unknown>;

  @Field(() => [Part])
  parts!: Part[];
}

const part = (label: string, weight: number | null) => Object.assign(new Part(), { label, weight });
const gadget = (id: string, shade: Shade, parts: Part[]) =>
  Object.assign(new Gadget(), {
    id,
    name: `gadget ${id}`,
    shade,
    made: new Date(Date.UTC(2024, 0, Number(id.slice(1)) || 1)),
    secret: `secret of ${id}`,
    facts: { id, nested: { list: [1, "two", null] } },
    parts,
  });
const GADGETS = [
  gadget("g1", Shade.LIGHT, [part("steel", 3), part("wood", null)]),
  gadget("g2", Shade.DARK, []),
  gadget("g3", Shade.DARK, [part("glass", 1)]),
  gadget("bad", Shade.LIGHT, []),
];

@InputType()
class GadgetFilter {
  @Field(() => Shade, { nullable: true })
  shade?: Shade;

  @Field(() => Int, { nullable: true, defaultValue: 10 })
  take?: number;
}

/** A non-null field with a default: graphql-jit refuses a variable that leaves it out. */
@InputType()
class StrictFilter {
  @Field(() => Int, { defaultValue: 1 })
  take!: number;
}

/** type-graphql makes its resolveType async: graphql-jit would not await it, so such documents are not compiled. */
const Found = createUnionType({
  name: "Found",
  types: () => [Gadget, Part] as const,
  resolveType: (value) => ("label" in value ? Part : Gadget),
});

let renames = 0;

@Resolver(() => Gadget)
class GadgetResolver {
  @Query(() => [Gadget])
  async gadgets(@Arg("filter", () => GadgetFilter, { nullable: true }) filter?: GadgetFilter) {
    await Promise.resolve();
    return GADGETS.filter((g) => !filter?.shade || g.shade === filter.shade).slice(0, filter?.take ?? 10);
  }

  @Query(() => [Gadget])
  strictGadgets(@Arg("filter", () => StrictFilter) filter: StrictFilter) {
    return GADGETS.slice(0, filter.take);
  }

  @Query(() => Gadget, { nullable: true })
  gadget(@Arg("id", () => ID) id: string) {
    return GADGETS.find((g) => g.id === id) ?? null;
  }

  @Query(() => [Found])
  found() {
    return [GADGETS[0], part("loose", 2)];
  }

  @Query(() => String)
  echo(@Arg("facts", () => GraphQLJSONObject) facts: Record<string, unknown>) {
    return JSON.stringify(facts);
  }

  @Mutation(() => Int)
  rename(@Arg("by", () => Int) by: number) {
    return (renames += by);
  }

  /** Non-null; a fault of ours for "bad" (masked), a refusal with a code for g2. */
  @FieldResolver(() => String)
  async strict(@Root() g: Gadget) {
    await Promise.resolve();
    if (g.id === "bad") throw new Error("database password is hunter2");
    if (g.id === "g2") throw new AppError("NOT_FOUND", "No strictness for g2");
    return `strict ${g.id}`;
  }
}

const config = testConfig();
const metrics = new ServiceMetrics("compiled_test");
let server: RunningServer;
let system: string;
let customer: string;
const run = jest.spyOn(DirectExecution.prototype, "run");

beforeAll(async () => {
  system = await mintToken(config.auth, { kind: "system", subject: "compiled-test" });
  customer = await mintToken(config.auth, {
    kind: "client",
    subject: "user-1",
    clientId: "7d3c9b1e-0a4f-4c7e-9a51-3f0a2b6c8d10",
  });
  const schema = await buildFederatedSchema(
    { resolvers: [GadgetResolver], orphanedTypes: [Part] },
    {
      Gadget: {
        // A promise for some: _entities hands graphql-js a list of promises.
        __resolveReference: (ref: { id: string }) => {
          const found = GADGETS.find((g) => g.id === ref.id) ?? null;
          return ref.id === "g2" ? Promise.resolve(found) : found;
        },
      },
    },
  );
  server = await serveSubgraph({
    schema,
    host: "127.0.0.1",
    port: 0,
    http: config.http,
    ops: config.ops,
    verifier: new TokenVerifier(config.auth),
    createContext: (base) => base,
    metrics,
    readiness: {},
    limits: new OperationLimits(subgraphLimits(config.operationLimits), true),
    hideSchemaDetails: true,
  });
});

afterAll(async () => {
  await server.stop();
});

async function post(body: Record<string, unknown>, token: string) {
  const response = await fetch(server.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    type: response.headers.get("content-type"),
    body: await response.text(),
  };
}

async function executions(): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric("graphql_direct_executions_total")!.get();
  return Object.fromEntries(metric.values.map((value) => [String(value.labels.executor), value.value]));
}

/** Three direct answers (graphql-js, compiled, compiled), Apollo Server's, and the third's executor. */
async function answers(body: Record<string, unknown>, token = system) {
  const direct = [];
  let before: Record<string, number> = {};
  for (let i = 0; i < 3; i++) {
    before = await executions();
    run.mockClear();
    direct.push(await post(body, token));
    expect(await run.mock.results[0]?.value).not.toBeUndefined();
  }
  const after = await executions();
  const executor = Object.keys(after).find((name) => after[name] !== (before[name] ?? 0));
  const apollo = await post({ ...body, extensions: {} }, token);
  return { direct, apollo, executor };
}

const ENTITIES =
  "query E($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Gadget { id name shade made parts { label weight } } } }";

describe("compiled queries on the direct path", () => {
  it.each([
    [
      "a list with enums, dates, JSON and nested lists",
      { query: "{ gadgets { id name shade made facts parts { label weight } } }" },
    ],
    [
      "variables: an input object with an enum and a default",
      {
        query: "query F($f: GadgetFilter) { gadgets(filter: $f) { id shade } }",
        variables: { f: { shade: "DARK" } },
      },
    ],
    [
      "aliases, a named and an inline fragment",
      {
        query:
          'query { a: gadget(id: "g1") { ...G } b: gadget(id: "g2") { ... on Gadget { n: name s: shade } } none: gadget(id: "x") { id } } fragment G on Gadget { id name parts { l: label } }',
      },
    ],
    [
      "@include and @skip from variables",
      {
        query:
          "query D($with: Boolean!, $without: Boolean!) { gadgets { id name @include(if: $with) shade @skip(if: $without) } }",
        variables: { with: false, without: true },
      },
    ],
    [
      "_entities, with an unknown id and a promised entity",
      {
        query: ENTITIES,
        variables: {
          r: [
            { __typename: "Gadget", id: "g1" },
            { __typename: "Gadget", id: "nope" },
            { __typename: "Gadget", id: "g2" },
          ],
        },
      },
    ],
    ["a field resolver (async) and __typename", { query: '{ gadget(id: "g1") { __typename id strict } }' }],
  ])("When %s is asked, then the compiled query answers as Apollo Server does", async (_name, body) => {
    const { direct, apollo, executor } = await answers(body);
    expect(executor).toBe("compiled");
    for (const answer of direct) expect(answer).toEqual(apollo);
    expect(JSON.parse(apollo.body).errors).toBeUndefined();
  });

  it.each([
    ["a middleware refusing a customer (FORBIDDEN)", { query: "{ gadgets { id secret } }" }, "customer"],
    [
      "a failing non-null field inside a nullable one (bubbling)",
      { query: '{ gadget(id: "g3") { id parts { label fragile } } other: gadget(id: "g1") { id } }' },
      "system",
    ],
    ["a failing non-null field up to the root (data null)", { query: "{ gadgets { id strict } }" }, "system"],
    [
      "failing non-null items in a list",
      {
        query:
          '{ g1: gadget(id: "g1") { parts { fragile } } g3: gadget(id: "g3") { parts { fragile } } g2: gadget(id: "g2") { strict } }',
      },
      "system",
    ],
  ])("When %s is asked, then graphql-js's answer, errors and all, is given", async (_name, body, who) => {
    const { direct, apollo, executor } = await answers(body, who === "customer" ? customer : system);
    expect(executor).toBe("graphql-js-again");
    for (const answer of direct) expect(answer).toEqual(apollo);
    expect(JSON.parse(apollo.body).errors.length).toBeGreaterThan(0);
  });

  it.each([
    ["a custom scalar literal", { query: '{ echo(facts: { a: 1, b: ["x"] }) }' }],
    [
      "a union whose resolveType is async",
      { query: "{ found { ... on Gadget { id } ... on Part { label } } }" },
    ],
    ["a text over 8 K characters", { query: `{ gadgets { id } } # ${"x".repeat(8200)}` }],
    [
      "a variable inside an input object literal",
      { query: "query V($s: Shade) { gadgets(filter: { shade: $s }) { id } }", variables: {} },
    ],
    [
      "an input object whose non-null field has a default",
      { query: "query S($f: StrictFilter!) { strictGadgets(filter: $f) { id } }", variables: { f: {} } },
    ],
    ["a mutation", { query: "mutation R($by: Int!) { rename(by: $by) }", variables: { by: 2 } }],
  ])("When %s is asked, then graphql-js runs it every time", async (_name, body) => {
    const { direct, apollo, executor } = await answers(body);
    expect(executor).toBe("graphql-js");
    if (!body.query.startsWith("mutation")) for (const answer of direct) expect(answer).toEqual(apollo);
  });

  it("When a compiled query's variables do not coerce, then Apollo Server answers, as before", async () => {
    const query = "query F($f: GadgetFilter) { gadgets(filter: $f) { id } }";
    await answers({ query, variables: { f: { take: 1 } } });
    run.mockClear();
    const direct = await post({ query, variables: { f: { take: "many" } } }, system);
    expect(await run.mock.results[0]?.value).toBeUndefined();
    expect(direct).toEqual(await post({ query, variables: { f: { take: "many" } }, extensions: {} }, system));
    expect(direct.status).toBe(400);
  });

  it("When a JSON object comes as a variable, then the compiled query passes it whole", async () => {
    const { direct, apollo, executor } = await answers({
      query: "query J($facts: JSONObject!) { echo(facts: $facts) }",
      variables: { facts: { a: 1, nested: { b: [true, null] } } },
    });
    expect(executor).toBe("compiled");
    for (const answer of direct) expect(answer).toEqual(apollo);
    expect(JSON.parse(apollo.body).data.echo).toBe('{"a":1,"nested":{"b":[true,null]}}');
  });
});
