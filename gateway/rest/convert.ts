/**
 * Moves values between the REST spelling and GraphQL: enum values change spelling
 * (`driverLicense` <-> `DRIVER_LICENSE`), and REST input is checked against the
 * operation's variable types with graphql-js' own coercion, so every type error names
 * its field path.
 */
import {
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLScalarType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  coerceInputValue,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
} from "graphql";
import { MapperKind, mapSchema } from "@graphql-tools/utils";
import { GraphQLDateTimeISO, GraphQLJSONObject } from "graphql-scalars";
import { toGraphQLEnumName, toRestSpelling } from "../../common/enum-spelling";
import { mapInputLeaves } from "../../common/graphql/input-values";
import type { FieldError } from "../../common/errors";
import { variableTypesOf } from "./operation";

/** REST input -> GraphQL variable value: enum spellings converted, everything else untouched. */
export function fromRest(value: unknown, type: GraphQLInputType): unknown {
  return mapInputLeaves(value, type, (leaf, leafType) =>
    isEnumType(leafType) && typeof leaf === "string" ? toGraphQLEnumName(leaf) : leaf,
  );
}

/** Converts REST spellings to GraphQL for every variable the operation declares (others are dropped). */
export function restVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const [name, type] of variableTypesOf(schema, operation)) {
    if (raw[name] !== undefined) variables[name] = fromRest(raw[name], type);
  }
  return variables;
}

/** GraphQL result -> REST: enum values in the documented spelling. */
export function toRest(value: unknown, type: GraphQLOutputType): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return toRest(value, type.ofType);
  if (isListType(type)) return (value as unknown[]).map((item) => toRest(item, type.ofType));
  if (isEnumType(type)) return toRestSpelling(String(value));
  if (isObjectType(type)) {
    const fields = type.getFields();
    return Object.fromEntries(
      Object.entries(value as Record<string, unknown>).map(([key, item]) => [
        key,
        fields[key] ? toRest(item, fields[key].type) : item,
      ]),
    );
  }
  return value;
}

/** The REST field name of a coercion problem: the path inside the variable, or the variable itself. */
function fieldName(variable: string, path: ReadonlyArray<string | number>, stripVariable: boolean): string {
  const parts = path.map(String);
  if (parts.length === 0) return variable;
  return stripVariable ? parts.join(".") : [variable, ...parts].join(".");
}

/**
 * The supergraph knows custom scalars by name only, so any value would pass them here and be
 * refused by the subgraph instead, which reaches the gateway as a fault. The shim checks them
 * with the scalars the subgraphs use, so a bad date or metadata is a 400 naming its field.
 */
const SUBGRAPH_SCALARS: Record<string, GraphQLScalarType> = {
  DateTimeISO: GraphQLDateTimeISO,
  JSONObject: GraphQLJSONObject,
};
const checkingSchemas = new WeakMap<GraphQLSchema, GraphQLSchema>();

function checkingSchema(schema: GraphQLSchema): GraphQLSchema {
  let checking = checkingSchemas.get(schema);
  if (!checking) {
    checking = mapSchema(schema, {
      [MapperKind.SCALAR_TYPE]: (type) => SUBGRAPH_SCALARS[type.name] ?? type,
    });
    checkingSchemas.set(schema, checking);
  }
  return checking;
}

/**
 * Checks `variables` against the operation's variable definitions. Returns one
 * {@link FieldError} per problem (never throws). Field paths of the `flattened` variables
 * are given without the variable (`address.city`, not `input.address.city`).
 */
export function checkVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  flattened: string[],
): FieldError[] {
  const problems: FieldError[] = [];
  for (const [variable, type] of variableTypesOf(checkingSchema(schema), operation)) {
    const value = variables[variable];
    if (value === undefined && !isNonNullType(type)) continue;
    coerceInputValue(value ?? null, type, (path, invalid, error) => {
      const expected = typeAt(type, path);
      problems.push(describe(variable, path, invalid, error.message, flattened.includes(variable), expected));
    });
  }
  return problems;
}

/** The input type found at `path` inside `type`, if any. */
function typeAt(type: GraphQLInputType, path: ReadonlyArray<string | number>): GraphQLInputType | undefined {
  let current: GraphQLInputType | undefined = type;
  for (const step of path) {
    while (current && isNonNullType(current)) current = current.ofType;
    if (current && isListType(current) && typeof step === "number") current = current.ofType;
    else if (current && isInputObjectType(current) && typeof step === "string")
      current = current.getFields()[step]?.type;
    else return undefined;
  }
  while (current && isNonNullType(current)) current = current.ofType;
  return current;
}

function describe(
  variable: string,
  path: ReadonlyArray<string | number>,
  invalid: unknown,
  message: string,
  stripVariable: boolean,
  expected: GraphQLInputType | undefined,
): FieldError {
  const missing = /^Field "([^"]+)" of required type "[^"]+" was not provided/.exec(message);
  if (missing) {
    const field = fieldName(variable, [...path, missing[1]], stripVariable);
    return { field, rule: "required", message: `${field} is required` };
  }
  const unknown = /^Field "([^"]+)" is not defined by type/.exec(message);
  if (unknown) {
    const field = fieldName(variable, [...path, unknown[1]], stripVariable);
    return { field, rule: "unknownField", message: `${field} is not a field of this request` };
  }
  const field = fieldName(variable, path, stripVariable) || "body";
  if (invalid === null && /non-nullable|non-null/.test(message)) {
    return { field, rule: "required", message: `${field} is required` };
  }
  if (expected && isEnumType(expected)) {
    const allowed = expected.getValues().map((v) => toRestSpelling(v.name));
    return { field, rule: "enum", message: `${field} must be one of: ${allowed.join(", ")}` };
  }
  return { field, rule: "type", message: `${field}: ${message}` };
}
