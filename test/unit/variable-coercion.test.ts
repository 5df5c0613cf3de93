/**
 * Variables coerced by a plan per operation (common/graphql/variable-coercion.ts): for every query
 * and mutation field of the three subgraphs, an operation taking the field's arguments as
 * variables, and random variables of every shape, the answer is graphql-js's own `coerced` (to the
 * prototype, the order of the keys and the default values' references at every level) or
 * undefined, and undefined whenever graphql-js reports errors.
 */
import "reflect-metadata";
import fc from "fast-check";
import { oddValue } from "../helpers/odd-values";
import {
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type VariableDefinitionNode,
  astFromValue,
  buildSchema,
  coerceInputValue,
  getVariableValues,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Kind,
  OperationTypeNode,
  parse,
  print,
} from "graphql";
import { type DirectRequest, variablesCoerce } from "../../common/graphql/direct-execution";
import { variableCoercer } from "../../common/graphql/variable-coercion";
import { buildClientSchema } from "../../subgraphs/client/schema";
import { buildLedgerSchema } from "../../subgraphs/ledger/schema";
import { buildTransferSchema } from "../../subgraphs/transfer/schema";

const schemas: Record<string, GraphQLSchema> = {};

beforeAll(async () => {
  schemas.client = await buildClientSchema();
  schemas.ledger = await buildLedgerSchema();
  schemas.transfer = await buildTransferSchema();
});

function definitionsOf(source: string): readonly VariableDefinitionNode[] {
  return (parse(source).definitions[0] as OperationDefinitionNode).variableDefinitions ?? [];
}

/** Where `actual` differs from `expected` (prototypes, own keys in order, values), or undefined.
 * An object in `shared` (a default graphql-js answers by reference, or a part of the input a
 * scalar answered as it is) must be the very same object. */
function difference(actual: unknown, expected: unknown, shared: Set<unknown>, at = "$"): string | undefined {
  if (typeof expected !== "object" || expected === null || typeof actual !== "object" || actual === null) {
    return Object.is(actual, expected) ? undefined : `${at}: ${String(actual)} is not ${String(expected)}`;
  }
  if (shared.has(expected)) return actual === expected ? undefined : `${at}: not the same reference`;
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${at}: another prototype`;
  if (expected instanceof Date)
    return (actual as Date).getTime() === expected.getTime() ? undefined : `${at}: date`;
  const keys = Reflect.ownKeys(expected);
  const actualKeys = Reflect.ownKeys(actual);
  if (keys.map(String).join() !== actualKeys.map(String).join())
    return `${at}: keys ${actualKeys.map(String).join()} are not ${keys.map(String).join()}`;
  for (const key of keys) {
    const found = difference(
      (actual as Record<string | symbol, unknown>)[key],
      (expected as Record<string | symbol, unknown>)[key],
      shared,
      `${at}.${String(key)}`,
    );
    if (found) return found;
  }
  return undefined;
}

/** Every object reachable from `value`, and the objects the schema's input fields default to. */
function sharedObjects(schema: GraphQLSchema, value: unknown): Set<unknown> {
  const found = new Set<unknown>();
  for (const type of Object.values(schema.getTypeMap()))
    if (isInputObjectType(type))
      for (const field of Object.values(type.getFields()))
        if (typeof field.defaultValue === "object" && field.defaultValue !== null)
          found.add(field.defaultValue);
  const walk = (at: unknown): void => {
    if (typeof at !== "object" || at === null || found.has(at)) return;
    found.add(at);
    for (const key of Object.keys(at)) walk((at as Record<string, unknown>)[key]);
  };
  walk(value);
  return found;
}

const tally = { theirs: 0, ours: 0 };

/** One operation per definitions (its coercion plan is kept per operation), as the direct path runs it. */
const operations = new WeakMap<readonly VariableDefinitionNode[], OperationDefinitionNode>();
function requestOf(definitions: readonly VariableDefinitionNode[], values: object): DirectRequest {
  let operation = operations.get(definitions);
  if (!operation) {
    const selectionSet = { kind: Kind.SELECTION_SET, selections: [] } as const;
    operation = {
      kind: Kind.OPERATION_DEFINITION,
      operation: OperationTypeNode.QUERY,
      variableDefinitions: definitions,
      selectionSet,
    };
    operations.set(definitions, operation);
  }
  const document = { kind: Kind.DOCUMENT, definitions: [operation] } as const;
  return {
    query: "",
    document,
    operation,
    operationName: undefined,
    variables: values as Record<string, unknown>,
    json: true,
  };
}

/** Ours is graphql-js's `coerced` or undefined, undefined whenever graphql-js has errors. */
function check(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
  values: object,
): unknown {
  const ours = variableCoercer(schema, definitions)(values as Record<string, unknown>);
  const theirs = getVariableValues(schema, definitions, values as Record<string, unknown>);
  // The direct path's check (plan first, then graphql-js) answers graphql-js's verdict.
  expect(variablesCoerce(schema, requestOf(definitions, values))).toBe(!theirs.errors);
  if (theirs.errors) {
    expect(ours).toBeUndefined();
    return ours;
  }
  tally.theirs += 1;
  if (ours === undefined) return ours;
  tally.ours += 1;
  expect(difference(ours, theirs.coerced, sharedObjects(schema, values))).toBeUndefined();
  return ours;
}

/** A leaf's value by its type: right ones mostly, then wrong kinds. */
function leafOf(name: string, values: string[]): fc.Arbitrary<unknown> {
  const right: Record<string, fc.Arbitrary<unknown>> = {
    String: fc.string({ maxLength: 6 }),
    ID: fc.oneof(fc.uuid(), fc.integer()),
    Int: fc.oneof(fc.integer({ min: -100, max: 100 }), fc.constant(2 ** 31), fc.constant(1.5)),
    Float: fc.oneof(fc.double(), fc.integer(), fc.constant("1.5")),
    Boolean: fc.boolean(),
    JSONObject: fc.oneof(fc.object({ maxDepth: 1 }), fc.constant(Object.create(null) as object)),
    DateTimeISO: fc.oneof(
      fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
      fc.date({ noInvalidDate: true }),
      fc.constant("yesterday"),
    ),
  };
  const enumValue = () => fc.oneof(fc.constantFrom(...values), fc.constant("NOT_A_VALUE"));
  return fc.oneof(
    { weight: 4, arbitrary: values.length > 0 ? enumValue() : (right[name] ?? fc.string({ maxLength: 6 })) },
    { weight: 1, arbitrary: oddValue },
  );
}

/** A value for `type`, input objects nested `depth` levels more at most. */
function valueOf(type: GraphQLInputType, depth: number): fc.Arbitrary<unknown> {
  if (isNonNullType(type))
    return fc.oneof({ weight: 8, arbitrary: valueOf(type.ofType, depth) }, fc.constant(null));
  if (isListType(type)) {
    const item = valueOf(type.ofType, depth);
    return fc.oneof(
      { weight: 4, arbitrary: fc.array(item, { maxLength: 3 }) },
      { weight: 2, arbitrary: item },
      fc.array(item, { maxLength: 2 }).map((items) => new Set(items)),
      fc.constant(null),
    );
  }
  if (isInputObjectType(type)) {
    if (depth === 0) return fc.oneof(fc.constant(null), oddValue);
    const model: Record<string, fc.Arbitrary<unknown>> = {};
    for (const field of Object.values(type.getFields()))
      model[field.name] = fc.oneof(
        { weight: 8, arbitrary: valueOf(field.type, depth - 1) },
        fc.constant(undefined),
      );
    const full = fc.record(model, { requiredKeys: Object.keys(model) });
    const some = fc.record(model, { requiredKeys: [] });
    const extra = fc.tuple(full, oddValue).map(([object, value]) => ({ ...object, stray: value }));
    const bare = full.map((object) => Object.assign(Object.create(null) as object, object));
    return fc.oneof({ weight: 6, arbitrary: full }, some, extra, bare, fc.constant(null), oddValue);
  }
  return leafOf(type.name, isEnumType(type) ? type.getValues().map((value) => value.name) : []);
}

/** A default for an argument: its own, else some value of its type graphql-js accepts. */
function defaultOf(arg: GraphQLArgument): string | undefined {
  const candidates =
    arg.defaultValue !== undefined ? [arg.defaultValue] : fc.sample(valueOf(arg.type, 2), 10);
  for (const candidate of candidates) {
    try {
      const internal = arg.defaultValue !== undefined ? candidate : coerceInputValue(candidate, arg.type);
      const node = astFromValue(internal, arg.type);
      if (node) return print(node);
    } catch {
      // not a value of the type: the next one
    }
  }
  return undefined;
}

describe("variables coerced with a plan per operation", () => {
  it("When any variables are given to any field's arguments, then it is graphql-js's coerced or undefined", () => {
    let operations = 0;
    let defaults = 0;
    for (const schema of [...Object.values(schemas), small]) {
      for (const root of [schema.getQueryType(), schema.getMutationType()]) {
        for (const field of Object.values(root?.getFields() ?? {})) {
          if (field.args.length === 0) continue;
          for (const withDefaults of [false, true]) {
            const declared = field.args.map((arg, i) => {
              const fallback = withDefaults && i % 2 === 0 ? defaultOf(arg) : undefined;
              if (fallback) defaults += 1;
              return `$${arg.name}: ${String(arg.type)}${fallback ? ` = ${fallback}` : ""}`;
            });
            const definitions = definitionsOf(`query (${declared.join(", ")}) { __typename }`);
            const model: Record<string, fc.Arbitrary<unknown>> = {};
            for (const arg of field.args) model[arg.name] = valueOf(arg.type, 3);
            const values = fc.oneof(
              { weight: 4, arbitrary: fc.record(model, { requiredKeys: Object.keys(model) }) },
              fc.record(model, { requiredKeys: [] }),
              fc.tuple(fc.record(model), oddValue).map(([object, value]) => ({ ...object, stray: value })),
            );
            fc.assert(
              fc.property(values, (given) => void check(schema, definitions, given)),
              { numRuns: 60 },
            );
            operations += 1;
          }
        }
      }
    }
    const ratio = tally.ours / tally.theirs;
    console.log(
      `variable coercion: ${operations} operations (${defaults} variable defaults), graphql-js coerced ${tally.theirs} variable sets, ` +
        `this ${tally.ours} of them (${(100 * ratio).toFixed(1)}%)`,
    );
    expect(operations).toBeGreaterThan(40);
    expect(defaults).toBeGreaterThan(20);
    expect(ratio).toBeGreaterThan(0.9);
  });

  it("When a payment's variables are right, then they are coerced here as graphql-js does", () => {
    const definitions = definitionsOf("mutation ($input: PaymentInput!, $key: String!) { __typename }");
    const input = {
      debitAccountId: "d64d22b7-6302-4124-9866-899f4eb24c85",
      creditAccountId: "a64d22b7-6302-4124-9866-899f4eb24c85",
      amount: "12.34",
      description: "bench",
    };
    expect(check(schemas.ledger, definitions, { input, key: "k-1" })).toEqual({ input, key: "k-1" });
    const metadata = { a: 1 };
    expect(check(schemas.ledger, definitions, { input: { ...input, metadata }, key: "k" })).toBeDefined();
    expect(check(schemas.ledger, definitions, { input: { ...input, amount: 12 }, key: "k" })).toBeUndefined();
    expect(check(schemas.ledger, definitions, { input: { ...input, stray: 1 }, key: "k" })).toBeUndefined();
    expect(
      check(schemas.ledger, definitions, { input: { ...input, metadata: [] }, key: "k" }),
    ).toBeUndefined();
    expect(check(schemas.ledger, definitions, { input })).toBeUndefined();
  });
});

const small = buildSchema(`
  input Node { label: String = "none", child: Node, children: [Node!], tags: [String] = ["a"] }
  input Pick @oneOf { id: ID, name: String }
  enum Colour { RED GREEN }
  scalar Odd
  type Query { f(n: Node, p: Pick, c: Colour, o: Odd, i: [[Int]]): Int }
`);
Object.assign(small.getType("Odd")!, {
  parseValue: (value: unknown) => {
    if (value === 3) throw new Error("three");
    return value === 4 ? undefined : value;
  },
});
const nodeType = small.getType("Node");
const tagsDefault = isInputObjectType(nodeType) ? nodeType.getFields().tags.defaultValue : undefined;

function coerce(source: string, values: object): unknown {
  return check(small, definitionsOf(`query (${source}) { __typename }`), values);
}

describe("variables coerced with a plan: the cases one by one", () => {
  it("When a variable is absent, then its default, nothing, or an error when non-null", () => {
    expect(coerce("$n: Int = 3, $m: Int, $c: Colour = RED", {})).toEqual({ n: 3, c: "RED" });
    expect(Object.keys(coerce("$n: Int = 3, $m: Int", {}) as object)).toEqual(["n"]);
    expect(coerce("$n: Int!", {})).toBeUndefined();
    expect(coerce("$n: Int! = 1", {})).toEqual({ n: 1 });
    // An input object default is a fresh object per request, as graphql-js makes one.
    const source = "$n: Node = {child: {}}";
    const definitions = definitionsOf(`query (${source}) { __typename }`);
    const coercer = variableCoercer(small, definitions);
    expect(coercer({})).not.toBe(coercer({}));
    expect((coercer({})!.n as { child: unknown }).child).not.toBe(
      (coercer({})!.n as { child: unknown }).child,
    );
    coerce(source, {});
  });

  it("When a variable is null, then null, or an error when non-null", () => {
    expect(coerce("$n: Int", { n: null })).toEqual({ n: null });
    expect(coerce("$n: Int", { n: undefined })).toEqual({ n: null });
    expect(coerce("$n: Int!", { n: null })).toBeUndefined();
    expect(coerce("$n: [Int!]", { n: [1, null] })).toBeUndefined();
    expect(coerce("$n: [Int]", { n: [1, null] })).toEqual({ n: [1, null] });
  });

  it("When an input field is absent, then its default by reference, else nothing", () => {
    const coerced = coerce("$n: Node", { n: { child: { label: null } } }) as { n: Record<string, unknown> };
    expect(coerced.n).toEqual({ label: "none", child: { label: null, tags: ["a"] }, tags: ["a"] });
    expect(Object.getPrototypeOf(coerced.n)).toBe(Object.prototype);
    expect(coerced.n.tags).toBe(tagsDefault);
    expect(Object.keys(coerced.n)).toEqual(["label", "child", "tags"]);
  });

  it("When a list is given one value or any iterable, then a list as graphql-js makes it", () => {
    expect(coerce("$i: [[Int]]", { i: 1 })).toEqual({ i: [[1]] });
    expect(coerce("$i: [[Int]]", { i: [1, [2, 3]] })).toEqual({ i: [[1], [2, 3]] });
    expect(coerce("$i: [[Int]]", { i: new Set([new Set([1])]) })).toEqual({ i: [[1]] });
    expect(coerce("$i: [Int]", { i: "12" })).toBeUndefined();
    expect(coerce("$i: [String]", { i: "12" })).toEqual({ i: ["12"] });
    expect(coerce("$i: [Int]", { i: { length: 1, 0: 1 } })).toBeUndefined();
  });

  it("When an input type holds itself, then every level is coerced", () => {
    const n = { child: { child: { label: "c" } }, children: [{ label: "d" }] };
    expect(coerce("$n: Node", { n })).toBeDefined();
    expect(coerce("$n: Node", { n: { children: [null] } })).toBeUndefined();
  });

  it("When a key is unknown or the object not an object, then undefined", () => {
    expect(coerce("$n: Node", { n: { label: "a", other: 1 } })).toBeUndefined();
    expect(coerce("$n: Node", { n: { label: "a", other: undefined } })).toBeUndefined();
    expect(coerce("$n: Node", { n: [{ label: "a" }] })).toBeUndefined();
    expect(coerce("$n: Node", { n: "a" })).toBeUndefined();
    // Read through the prototype chain as graphql-js reads it, and judged by own keys only.
    expect(coerce("$n: Node", { n: Object.create({ label: "inherited" }) as object })).toEqual({
      n: { label: "inherited", tags: ["a"] },
    });
    expect(
      coerce("$n: Node", { n: Object.assign(Object.create(null) as object, { label: "x" }) }),
    ).toBeDefined();
  });

  it("When a oneOf input has one non-null field, then it, else undefined", () => {
    expect(coerce("$p: Pick", { p: { id: "1" } })).toEqual({ p: { id: "1" } });
    expect(coerce("$p: Pick", { p: {} })).toBeUndefined();
    expect(coerce("$p: Pick", { p: { id: "1", name: "a" } })).toBeUndefined();
    expect(coerce("$p: Pick", { p: { id: null } })).toBeUndefined();
  });

  it("When a custom scalar throws or answers undefined, then undefined; an enum by its names", () => {
    expect(coerce("$o: Odd", { o: 3 })).toBeUndefined();
    expect(coerce("$o: Odd", { o: 4 })).toBeUndefined();
    expect(coerce("$o: Odd", { o: 5 })).toEqual({ o: 5 });
    expect(coerce("$c: Colour", { c: "GREEN" })).toEqual({ c: "GREEN" });
    expect(coerce("$c: Colour", { c: "BLUE" })).toBeUndefined();
    expect(coerce("$c: Colour", { c: 1 })).toBeUndefined();
  });

  it("When a variable's type is not an input type, then undefined", () => {
    expect(coerce("$q: Query", { q: {} })).toBeUndefined();
    expect(coerce("$q: Unknown", {})).toBeUndefined();
  });
});
