/** What the route modules share: DTO shaping, list pages and their operations, the idempotency header. */
import type { GraphQLObjectType, GraphQLSchema } from "graphql";
import { toRest } from "../convert";
import { jsonSchemaOfType, type JsonSchema } from "../json-schema";
import type { DocumentedBinding } from "../route";

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
 * A query of one page of the connection `field`, its nodes selected by `fragment`. `filter` is
 * the type of a `$filter` variable (a search body's `filter`), or the filter's fields, each a
 * variable of that name -> its GraphQL type; `fixed` are filter fields the path decides
 * (`kind: OUTGOING`).
 */
export function pageOperation(
  name: string,
  field: string,
  filter: string | Record<string, string>,
  fragment: string,
  fixed: Record<string, string> = {},
): string {
  const [variables, argument] =
    typeof filter === "string"
      ? [`$filter: ${filter}`, "$filter"]
      : [
          Object.entries(filter)
            .map(([key, type]) => `$${key}: ${type}`)
            .join(", "),
          `{ ${[
            ...Object.entries(fixed).map(([key, value]) => `${key}: ${value}`),
            ...Object.keys(filter).map((key) => `${key}: $${key}`),
          ].join(", ")} }`,
        ];
  const dtoName = /fragment (\w+)/.exec(fragment)![1];
  return `query ${name}(${variables}, $first: Int, $after: String) {
  ${field}(filter: ${argument}, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { ...${dtoName} }
  }
} ${fragment}`;
}

export const PAGE_QUERY: Record<string, DocumentedBinding> = {
  first: { variable: "first", description: "Page size, 1 to 100 (default 20)" },
  after: { variable: "after", description: "`pageInfo.endCursor` of the previous page" },
};

/** The `Idempotency-Key` header of a route that acts once per key on one `what` (payment, transfer). */
export function idempotencyKeyHeader(what: string): Record<string, DocumentedBinding> {
  return {
    "Idempotency-Key": {
      variable: "idempotencyKey",
      description: `Any unique string up to 200 characters, kept per client. The same key with the same request answers the same ${what} (as it is now) and moves nothing again; with another request it is refused (409 IDEMPOTENCY_KEY_REUSED).`,
    },
  };
}
