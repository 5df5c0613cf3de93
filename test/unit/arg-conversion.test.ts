/**
 * Arguments converted with a plan made once per class (common/graphql/arg-conversion.ts): for
 * every args and input class of the three subgraphs, and a few made here (an input type holding
 * itself, inherited and shadowed fields, constructors leaving fields set or undefined), the
 * result is type-graphql's own, to the prototype and the order of the keys at every level.
 */
import "reflect-metadata";
import fc from "fast-check";
import { oddValue } from "../helpers/odd-values";
import path from "node:path";
import { ArgsType, Field, getMetadataStorage, InputType, Int } from "type-graphql";
import { convertArgsToInstance, convertArgToInstance } from "../../common/graphql/arg-conversion";
import { buildClientSchema } from "../../subgraphs/client/schema";
import { buildLedgerSchema } from "../../subgraphs/ledger/schema";
import { buildTransferSchema } from "../../subgraphs/transfer/schema";

type Convert = (param: { name?: string; getType: () => unknown }, args: Record<string, unknown>) => unknown;

/** type-graphql's conversion, the one its resolvers use. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const typeGraphql = require(
  path.join(path.dirname(require.resolve("type-graphql")), "resolvers", "convert-args.js"),
) as { convertArgToInstance: Convert; convertArgsToInstance: Convert };

@InputType("ArgConversionNode")
class ArgConversionNode {
  @Field({ nullable: true }) label?: string;
  @Field(() => ArgConversionNode, { nullable: true }) child?: ArgConversionNode;
  @Field(() => [ArgConversionNode], { nullable: true }) children?: ArgConversionNode[];
}

@InputType("ArgConversionBase")
class ArgConversionBase {
  @Field({ nullable: true }) shared?: string = "base default";
  @Field(() => Int, { nullable: true }) count?: number = undefined;
  @Field(() => ArgConversionNode, { nullable: true }) node?: ArgConversionNode;
}

@InputType("ArgConversionDerived")
class ArgConversionDerived extends ArgConversionBase {
  @Field(() => ArgConversionNode, { nullable: true }) override shared?: string;
  @Field(() => [[ArgConversionBase]], { nullable: true }) grid?: ArgConversionBase[][];
  @Field(() => Date, { nullable: true }) at?: Date;
}

@ArgsType()
class ArgConversionBaseArgs {
  @Field({ nullable: true }) shared?: string;
  @Field(() => ArgConversionDerived, { nullable: true }) derived?: ArgConversionDerived;
}

@ArgsType()
class ArgConversionArgs extends ArgConversionBaseArgs {
  @Field(() => ArgConversionNode, { nullable: true }) override shared?: string;
  @Field(() => [ArgConversionNode], { nullable: true }) nodes?: ArgConversionNode[];
}

interface ClassMetadata {
  target: unknown;
  fields?: { name: string; getType: () => unknown }[];
}

const storage = () =>
  getMetadataStorage() as unknown as Record<"inputTypes" | "argumentTypes", ClassMetadata[]>;

beforeAll(async () => {
  await buildClientSchema();
  await buildLedgerSchema();
  await buildTransferSchema();
  // `new Date()` (a Date field given an object) is the time of the call: the same in both runs.
  jest.useFakeTimers({ now: new Date("2026-01-02T03:04:05Z") });
});
afterAll(() => jest.useRealTimers());

/** The fields of `target` and of the classes it extends, as their metadata lists them. */
function fieldsOf(list: ClassMetadata[], target: unknown): { name: string; getType: () => unknown }[] {
  const fields = [];
  for (let at = target; at && (at as { prototype?: unknown }).prototype !== undefined;) {
    fields.push(...(list.find((type) => type.target === at)?.fields ?? []));
    at = Object.getPrototypeOf(at);
  }
  return fields;
}

/** A value for a field of type `type`, nested `depth` levels more at most. */
function valueOf(type: unknown, depth: number): fc.Arbitrary<unknown> {
  const isInput = storage().inputTypes.some((input) => input.target === type);
  if (!isInput || depth === 0) return oddValue;
  const item = objectOf(storage().inputTypes, type, depth - 1);
  return fc.oneof(
    item,
    item,
    fc.array(fc.oneof(item, fc.constant(null)), { maxLength: 3 }),
    fc.array(fc.array(item, { maxLength: 2 }), { maxLength: 2 }),
    oddValue,
  );
}

/** An object with some of `target`'s fields (missing, null, odd or right) and maybe an extra one. */
function objectOf(
  list: ClassMetadata[],
  target: unknown,
  depth: number,
): fc.Arbitrary<Record<string, unknown>> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of fieldsOf(list, target)) model[field.name] = valueOf(field.getType(), depth);
  model.extra = oddValue;
  return fc.record(model, { requiredKeys: [] });
}

/** What `convert` answers, or the error it throws. */
function outcome(convert: () => unknown): { value?: unknown; error?: string } {
  try {
    return { value: convert() };
  } catch (error) {
    return { error: `${(error as Error).constructor.name}: ${(error as Error).message}` };
  }
}

/** Where `actual` differs from `expected` (prototypes, own keys in order, values), or undefined. */
function difference(actual: unknown, expected: unknown, at = "$"): string | undefined {
  if (typeof expected !== "object" || expected === null || typeof actual !== "object" || actual === null) {
    return Object.is(actual, expected) ? undefined : `${at}: ${String(actual)} is not ${String(expected)}`;
  }
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${at}: another prototype`;
  if (expected instanceof Date)
    return (actual as Date).getTime() === expected.getTime() ? undefined : `${at}: date`;
  const keys = Reflect.ownKeys(expected);
  const actualKeys = Reflect.ownKeys(actual);
  if (keys.join() !== actualKeys.join()) return `${at}: keys ${actualKeys.join()} are not ${keys.join()}`;
  for (const key of keys) {
    const found = difference(
      (actual as Record<string | symbol, unknown>)[key],
      (expected as Record<string | symbol, unknown>)[key],
      `${at}.${String(key)}`,
    );
    if (found) return found;
  }
  return undefined;
}

function expectSame(ours: () => unknown, theirs: () => unknown): void {
  const expected = outcome(theirs);
  const actual = outcome(ours);
  expect(actual.error).toBe(expected.error);
  expect(difference(actual.value, expected.value)).toBeUndefined();
}

const named = (type: ClassMetadata) => (type.target as { name: string }).name;

describe("arguments converted with a plan per class", () => {
  it("covers the subgraphs' classes and the ones made here", () => {
    const names = [...storage().argumentTypes, ...storage().inputTypes].map(named);
    expect(names).toEqual(
      expect.arrayContaining(["CreatePaymentArgs", "PaymentBatchInput", "ArgConversionArgs"]),
    );
    expect(names.length).toBeGreaterThan(10);
  });

  it("When an args class is made of any arguments, then it is type-graphql's own result", () => {
    for (const type of storage().argumentTypes) {
      const param = { getType: () => type.target };
      fc.assert(
        fc.property(objectOf(storage().argumentTypes, type.target, 3), (args) =>
          expectSame(
            () => convertArgsToInstance(param, args),
            () => typeGraphql.convertArgsToInstance(param, args),
          ),
        ),
        { numRuns: 150 },
      );
    }
  });

  it("When an input argument is any value, a list or nothing, then it is type-graphql's own result", () => {
    for (const type of storage().inputTypes) {
      const param = { name: "value", getType: () => type.target };
      fc.assert(
        fc.property(fc.option(valueOf(type.target, 4), { nil: undefined }), (value) => {
          const args = { value };
          expectSame(
            () => convertArgToInstance(param, args),
            () => typeGraphql.convertArgToInstance(param, args),
          );
        }),
        { numRuns: 150 },
      );
    }
  });

  it("When a scalar or enum argument is any value, then it is type-graphql's own result", () => {
    for (const type of [String, Number, Boolean, Date, Int, { A: "A" }]) {
      const param = { name: "value", getType: () => type };
      fc.assert(
        fc.property(fc.oneof(oddValue, fc.array(oddValue, { maxLength: 3 })), (value) =>
          expectSame(
            () => convertArgToInstance(param, { value }),
            () => typeGraphql.convertArgToInstance(param, { value }),
          ),
        ),
        { numRuns: 100 },
      );
    }
  });

  it("When an input type holds itself, then every level is an instance of its class", () => {
    const args = {
      nodes: [{ label: "a", child: { child: { label: "c" } }, children: [null, { label: "d" }] }],
    };
    const converted = convertArgsToInstance({ getType: () => ArgConversionArgs }, args) as ArgConversionArgs;
    const node = converted.nodes![0];
    expect(node).toBeInstanceOf(ArgConversionNode);
    expect(node.child!.child).toBeInstanceOf(ArgConversionNode);
    expect(node.children![1]).toBeInstanceOf(ArgConversionNode);
    expect(node.children![0]).toBeNull();
  });

  it("When a nested value were left a plain object, then the comparison would see it", () => {
    const args = { derived: { node: { label: "a" } } };
    const expected = typeGraphql.convertArgsToInstance({ getType: () => ArgConversionArgs }, args);
    const broken = convertArgsToInstance({ getType: () => ArgConversionArgs }, args) as ArgConversionArgs;
    expect(difference(broken, expected)).toBeUndefined();
    (broken.derived as { node?: unknown }).node = { label: "a" };
    expect(difference(broken, expected)).toBe("$.derived.node: another prototype");
  });
});
