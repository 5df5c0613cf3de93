/**
 * JSON Schemas of REST bodies, derived from the supergraph's GraphQL types with enum
 * values in the documentation's spelling. Lengths and patterns are enforced by the
 * subgraph and listed in the README, not repeated here.
 */
import {
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
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
