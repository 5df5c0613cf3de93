/**
 * JSON Schemas of REST bodies, derived from the supergraph's GraphQL types with enum
 * values in the documentation's spelling. Lengths and patterns are enforced by the
 * subgraph and listed in the README, not repeated here.
 */
import {
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  Kind,
  parse,
  type SelectionSetNode,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from "graphql";
import { toRestSpelling } from "../../common/enum-spelling";

export type JsonSchema = Record<string, unknown>;

const SCALARS: Record<string, JsonSchema> = {
  String: { type: "string" },
  ID: { type: "string" },
  Int: { type: "integer", format: "int32" },
  Float: { type: "number" },
  Boolean: { type: "boolean" },
  DateTimeISO: { type: "string", format: "date-time" },
  JSONObject: { type: "object", additionalProperties: true },
};

function nullable(schema: JsonSchema): JsonSchema {
  return { ...schema, nullable: true };
}

/** The schema of a GraphQL input or output type (all fields of objects, or only `fields`). */
export function jsonSchemaOf(type: GraphQLInputType | GraphQLOutputType, fields?: string[]): JsonSchema {
  if (isNonNullType(type)) return strict(jsonSchemaOf(type.ofType, fields));
  return nullable(strict(jsonSchemaOfNullable(type, fields)));
}

function strict(schema: JsonSchema): JsonSchema {
  const { nullable: _ignored, ...rest } = schema;
  return rest;
}

function jsonSchemaOfNullable(type: GraphQLInputType | GraphQLOutputType, fields?: string[]): JsonSchema {
  if (isListType(type)) return { type: "array", items: jsonSchemaOf(type.ofType) };
  if (isEnumType(type)) return { type: "string", enum: type.getValues().map((v) => toRestSpelling(v.name)) };
  if (isScalarType(type)) return SCALARS[type.name] ?? { type: "string" };
  if (isInputObjectType(type) || isObjectType(type)) {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const field of Object.values(type.getFields())) {
      if (fields && !fields.includes(field.name)) continue;
      if (isObjectType(type) && field.args.length > 0) continue;
      properties[field.name] = {
        ...jsonSchemaOf(field.type),
        ...(field.description ? { description: field.description } : {}),
      };
      if (isNonNullType(field.type) && isInputObjectType(type)) required.push(field.name);
    }
    return { type: "object", ...(required.length ? { required } : {}), properties };
  }
  return {};
}

/** The schema of a named type of `schema`. */
export function jsonSchemaOfType(schema: GraphQLSchema, typeName: string, fields?: string[]): JsonSchema {
  const type = schema.getType(typeName);
  if (!type || !(isObjectType(type) || isInputObjectType(type) || isEnumType(type) || isScalarType(type))) {
    throw new Error(`the supergraph has no type ${typeName}`);
  }
  return strict(jsonSchemaOf(getNamedType(type) as GraphQLInputType, fields));
}

/**
 * The schema of what a GraphQL fragment selects (`fragment AccountDto on Account {...}`):
 * only the selected fields, nested selections followed, so a DTO's schema is exactly its
 * answer even where the types refer to each other (Account -> Client -> Account).
 */
export function jsonSchemaOfFragment(schema: GraphQLSchema, fragment: string): JsonSchema {
  const definition = parse(fragment).definitions[0];
  if (definition?.kind !== Kind.FRAGMENT_DEFINITION) throw new Error("a fragment definition expected");
  const type = schema.getType(definition.typeCondition.name.value);
  if (!type || !isObjectType(type)) throw new Error(`the supergraph has no object type ${String(type)}`);
  return selectionSchema(type, definition.selectionSet);
}

function selectionSchema(type: GraphQLObjectType, selectionSet: SelectionSetNode): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const selection of selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) throw new Error("DTO fragments select plain fields only");
    const field = type.getFields()[selection.name.value];
    if (!field) throw new Error(`${type.name} has no field ${selection.name.value}`);
    const { selectionSet: nested } = selection;
    const fieldSchema = nested
      ? wrapped(field.type, (named) => selectionSchema(named, nested))
      : jsonSchemaOf(field.type);
    properties[selection.alias?.value ?? field.name] = {
      ...fieldSchema,
      ...(field.description ? { description: field.description } : {}),
    };
  }
  return { type: "object", properties };
}

/** `type` with its list and null wrappers, the named object type's schema made by `inner`. */
function wrapped(type: GraphQLOutputType, inner: (named: GraphQLObjectType) => JsonSchema): JsonSchema {
  if (isNonNullType(type)) return strict(wrapped(type.ofType, inner));
  if (isListType(type)) return nullable({ type: "array", items: wrapped(type.ofType, inner) });
  if (!isObjectType(type)) throw new Error(`a selection on ${String(type)}, which is not an object type`);
  return nullable(inner(type));
}
