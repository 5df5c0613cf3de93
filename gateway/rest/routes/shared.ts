/** What the route modules share: DTO shaping, list pages, id checks on bodies, the idempotency header. */
import { isUuid } from "../../../common/ids";
import type { GraphQLObjectType, GraphQLSchema } from "graphql";
import { type FieldError, validationError } from "../../../common/errors";
import { toRest } from "../convert";
import { jsonSchemaOfType, type JsonSchema } from "../json-schema";
import type { HeaderParameter } from "../route";

/** A GraphQL object of `typeName` (or a list of them) with enum values in the documented spelling. */
export function dto(value: unknown, schema: GraphQLSchema, typeName: string): unknown {
  const type = schema.getType(typeName) as GraphQLObjectType;
  return Array.isArray(value) ? value.map((item) => toRest(item, type)) : toRest(value, type);
}

/** The operation's field as a DTO; `undefined` (404) when it is null. */
export function dtoOrNotFound(field: string, typeName: string) {
  return (data: Record<string, unknown>, schema: GraphQLSchema) =>
    data[field] ? dto(data[field], schema, typeName) : undefined;
}

/** A connection as the documented list value `{items, totalCount, pageInfo}`. */
export function page(field: string, typeName: string) {
  return (data: Record<string, unknown>, schema: GraphQLSchema) => {
    const connection = data[field] as { totalCount: number; pageInfo: unknown; nodes: unknown[] };
    return {
      items: dto(connection.nodes, schema, typeName),
      totalCount: connection.totalCount,
      pageInfo: connection.pageInfo,
    };
  };
}

export function pageSchema(schema: GraphQLSchema, item: JsonSchema): JsonSchema {
  return {
    type: "object",
    properties: {
      items: { type: "array", items: item },
      totalCount: { type: "integer" },
      pageInfo: jsonSchemaOfType(schema, "PageInfo"),
    },
  };
}

/**
 * Ids in a body must be UUIDs (400 `isUuid` naming the field), as path ids are: a malformed
 * id is the caller's mistake, not an id that names nothing. A list is checked item by item.
 */
export function requireUuids(values: Record<string, unknown>): void {
  const problems: FieldError[] = [];
  for (const [field, value] of Object.entries(values)) {
    const items: Array<[string, unknown]> = Array.isArray(value)
      ? value.map((item, index) => [`${field}.${index}`, item])
      : [[field, value]];
    for (const [name, item] of items) {
      if (item !== undefined && item !== null && !isUuid(item)) {
        problems.push({ field: name, rule: "isUuid", message: `${name} must be a UUID` });
      }
    }
  }
  if (problems.length) throw validationError(problems);
}

/** The body's field `name` when the body is an object. */
export function field(body: unknown, name: string): unknown {
  return body && typeof body === "object" ? (body as Record<string, unknown>)[name] : undefined;
}

export const PAGE_QUERY = {
  first: { description: "Page size, 1 to 100 (default 20)", graphqlType: "Int" },
  after: { description: "`pageInfo.endCursor` of the previous page", graphqlType: "String" },
};

/** The `Idempotency-Key` header of a route that acts once per key on one `what` (payment, transfer). */
export function idempotencyKeyHeader(what: string): Record<string, HeaderParameter> {
  return {
    "Idempotency-Key": {
      description: `Any unique string up to 200 characters, kept per client. The same key with the same request answers the same ${what} (as it is now) and moves nothing again; with another request it is refused (409 IDEMPOTENCY_KEY_REUSED).`,
      required: true,
    },
  };
}

/** The subgraph names `input.amount` and `idempotencyKey`; REST names `amount` and the header. */
export function restFieldName(graphqlField: string): string {
  return graphqlField === "idempotencyKey" ? "Idempotency-Key" : graphqlField.replace(/^input\./, "");
}
