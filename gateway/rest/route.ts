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
  /** The route's declared {@link RestRoute.headers}, by their declared names (`Idempotency-Key`). */
  headers: Record<string, string | undefined>;
}

export interface QueryParameter {
  description: string;
  /** The GraphQL input type the value is checked against, e.g. `ClientStatus` or `Int`. */
  graphqlType: string;
  /** The value, when given, must be a UUID (400 `isUuid` otherwise), like {@link RestRoute.uuidParams}. */
  uuid?: boolean;
}

export interface HeaderParameter {
  description: string;
  /** A missing (or empty) header is 400 naming it with rule `required`. */
  required?: boolean;
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
  /** Request headers the route reads (e.g. `Idempotency-Key`), handed to `variables`. */
  headers?: Record<string, HeaderParameter>;
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
  /**
   * The operation's variables from the checked input. May throw an `AppError` (e.g. a
   * VALIDATION_FAILED naming the parameter) for input only the route can judge.
   */
  variables(input: RouteInput): Record<string, unknown>;
  /**
   * The REST name of an input field the subgraph names in a validation error (its GraphQL
   * argument path, e.g. `input.description` -> `description`). Default: unchanged.
   */
  restField?(graphqlField: string): string;
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
