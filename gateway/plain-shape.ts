/**
 * Result shaping for the one-fetch path (gateway/one-fetch.ts) when the operation is plain: only
 * fields, on object types, without directives, fragments, `__typename` or introspection. For
 * those, @apollo/gateway's `computeResponse` copies the subgraph's answer field by field and checks
 * it against the API schema (a null where the schema says non-null, a leaf value of the wrong
 * kind); but it also reads every selection's directives, copies the variables and goes through the
 * operation's getters for each field of each answer, which cost more than the copying (decision
 * 0065). A {@link PlainShape} is that walk planned once per operation.
 *
 * It covers the answers that shape without a finding: every value present where it must be and of
 * the right kind. Anything else (a null to bubble up, an invalid leaf, a `__typename` in the
 * answer, a value of the wrong structure) gives {@link UNSHAPED}, and the caller shapes the same
 * answer with `computeResponse`, which reports it as it always has. The objects it builds are
 * plain ones (computeResponse makes prototype-less ones, which JSON.stringify writes on its slow
 * path); no response name is `__proto__`, so no key can become a prototype.
 */
import {
  isCompositeType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isCustomScalarType,
  type EnumType,
  type Operation,
  type ScalarType,
  type Schema,
  type SelectionSet,
  type Type,
  typenameFieldName,
} from "@apollo/federation-internals";

// Read once: the package's re-exports are getters, run on every read.
const TYPENAME = typenameFieldName;

/** How one value of an answer is shaped. */
type ValueShape =
  | { kind: "nonNull"; of: ValueShape }
  | { kind: "list"; of: ValueShape }
  | { kind: "object"; fields: FieldShape[] }
  | { kind: "leaf"; valid: (value: unknown) => boolean };

interface FieldShape {
  /** The response name (the alias, if any). */
  name: string;
  shape: ValueShape;
}

/** An operation's shaping, planned: its root fields. */
export interface PlainShape {
  root: FieldShape[];
}

/** The answer does not shape without a finding: `computeResponse` is to shape it. */
export const UNSHAPED: unique symbol = Symbol("unshaped");

/** The {@link PlainShape} of `operation`, or undefined when it is not plain. */
export function planPlainShape(operation: Operation): PlainShape | undefined {
  const root = fieldShapes(operation.selectionSet, operation.schema());
  return root && { root };
}

function fieldShapes(selectionSet: SelectionSet, schema: Schema): FieldShape[] | undefined {
  const fields: FieldShape[] = [];
  const names = new Set<string>();
  for (const selection of selectionSet.selections()) {
    if (selection.kind !== "FieldSelection") return undefined;
    const field = selection.element;
    if (
      field.appliedDirectives.length > 0 ||
      field.name === typenameFieldName ||
      field.definition.isSchemaIntrospectionField()
    )
      return undefined;
    const name = field.responseName();
    if (name === "__proto__" || names.has(name)) return undefined;
    names.add(name);
    const shape = valueShape(field.definition.type!, selection.selectionSet, schema);
    if (!shape) return undefined;
    fields.push({ name, shape });
  }
  return fields;
}

function valueShape(
  type: Type,
  selectionSet: SelectionSet | undefined,
  schema: Schema,
): ValueShape | undefined {
  if (isNonNullType(type) || isListType(type)) {
    const of = valueShape(type.ofType, selectionSet, schema);
    return of && { kind: isNonNullType(type) ? "nonNull" : "list", of };
  }
  if (isCompositeType(type)) {
    // An interface or union: the answer's `__typename` decides its fields, which is not plain.
    if (!isObjectType(type) || !selectionSet) return undefined;
    const fields = fieldShapes(selectionSet, schema);
    return fields && { kind: "object", fields };
  }
  if (!isScalarType(type) && !isEnumType(type)) return undefined;
  return { kind: "leaf", valid: leafCheck(schema, type) };
}

/** As in @apollo/federation-internals' values.js. */
const INTEGER = /^-?(?:0|[1-9][0-9]*)$/;

/**
 * `isValidLeafValue(schema, value, type)` of @apollo/federation-internals 2.14, with what depends
 * only on the type worked out once: a custom scalar takes anything, an enum its values' names, a
 * built-in scalar the JSON values of its kind (an `ID` a string or an integer).
 */
export function leafCheck(schema: Schema, type: ScalarType | EnumType): (value: unknown) => boolean {
  if (isCustomScalarType(type)) return () => true;
  if (isEnumType(type)) return (value) => typeof value === "string" && type.value(value) !== undefined;
  const integer = (value: unknown) =>
    typeof value === "number" && Number.isFinite(value) && INTEGER.test(String(value));
  switch (type) {
    case schema.booleanType():
      return (value) => typeof value === "boolean";
    case schema.intType():
      return integer;
    case schema.idType():
      return (value) => typeof value === "string" || integer(value);
    case schema.floatType():
      return (value) => typeof value === "number" && Number.isFinite(value);
    default:
      return (value) => typeof value === "string";
  }
}

/**
 * The data of an answer shaped by `shape`: what `computeResponse` gives for it, as plain objects,
 * or {@link UNSHAPED} when it would report anything (or when the answer is not what it expects).
 */
export function shapePlain(
  shape: PlainShape,
  data: Record<string, unknown>,
): Record<string, unknown> | typeof UNSHAPED {
  return shapeFields(shape.root, data);
}

function shapeFields(fields: FieldShape[], input: object): Record<string, unknown> | typeof UNSHAPED {
  if (Object.hasOwn(input, TYPENAME)) return UNSHAPED;
  const output: Record<string, unknown> = {};
  for (const { name, shape } of fields) {
    const value = shapeValue(
      shape,
      Object.hasOwn(input, name) ? ((input as Record<string, unknown>)[name] ?? null) : null,
    );
    if (value === UNSHAPED) return UNSHAPED;
    output[name] = value;
  }
  return output;
}

function shapeValue(shape: ValueShape, input: unknown): unknown {
  if (shape.kind === "nonNull") {
    const value = input === null ? null : shapeValue(shape.of, input);
    return value === null ? UNSHAPED : value;
  }
  if (input === null) return null;
  switch (shape.kind) {
    case "leaf":
      return shape.valid(input) ? input : UNSHAPED;
    case "object":
      return typeof input === "object" && !Array.isArray(input) ? shapeFields(shape.fields, input) : UNSHAPED;
    case "list": {
      if (!Array.isArray(input)) return UNSHAPED;
      const output = new Array<unknown>(input.length);
      for (let i = 0; i < input.length; i++) {
        const item = input[i] === undefined ? UNSHAPED : shapeValue(shape.of, input[i]);
        if (item === UNSHAPED) return UNSHAPED;
        output[i] = item;
      }
      return output;
    }
  }
}
