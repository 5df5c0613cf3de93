/**
 * One entry of the REST route table: a documented path served by one GraphQL operation
 * run against the supergraph (never a database). The router, the OpenAPI document and
 * the tests all read the same table.
 */
import type { GraphQLSchema } from "graphql";
import type { JsonSchema } from "./json-schema";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** What the route's inputs look like once the router has checked them. */
export interface RouteInput {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  body: unknown;
}

export interface QueryParameter {
  description: string;
  /** The GraphQL input type the value is checked against, e.g. `ClientStatus` or `Int`. */
  graphqlType: string;
}

export interface RestRoute {
  method: HttpMethod;
  /** The documented path; `{name}` marks a path parameter. */
  path: string;
  summary: string;
  tag: string;
  /**
   * `system`: system callers only (the `/internal` and System operations). `any`: any
   * authenticated caller; the subgraph then limits a front-office caller to its own data
   * (403 FORBIDDEN otherwise).
   */
  auth: "system" | "any";
  /** `envelope`: the documented result envelope (`/internal` routes); `plain`: the documented body as is. */
  style: "envelope" | "plain";
  /** Path parameters that must be UUIDs (documented `string <uuid>`). */
  uuidParams?: string[];
  query?: Record<string, QueryParameter>;
  /** The variable the JSON request body becomes as a whole (an input object). */
  bodyVariable?: string;
  /** Or: the body's fields, each the operation variable of the same name (`{status, reason}`). */
  bodyFields?: string[];
  /**
   * Variables whose fields are REST top-level names (query parameters), so an error names
   * `status`, not `filter.status`. The body variable is always treated so.
   */
  flattenedVariables?: string[];
  /** The GraphQL document; its variables are checked against the supergraph before it runs. */
  operation: string;
  variables(input: RouteInput): Record<string, unknown>;
  /**
   * The documented value from the operation's data, already in REST spellings.
   * `undefined` means "not found" (404).
   */
  result(data: Record<string, unknown>, schema: GraphQLSchema): unknown;
  /** The JSON schema of `result`'s value, for the OpenAPI document. */
  resultSchema(schema: GraphQLSchema): JsonSchema;
  /** Statuses other than 200 and 500 this route can answer. */
  errorStatuses: number[];
  /** The error code answered (404) when `result` is undefined. */
  notFoundCode?: string;
}
