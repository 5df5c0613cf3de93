/**
 * A request's variables coerced by a plan made once per operation: the same object graphql-js's
 * `getVariableValues` answers (utilities/coerceInputValue.js, execution/values.js), without its
 * per-call costs (a null-prototype object spread at every input object, `Object.values` of every
 * field map). Whenever graphql-js would report an error, or this module is not sure, it answers
 * undefined and the caller asks graphql-js, whose errors are the ones clients see.
 */
import {
  type GraphQLInputObjectType,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type ValueNode,
  type VariableDefinitionNode,
  isEnumType,
  isInputObjectType,
  isInputType,
  isLeafType,
  isListType,
  isNonNullType,
  specifiedScalarTypes,
  typeFromAST,
  valueFromAST,
} from "graphql";

/** A request's variables coerced, or undefined (see {@link variableCoercer}). */
export type VariableCoercer = (values: Record<string, unknown>) => { [name: string]: unknown } | undefined;

/** Each operation's coercer, for the schema it was made for. */
const operationCoercers = new WeakMap<
  OperationDefinitionNode,
  { schema: GraphQLSchema; coerce: VariableCoercer }
>();

/**
 * `operation`'s {@link variableCoercer} over `schema`, made on first use and kept with the
 * operation (a parsed document's node: it goes when the document is forgotten).
 */
export function operationCoercer(schema: GraphQLSchema, operation: OperationDefinitionNode): VariableCoercer {
  let known = operationCoercers.get(operation);
  if (known?.schema !== schema) {
    known = { schema, coerce: variableCoercer(schema, operation.variableDefinitions ?? []) };
    operationCoercers.set(operation, known);
  }
  return known.coerce;
}

/** A value coerced to one type; undefined when graphql-js would report an error (it never
 * answers undefined for a value it accepts: a leaf parsed to undefined is an error). */
type Plan = (value: unknown) => unknown;

/** The plan of a named type for a value that is neither null nor undefined, per type object:
 * made once, and registered before its fields are planned so that a type holding itself works. */
const namedPlans = new WeakMap<GraphQLNamedType, Plan>();

const never: Plan = () => undefined;
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * The coercion graphql-js's `getVariableValues(schema, definitions, values)` does, made once for
 * an operation's variable definitions (cache it with the document). The function answers, for a
 * request's variables, exactly the `coerced` object graphql-js would answer (a plain object with
 * the variables in the order of their definitions; input objects plain objects with the fields in
 * the type's order, defaults applied, `field.defaultValue` by reference; lists as arrays; leaves
 * as their type's `parseValue` answers), or undefined when graphql-js would report any error and
 * in the rare cases this does not reproduce (values not an object, a name `__proto__`). Never a
 * value where graphql-js has errors, never another value.
 */
export function variableCoercer(
  schema: GraphQLSchema,
  definitions: readonly VariableDefinitionNode[],
): VariableCoercer {
  const variables = definitions.map((definition) => variablePlan(schema, definition));
  return (values) => {
    // graphql-js reads `values` with hasOwnProperty; anything else than an object is left to it.
    if (typeof values !== "object" || values === null) return undefined;
    try {
      const coerced: { [name: string]: unknown } = {};
      for (const variable of variables) {
        if (variable === undefined) return undefined;
        const { name } = variable;
        if (!hasOwn.call(values, name)) {
          // Absent: the default, made again per request (it may be a fresh object graphql-js would
          // not share between requests), kept even when undefined as graphql-js keeps it.
          if (variable.defaultNode) coerced[name] = variable.defaultValue();
          else if (variable.required) return undefined;
          continue;
        }
        const value = variable.plan(values[name]);
        if (value === undefined) return undefined;
        coerced[name] = value;
      }
      return coerced;
    } catch {
      // A getter or an iterator that throws: graphql-js catches it as an error too.
      return undefined;
    }
  };
}

interface VariablePlan {
  name: string;
  plan: Plan;
  required: boolean;
  defaultNode: ValueNode | undefined;
  defaultValue: () => unknown;
}

/** One variable's plan, or undefined for one graphql-js refuses (not an input type) or this does
 * not reproduce (a variable `$__proto__` would set the result's prototype here). */
function variablePlan(schema: GraphQLSchema, definition: VariableDefinitionNode): VariablePlan | undefined {
  const name = definition.variable.name.value;
  const type = typeFromAST(schema, definition.type);
  if (!isInputType(type) || name === "__proto__") return undefined;
  const defaultNode = definition.defaultValue;
  let defaultValue = () => (defaultNode ? valueFromAST(defaultNode, type) : undefined);
  const leaf = isNonNullType(type) ? type.ofType : type;
  if (
    defaultNode &&
    (isEnumType(leaf) || (isLeafType(leaf) && (specifiedScalarTypes as readonly unknown[]).includes(leaf)))
  ) {
    // A built-in scalar's or an enum's literal is the same primitive or enum value every time.
    const constant = defaultValue();
    defaultValue = () => constant;
  }
  return { name, plan: planOf(type), required: isNonNullType(type), defaultNode, defaultValue };
}

/** The plan of any input type: null and undefined are null, or an error when the type is
 * non-null (graphql-js does not look at what a non-null type wraps for them). */
function planOf(type: GraphQLInputType): Plan {
  if (isNonNullType(type)) {
    const inner = nonNullPlanOf(type.ofType);
    return (value) => (value == null ? undefined : inner(value));
  }
  const inner = nonNullPlanOf(type);
  return (value) => (value == null ? null : inner(value));
}

/** The plan of a nullable type for a value known to be neither null nor undefined. */
function nonNullPlanOf(type: GraphQLInputType): Plan {
  if (isListType(type)) return listPlan(planOf(type.ofType as GraphQLInputType));
  if (isNonNullType(type)) return never; // a non-null of a non-null: not a valid type
  const known = namedPlans.get(type);
  if (known) return known;
  if (isInputObjectType(type)) return objectPlan(type);
  const parse = isEnumType(type)
    ? // graphql-js passes its `hideSuggestions` option, undefined by default.
      (value: unknown): unknown => type.parseValue(value, undefined)
    : (value: unknown): unknown => type.parseValue(value);
  const plan: Plan = (value) => {
    try {
      return parse(value);
    } catch {
      return undefined; // graphql-js turns the throw into an error
    }
  };
  namedPlans.set(type, plan);
  return plan;
}

/** Lists: an iterable object item by item (as `Array.from`, the array always a plain one), any
 * other value as a list of one. */
function listPlan(item: Plan): Plan {
  return (value) => {
    const iterable = value as { [Symbol.iterator]?: unknown };
    if (typeof value === "object" && typeof iterable[Symbol.iterator] === "function") {
      const list: unknown[] = [];
      for (const element of value as Iterable<unknown>) {
        const coerced = item(element);
        if (coerced === undefined) return undefined;
        list.push(coerced);
      }
      return list;
    }
    const coerced = item(value);
    return coerced === undefined ? undefined : [coerced];
  };
}

interface FieldPlan {
  name: string;
  plan: Plan;
  required: boolean;
  defaultValue: unknown;
}

/** Input objects: a plain object (graphql-js spreads its null-prototype one) with the type's
 * fields in their order; a field read through the prototype chain as graphql-js reads it, and
 * any own key the type does not declare an error (graphql-js checks `Object.keys`). */
function objectPlan(type: GraphQLInputObjectType): Plan {
  let fields: FieldPlan[] = [];
  let names = new Set<string>();
  let usable = true;
  const oneOf = type.isOneOf === true;
  const plan: Plan = (value) => {
    if (!usable || typeof value !== "object" || Array.isArray(value)) return undefined;
    const input = value as Record<string, unknown>;
    const coerced: Record<string, unknown> = {};
    let count = 0;
    let last: unknown;
    for (const field of fields) {
      const given = input[field.name];
      let result: unknown;
      if (given === undefined) {
        if (field.defaultValue === undefined) {
          if (field.required) return undefined;
          continue;
        }
        result = field.defaultValue; // the same reference graphql-js answers
      } else {
        result = field.plan(given);
        if (result === undefined) return undefined;
      }
      coerced[field.name] = result;
      count += 1;
      last = result;
    }
    for (const key of Object.keys(input)) if (!names.has(key)) return undefined;
    // OneOf: exactly one field, and not null (graphql-js's own two checks).
    if (oneOf && (count !== 1 || last === null)) return undefined;
    return coerced;
  };
  namedPlans.set(type, plan);
  const defs = Object.values(type.getFields());
  // A field `__proto__` would set the prototype here where graphql-js's spread makes a key.
  usable = defs.every((field) => field.name !== "__proto__");
  names = new Set(defs.map((field) => field.name));
  fields = defs.map((field) => ({
    name: field.name,
    plan: planOf(field.type),
    required: isNonNullType(field.type),
    defaultValue: field.defaultValue,
  }));
  return plan;
}
