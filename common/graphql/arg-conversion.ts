/**
 * Arguments converted to their classes as type-graphql converts them (its
 * resolvers/convert-args.js), without its look-ups on every call. type-graphql finds a class's
 * metadata with a linear `.find` over the storage, walks the superclasses and, for an input
 * type, rebuilds the list of fields and finds each field's input type again, per argument and
 * per call: a few percent of the ledger's JavaScript per payment. Here each class's plan (its
 * fields with superclasses', each field's type and, for an input type, the plan of its input
 * type) is made once, when first needed, and only applied afterwards. The result is the same,
 * value for value: same classes, own keys in the same order, undefined fields left out
 * (test/unit/arg-conversion.test.ts compares both on every class of the three subgraphs).
 */
import { GraphQLScalarType } from "graphql";
import { getMetadataStorage } from "type-graphql";

/** What type-graphql's metadata says of a parameter of kind `arg` or `args`. */
export interface ArgParam {
  name?: string;
  getType?: () => unknown;
}

interface FieldMetadata {
  name: string;
  getType: () => unknown;
}

interface ClassMetadata {
  target: unknown;
  fields?: FieldMetadata[];
}

type Target = new () => Record<string, unknown>;

/** One field of a plan: its type and, if that type is an input type, the plan of that type. */
interface FieldPlan {
  name: string;
  target: unknown;
  nested: InputPlan | undefined;
}

/** An input type's class with its fields, superclasses' after its own (its names win). */
interface InputPlan {
  target: unknown;
  fields: FieldPlan[];
}

/** An args type's class with its fields, superclasses' after its own (kept twice, as type-graphql does). */
interface ArgsPlan {
  target: unknown;
  fields: { name: string; target: unknown }[];
}

/** Plans of input types by class; null for a class that is not an input type. */
const inputPlans = new Map<unknown, InputPlan | null>();
const argsPlans = new Map<unknown, ArgsPlan>();

/** The same values type-graphql's `convertToType` (helpers/types.js) returns as they are. */
const SIMPLE_TYPES: unknown[] = [String, Boolean, Number, Date, Array, Promise];

/**
 * type-graphql's `convertToType`, step for step: null, undefined, a scalar's value, a string,
 * number, boolean, date, array or promise, and an instance of the class already are answers;
 * anything else is copied onto `new Target()`, without the keys the constructor left
 * undefined and the data does not have.
 */
export function convertToType(target: unknown, data: unknown): unknown {
  if (data == null) return data;
  if (target instanceof GraphQLScalarType) return data;
  if (SIMPLE_TYPES.includes((data as { constructor?: unknown }).constructor)) return data;
  if (data instanceof (target as Target)) return data;
  if (Array.isArray(data)) return data.map((item) => convertToType(target, item));
  const instance = new (target as Target)();
  for (const key of Object.keys(instance)) {
    if (instance[key] === undefined && !(key in (data as object))) delete instance[key];
  }
  return Object.assign(instance, data);
}

/** The value of the `arg` parameter `param` among the operation's `args`, converted. */
export function convertArgToInstance(param: ArgParam, args: Record<string, unknown>): unknown {
  return convertValues(param.getType!(), args[param.name!]);
}

/** The `args` parameter `param`'s class made of the operation's `args`, converted. */
export function convertArgsToInstance(param: ArgParam, args: Record<string, unknown>): unknown {
  const plan = argsPlan(param.getType!());
  const converted: Record<string, unknown> = {};
  for (const field of plan.fields) {
    const value = args[field.name];
    if (value !== undefined) converted[field.name] = convertValues(field.target, value);
  }
  return convertToType(plan.target, converted);
}

/** type-graphql's `convertValuesToInstances`: lists item by item, each value to its class. */
function convertValues(target: unknown, value: unknown): unknown {
  if (value == null) return value;
  if (Array.isArray(value)) return value.map((item) => convertValues(target, item));
  const plan = inputPlan(target);
  return plan ? convertInput(plan, value) : convertToType(target, value);
}

/** type-graphql's `convertToInput`: an input type's value, its fields first, then itself. */
function convertInput(plan: InputPlan, data: unknown): unknown {
  if (data == null) return data;
  if (Array.isArray(data)) return data.map((item) => convertInput(plan, item));
  const converted: Record<string, unknown> = {};
  for (const field of plan.fields) {
    const value = (data as Record<string, unknown>)[field.name];
    if (value === undefined) continue;
    const nested = field.nested;
    if (value === null || !nested) converted[field.name] = convertToType(field.target, value);
    else if (Array.isArray(value)) converted[field.name] = value.map((item) => convertInput(nested, item));
    else converted[field.name] = convertInput(nested, value);
  }
  return convertToType(plan.target, converted);
}

/**
 * The plan of `target` if it is an input type, else null; made on first use, registered before
 * its fields are planned so that an input type holding itself (or one holding it) shares it.
 */
function inputPlan(target: unknown): InputPlan | null {
  const known = inputPlans.get(target);
  if (known !== undefined) return known;
  const metadata = inputType(target);
  if (!metadata) {
    inputPlans.set(target, null);
    return null;
  }
  const plan: InputPlan = { target: metadata.target, fields: [] };
  inputPlans.set(target, plan);
  let fields = metadata.fields ?? [];
  for (const superClass of superClasses(metadata.target)) {
    const names = new Set(fields.map((field) => field.name));
    const inherited = inputType(superClass)?.fields ?? [];
    fields = [...fields, ...inherited.filter((field) => !names.has(field.name))];
  }
  for (const field of fields) {
    const fieldTarget = field.getType();
    plan.fields.push({ name: field.name, target: fieldTarget, nested: inputPlan(fieldTarget) ?? undefined });
  }
  return plan;
}

/** The plan of the args type `target`, made on first use. */
function argsPlan(target: unknown): ArgsPlan {
  let plan = argsPlans.get(target);
  if (plan) return plan;
  const metadata = argsType(target);
  if (!metadata) throw new TypeError(`${String(target)} is not an args type`);
  let fields = metadata.fields ?? [];
  for (const superClass of superClasses(metadata.target)) {
    fields = [...fields, ...(argsType(superClass)?.fields ?? [])];
  }
  plan = {
    target: metadata.target,
    fields: fields.map((field) => ({ name: field.name, target: field.getType() })),
  };
  argsPlans.set(target, plan);
  return plan;
}

/** The classes `target` extends, nearest first (as type-graphql walks them). */
function superClasses(target: unknown): unknown[] {
  const found: unknown[] = [];
  let superClass = Object.getPrototypeOf(target) as { prototype?: unknown };
  while (superClass.prototype !== undefined) {
    found.push(superClass);
    superClass = Object.getPrototypeOf(superClass) as { prototype?: unknown };
  }
  return found;
}

function inputType(target: unknown): ClassMetadata | undefined {
  return (getMetadataStorage().inputTypes as ClassMetadata[]).find((type) => type.target === target);
}

function argsType(target: unknown): ClassMetadata | undefined {
  return (getMetadataStorage().argumentTypes as ClassMetadata[]).find((type) => type.target === target);
}
