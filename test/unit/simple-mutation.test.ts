/**
 * A mutation of the simple shape (common/graphql/simple-mutation.ts, decision 0061) runs as
 * graphql-js's `execute` runs it: the same resolver calls, arguments and infos, the same data
 * and errors (messages, paths, locations, originals), whatever the resolvers do (answer, throw,
 * reject, at once or late, answer null or a value that does not serialize, sync or not) and
 * whatever `isTypeOf` says.
 */
import "reflect-metadata";
import fc from "fast-check";
import {
  buildSchema,
  execute,
  type ExecutionResult,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  getOperationAST,
  type OperationDefinitionNode,
  parse,
  version,
} from "graphql";
import {
  executeSimpleMutation,
  PORTED_FROM,
  simpleMutation,
  simpleMutationsRun,
} from "../../common/graphql/simple-mutation";
import { buildLedgerSchema } from "../../subgraphs/ledger/schema";

const SDL = `
  enum Status { POSTED PENDING }
  input PaymentInput { a: ID! b: String = "default" n: Int }
  type Payment { id: ID! status: Status! note: String count: Int label(prefix: String = "x"): String }
  type Query { ok: Boolean }
  type Mutation { pay(input: PaymentInput!, key: String!): Payment!  maybe(input: PaymentInput, tag: String = "t"): Payment }
`;

type Behaviour = "value" | "null" | "throw" | "reject" | "late-reject" | "promise" | "bad";
type Root = "object" | "promise" | "null" | "throw" | "reject" | "error-value";
type IsTypeOf = "none" | "true" | "false" | "promise-true" | "promise-false";
const LEAVES = ["id", "status", "note", "count", "label", "__typename"] as const;

interface Scenario {
  field: "pay" | "maybe";
  /** The root field's alias, if any: `__proto__` is a property of a result, never its prototype. */
  alias: "made" | "__proto__" | undefined;
  /** The first leaf aliased `__proto__`. */
  protoLeaf: boolean;
  root: Root;
  isTypeOf: IsTypeOf;
  leaves: (typeof LEAVES)[number][];
  behaviours: Record<string, Behaviour>;
  variables: Record<string, unknown>;
}

const GOOD: Record<string, unknown> = { id: "p-1", status: "POSTED", note: "n", count: 3 };
const BAD: Record<string, unknown> = {
  id: { not: "an id" },
  status: "NOPE",
  note: Symbol("s"),
  count: "abc",
};

/** A leaf's property on the root object as the behaviour says (a function where it must run). */
function property(name: string, behaviour: Behaviour): unknown {
  switch (behaviour) {
    case "value":
      return GOOD[name];
    case "null":
      return null;
    case "bad":
      return BAD[name];
    case "promise":
      return () => Promise.resolve(GOOD[name]);
    case "throw":
      return () => {
        throw new Error(`${name} failed`);
      };
    case "reject":
      return () => Promise.reject(new Error(`${name} rejected`));
    case "late-reject":
      // After the others have settled: an error under a position already nulled is not reported.
      return () => new Promise((_, reject) => setImmediate(() => reject(new Error(`${name} rejected late`))));
  }
}

/** The schema with resolvers that follow `scenario` and log every call they get. */
function scenarioSchema(scenario: Scenario, log: unknown[]): GraphQLSchema {
  const schema = buildSchema(SDL);
  const record = (what: string, args: unknown, info: GraphQLResolveInfo) =>
    log.push({
      what,
      args: JSON.stringify(args),
      argsKeys: Object.keys(args as object),
      argsPrototype: Object.getPrototypeOf(args) === Object.prototype ? "Object" : "other",
      path: JSON.stringify(info.path),
      parentType: info.parentType.name,
      returnType: String(info.returnType),
      fieldName: info.fieldName,
      fieldNodes: info.fieldNodes.map((node) => node.loc?.start),
      variableValues: JSON.stringify(info.variableValues),
      fragments: Object.keys(info.fragments),
      operation: info.operation.loc?.start,
      rootValue: info.rootValue,
    });
  const payment = schema.getType("Payment") as GraphQLObjectType;
  const source = Object.fromEntries(
    ["id", "status", "note", "count"].map((name) => [
      name,
      property(name, scenario.behaviours[name] ?? "value"),
    ]),
  );
  const rootAnswer = (): unknown => {
    switch (scenario.root) {
      case "object":
        return source;
      case "promise":
        return Promise.resolve(source);
      case "null":
        return null;
      case "throw":
        throw new Error("mutation failed");
      case "reject":
        return Promise.reject(new Error("mutation rejected"));
      case "error-value":
        return new Error("answered an error");
    }
  };
  const mutation = schema.getMutationType()!.getFields();
  for (const name of ["pay", "maybe"]) {
    mutation[name]!.resolve = (_root, args, _context, info) => {
      record(name, args, info);
      return rootAnswer();
    };
  }
  payment.getFields().label!.resolve = (_source, args: { prefix: string }, _context, info) => {
    record("label", args, info);
    return property("label", scenario.behaviours.label ?? "value") === null ? null : `${args.prefix}-label`;
  };
  const typeOf = scenario.isTypeOf;
  if (typeOf !== "none") {
    payment.isTypeOf = () => {
      const answer = typeOf === "true" || typeOf === "promise-true";
      return typeOf.startsWith("promise") ? Promise.resolve(answer) : answer;
    };
  }
  return schema;
}

function documentOf(scenario: Scenario): string {
  const [first, ...rest] = scenario.leaves;
  const leaves = [scenario.protoLeaf ? `__proto__: ${first}` : first, ...rest].join(" ");
  const field = `${scenario.alias ? `${scenario.alias}: ` : ""}${scenario.field}(input: $input${scenario.field === "pay" ? ", key: $key" : ""})`;
  return `mutation Pay($input: PaymentInput${scenario.field === "pay" ? "!, $key: String!" : ""}) { ${field} { ${leaves} } }`;
}

/** A result as it would be answered, with each error's original, and the data's prototypes. */
function described(result: ExecutionResult | undefined): unknown {
  if (!result) return undefined;
  const data = result.data as Record<string, unknown> | null | undefined;
  return {
    json: JSON.stringify(result),
    keys: Object.keys(result),
    dataPrototype: data === undefined ? "absent" : data && Object.getPrototypeOf(data),
    fieldPrototypes: data && Object.values(data).map((value) => value && Object.getPrototypeOf(value)),
    errors: result.errors?.map((error) => ({
      ...error.toJSON(),
      original: error.originalError?.message,
      originalClass: error.originalError?.constructor.name,
    })),
  };
}

/** Both executions of `scenario`, settled and a few turns later (errors added late count too). */
async function both(scenario: Scenario) {
  const text = documentOf(scenario);
  const run = async (ours: boolean) => {
    const log: unknown[] = [];
    const schema = scenarioSchema(scenario, log);
    const document = parse(text);
    const context = { caller: "test" };
    let result: ExecutionResult | undefined;
    if (ours) {
      const plan = simpleMutation(schema, document, getOperationAST(document)!);
      expect(plan).toBeDefined();
      result = await executeSimpleMutation(schema, plan!, scenario.variables, context, true);
    } else {
      result = await execute({ schema, document, variableValues: scenario.variables, contextValue: context });
      if (!("data" in result)) result = undefined;
    }
    const settled = described(result);
    for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
    return { settled, later: described(result), log };
  };
  return { graphqlJs: await run(false), ours: await run(true) };
}

const behaviour = fc.constantFrom<Behaviour>(
  "value",
  "null",
  "throw",
  "reject",
  "late-reject",
  "promise",
  "bad",
);
const scenarios = fc.record<Scenario>({
  field: fc.constantFrom("pay", "maybe"),
  alias: fc.constantFrom(undefined, "made" as const, "__proto__" as const),
  protoLeaf: fc.boolean(),
  root: fc.constantFrom<Root>("object", "promise", "null", "throw", "reject", "error-value"),
  isTypeOf: fc.constantFrom<IsTypeOf>("none", "true", "false", "promise-true", "promise-false"),
  leaves: fc.shuffledSubarray([...LEAVES], { minLength: 1 }),
  behaviours: fc.record({
    id: behaviour,
    status: behaviour,
    note: behaviour,
    count: behaviour,
    label: fc.constantFrom<Behaviour>("value", "null"),
  }),
  variables: fc.oneof(
    fc.constant({ input: { a: "x" }, key: "k" }),
    fc.constant({ input: { a: "x", b: "given", n: 7 }, key: "k" }),
    fc.constant({ input: { a: "x", n: "not a number" }, key: "k" }),
    fc.constant({ input: { b: "no a" }, key: "k" }),
    fc.constant({ input: { a: "x" } }),
    fc.constant({ input: null, key: "k" }),
    fc.constant({}),
  ),
});

describe("simple mutations", () => {
  it("When graphql-js is the version the module was read from, then it runs (an upgrade must be read again)", () => {
    expect(version.startsWith(`${PORTED_FROM}.`)).toBe(true);
    expect(simpleMutationsRun).toBe(true);
  });

  it("When resolvers answer, fail, reject or answer what does not serialize, then the result, errors and resolver calls are graphql-js's", async () => {
    await fc.assert(
      fc.asyncProperty(scenarios, async (scenario) => {
        const { graphqlJs, ours } = await both(scenario);
        expect(ours).toEqual(graphqlJs);
      }),
      { numRuns: 600 },
    );
  });

  it("When arguments are literals, mixed, defaulted or null where required, then the resolver gets graphql-js's arguments or its error", async () => {
    // [document, variables, whether its arguments are all variables (read from the plan)]
    const cases: Array<[string, Record<string, unknown>, boolean]> = [
      [`mutation { pay(input: {a: "x"}, key: "k") { id } }`, {}, false],
      [`mutation($key: String!) { pay(input: {a: "x", n: 2}, key: $key) { id } }`, { key: "k" }, false],
      // A variable with a default may feed a required argument: an explicit null is its error.
      [
        `mutation($in: PaymentInput!, $key: String = "d") { pay(input: $in, key: $key) { id } }`,
        { in: { a: "x" }, key: null },
        true,
      ],
      [
        `mutation($in: PaymentInput!, $key: String = "d") { pay(input: $in, key: $key) { id } }`,
        { in: { a: "x" } },
        true,
      ],
      // Not valid (a nullable variable for a required argument), run unvalidated: graphql-js's error.
      [
        `mutation($in: PaymentInput!, $key: String) { pay(input: $in, key: $key) { id } }`,
        { in: { a: "x" } },
        true,
      ],
      [
        `mutation($in: PaymentInput!, $key: String!) { pay(key: $key, input: $in) { id label } }`,
        { in: { a: "x" }, key: "k" },
        true,
      ],
      // Not given, given null, given a variable that is not: the argument's default, null, absent.
      [`mutation($input: PaymentInput) { maybe(input: $input) { id } }`, {}, true],
      [`mutation($input: PaymentInput) { maybe(input: $input) { id } }`, { input: null }, true],
      [`mutation($tag: String) { maybe(tag: $tag) { id } }`, {}, true],
      [`mutation($tag: String) { maybe(tag: $tag) { id } }`, { tag: null }, true],
      [`mutation($tag: String) { maybe(tag: $tag) { id } }`, { tag: "given" }, true],
    ];
    for (const [text, variables, planned] of cases) {
      const run = async (ours: boolean) => {
        const schema = buildSchema(SDL);
        const seen: unknown[] = [];
        for (const field of Object.values(schema.getMutationType()!.getFields())) {
          field.resolve = (_root, args: object) => {
            seen.push([{ ...args }, Object.keys(args), Object.getPrototypeOf(args) === Object.prototype]);
            return { id: "p" };
          };
        }
        const document = parse(text);
        const plan = simpleMutation(schema, document, getOperationAST(document)!)!;
        expect([text, plan.root.arguments !== undefined]).toEqual([text, planned]);
        const result = ours
          ? await executeSimpleMutation(schema, plan, variables, {}, true)
          : await execute({ schema, document, variableValues: variables });
        return { result: described(result), seen };
      };
      expect([text, await run(true)]).toStrictEqual([text, await run(false)]);
    }
  });

  it("When a resolver keeps or changes its field nodes, then the next request has its own, as in graphql-js", async () => {
    const schema = buildSchema(SDL);
    const lengths: number[] = [];
    schema.getMutationType()!.getFields().pay!.resolve = (_root, _args, _context, info) => {
      lengths.push(info.fieldNodes.length);
      (info.fieldNodes as unknown[]).push(info.fieldNodes[0]);
      return { id: "p" };
    };
    const document = parse(`mutation { pay(input: {a: "x"}, key: "k") { id } }`);
    const plan = simpleMutation(schema, document, getOperationAST(document)!)!;
    for (let request = 0; request < 3; request++) await executeSimpleMutation(schema, plan, {}, {}, true);
    expect(lengths).toEqual([1, 1, 1]);
  });

  it("When variables are not JSON's (an iterator read once), then graphql-js alone coerces them: a bad item refuses, nothing runs", async () => {
    const schema = buildSchema(`type Query { ok: Boolean } type Mutation { pay(xs: [Int!]): Int }`);
    let runs = 0;
    schema.getMutationType()!.getFields().pay!.resolve = () => ++runs;
    const document = parse(`mutation($xs: [Int!]) { pay(xs: $xs) }`);
    const plan = simpleMutation(schema, document, getOperationAST(document)!);
    // A leaf root field is not the shape; the same variables through an object-typed field:
    expect(plan).toBeUndefined();
    const objects = buildSchema(`${SDL} extend type Mutation { many(xs: [Int!]): Payment }`);
    objects.getMutationType()!.getFields().many!.resolve = () => ({ id: String(++runs) });
    const manyDocument = parse(`mutation($xs: [Int!]) { many(xs: $xs) { id } }`);
    const manyPlan = simpleMutation(objects, manyDocument, getOperationAST(manyDocument)!)!;
    const items = function* () {
      yield 1;
      yield "x";
    };
    expect(await executeSimpleMutation(objects, manyPlan, { xs: items() }, {})).toBeUndefined();
    expect(runs).toBe(0);
  });

  it("When a document is not of the simple shape, then it has no plan (graphql-js runs it)", () => {
    const schema = buildSchema(SDL);
    const planOf = (text: string) => {
      const document = parse(text);
      return simpleMutation(schema, document, document.definitions[0] as OperationDefinitionNode);
    };
    expect(planOf(`mutation { pay(input: {a: "x"}, key: "k") { id status } }`)).toBeDefined();
    for (const text of [
      `query { ok }`,
      `mutation { pay(input: {a: "x"}, key: "k") { id } maybe { id } }`,
      `mutation { pay(input: {a: "x"}, key: "k") { ...F } } fragment F on Payment { id }`,
      `mutation { pay(input: {a: "x"}, key: "k") { id @include(if: true) } }`,
      `mutation { pay(input: {a: "x"}, key: "k") @skip(if: false) { id } }`,
      `mutation { pay(input: {a: "x"}, key: "k") { id id } }`,
      `mutation { pay(input: {a: "x"}, key: "k") { label(prefix: "y") } }`,
      `mutation { pay(input: {a: "x"}, key: "k") { ... on Payment { id } } }`,
      `mutation A { pay(input: {a: "x"}, key: "k") { id } } mutation B { pay(input: {a: "x"}, key: "k") { id } }`,
    ]) {
      expect([text, planOf(text)]).toEqual([text, undefined]);
    }
  });

  it("When the ledger is asked for a payment, as a caller or the gateway sends it, then it has a plan", async () => {
    const schema = await buildLedgerSchema();
    for (const text of [
      `mutation($input: PaymentInput!, $key: String!) { createPayment(input: $input, idempotencyKey: $key) { id status } }`,
      `mutation CreatePayment__ledger__0($input: PaymentInput!, $key: String!) { createPayment(input: $input, idempotencyKey: $key) { id status __typename } }`,
    ]) {
      const document = parse(text);
      expect(simpleMutation(schema, document, getOperationAST(document)!)).toBeDefined();
    }
  });
});
