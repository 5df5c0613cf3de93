/** What the route modules share: DTOs, list pages (`GET` with query filters, `POST` searches), the idempotency header. */
import type { GraphQLObjectType, GraphQLSchema } from "graphql";
import { toRest } from "../convert";
import { jsonSchemaOfFragment, jsonSchemaOfType, type JsonSchema } from "../json-schema";
import type { DocumentedBinding, RestRoute, RouteInput } from "../route";

/** A GraphQL object of `typeName` (or a list of them) with enum values in the documented spelling. */
export function dto(value: unknown, schema: GraphQLSchema, typeName: string): unknown {
  const type = schema.getType(typeName) as GraphQLObjectType;
  return Array.isArray(value) ? value.map((item) => toRest(item, type)) : toRest(value, type);
}

/** A documented DTO: the fragment that selects it, its OpenAPI component, and its REST form. */
export interface Dto {
  /** `AccountDto` */
  name: string;
  /** `fragment AccountDto on Account { ... }` */
  fragment: string;
  /** `{ $ref: "#/components/schemas/AccountDto" }` */
  ref: JsonSchema;
  /** The component's name and schema, for the OpenAPI document. */
  component(schema: GraphQLSchema): Record<string, JsonSchema>;
  /** A value (or a list) of the fragment's type in its documented form. */
  toRest(value: unknown, schema: GraphQLSchema): unknown;
}

/** The DTO a fragment selects, as is (enum values in the documented spelling). */
export function fragmentDto(fragment: string): Dto {
  const [, name, typeName] = /fragment (\w+) on (\w+)/.exec(fragment)!;
  return {
    name,
    fragment,
    ref: { $ref: `#/components/schemas/${name}` },
    component: (schema) => ({ [name]: jsonSchemaOfFragment(schema, fragment) }),
    toRest: (value, schema) => dto(value, schema, typeName),
  };
}

/** The operation's field as the DTO; `undefined` (404) when it is null. */
export function dtoOf(field: string, of: Dto) {
  return (data: Record<string, unknown>, schema: GraphQLSchema) =>
    data[field] ? of.toRest(data[field], schema) : undefined;
}

export function pageSchema(schema: GraphQLSchema, item: JsonSchema): JsonSchema {
  return {
    type: "object",
    properties: {
      items: { type: "array", items: item },
      totalCount: { type: "integer" },
      totalCountIsExact: {
        type: "boolean",
        description: "False when `totalCount` stopped at a cap (a clients search counts up to 1,000)",
      },
      pageInfo: jsonSchemaOfType(schema, "PageInfo"),
    },
  };
}

/** What a list operation selects of its connection besides the nodes. */
export const PAGE_SELECTION = "totalCount totalCountIsExact pageInfo { hasNextPage endCursor }";

/** A connection's page as a list route answers it: `{items, totalCount, totalCountIsExact, pageInfo}`. */
export function restPage(page: unknown, items: Dto, schema: GraphQLSchema) {
  const { nodes, totalCount, totalCountIsExact, pageInfo } = page as {
    nodes: unknown[];
    totalCount: number;
    totalCountIsExact: boolean;
    pageInfo: unknown;
  };
  return { items: items.toRest(nodes, schema), totalCount, totalCountIsExact, pageInfo };
}

/** A list route's common part: where, who, and the connection field whose pages it answers. */
interface PageRoute extends Pick<RestRoute, "path" | "summary" | "tag" | "auth"> {
  /** The operation's name (its OpenAPI operationId). */
  name: string;
  /** The connection field, e.g. `accounts`. */
  field: string;
  items: Dto;
}

/** A filter field taken as a query parameter: the variable (and filter field) of its name. */
export interface FilterParameter {
  type: string;
  description: string;
}

/**
 * `GET` one page of a connection: each query parameter of `filter` fills the filter field of its
 * name (`fixed` ones the path decides, e.g. `kind: OUTGOING`), with `first` and `after`. Answers
 * `{items, totalCount, totalCountIsExact, pageInfo}`.
 */
export function listRoute(
  route: PageRoute & { filter: Record<string, FilterParameter>; fixed?: Record<string, string> },
): RestRoute {
  const filter = Object.entries(route.filter);
  const query = Object.fromEntries(
    filter.map(([name, { description }]) => [name, { variable: name, description }]),
  );
  const fields = [
    ...Object.entries(route.fixed ?? {}).map(([name, value]) => `${name}: ${value}`),
    ...filter.map(([name]) => `${name}: $${name}`),
  ];
  return pageRoute(
    route,
    { query: { ...query, ...PAGE_QUERY } },
    filter.map(([name, { type }]) => `$${name}: ${type}`).join(", "),
    `{ ${fields.join(", ")} }`,
  );
}

/** `POST` a search: the body `{filter, first, after}`, `filter` an input object of `filterType`. */
export function searchRoute(route: PageRoute & { filterType: string }): RestRoute {
  const input = { body: { filter: "filter", first: "first", after: "after" } };
  return { ...pageRoute(route, input, `$filter: ${route.filterType}`, "$filter"), method: "post" };
}

function pageRoute(route: PageRoute, input: RouteInput, variables: string, filter: string): RestRoute {
  const { field, items } = route;
  return {
    method: "get",
    path: route.path,
    summary: route.summary,
    tag: route.tag,
    auth: route.auth,
    input,
    operation: `query ${route.name}(${variables}, $first: Int, $after: String) {
      ${field}(filter: ${filter}, first: $first, after: $after) {
        ${PAGE_SELECTION} nodes { ...${items.name} }
      }
    } ${items.fragment}`,
    result: (data, schema) => restPage(data[field], items, schema),
    resultSchema: (schema) => pageSchema(schema, items.ref),
  };
}

/** What {@link actionRoute} needs to know. */
export interface ActionRoute extends Pick<RestRoute, "method" | "path" | "summary" | "tag" | "auth"> {
  /** The mutation, e.g. `cancelTransfer`; the operation is named after it (`CancelTransfer`). */
  mutation: string;
  /** The path parameter that names the thing, passed as the mutation's `id`. */
  param: string;
  /** The JSON body's fields with their GraphQL types, each passed as the argument of its name. */
  body?: Record<string, string>;
  /** What the mutation answers. */
  answer: Dto;
}

/** A mutation of the one thing the path parameter names (`{transferId}`, `{clientId}`), answering it. */
export function actionRoute(route: ActionRoute): RestRoute {
  const body = Object.entries(route.body ?? {});
  const declared = body.map(([name, type]) => `, $${name}: ${type}`).join("");
  const passed = body.map(([name]) => `, ${name}: $${name}`).join("");
  return {
    method: route.method,
    path: route.path,
    summary: route.summary,
    tag: route.tag,
    auth: route.auth,
    input: {
      params: { [route.param]: "id" },
      ...(body.length ? { body: Object.fromEntries(body.map(([name]) => [name, name])) } : {}),
    },
    operation: `mutation ${route.mutation[0].toUpperCase()}${route.mutation.slice(1)}($id: ID!${declared}) {
      ${route.mutation}(id: $id${passed}) { ...${route.answer.name} }
    } ${route.answer.fragment}`,
    result: dtoOf(route.mutation, route.answer),
    resultSchema: () => route.answer.ref,
  };
}

const PAGE_QUERY: Record<string, DocumentedBinding> = {
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
