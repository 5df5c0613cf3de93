/**
 * One entry of the REST route table: a documented path served by one GraphQL operation
 * run against the supergraph (never a database). The router, the OpenAPI document and
 * the tests all read the same table.
 */
import type { GraphQLSchema } from "graphql";
import type { ErrorCode } from "../../common/errors";
import type { JsonSchema } from "./json-schema";

export type HttpMethod = "get" | "post" | "put" | "patch" | "delete";

/** A query parameter or header: the operation variable it fills, and what it means (OpenAPI). */
export interface DocumentedBinding {
  variable: string;
  description: string;
}

/**
 * A path parameter that is not simply one variable: `variables` reads it into the operation's
 * variables, or answers `undefined` when the value breaks `rule` (400 naming the parameter).
 */
export interface PathParser {
  variables(value: string): Record<string, unknown> | undefined;
  rule: string;
  message: string;
}

/**
 * Where each operation variable comes from. Every value is checked and converted by the GraphQL
 * type of the variable it fills, one rule per type for all routes (`gateway/rest/bind.ts`): an
 * `ID` must be a UUID (400 `isUuid`), a query `Int` or `Boolean` is parsed from its text, an enum
 * value is taken in the documented spelling, a non-null header is required; then the whole is
 * coerced against the operation's variable types, each problem naming its REST field.
 */
export interface RouteInput {
  /** Path parameter -> the variable it fills (or a {@link PathParser}). */
  params?: Record<string, string | PathParser>;
  /** Query parameter -> the variable it fills. */
  query?: Record<string, DocumentedBinding>;
  /** Request header (e.g. `Idempotency-Key`) -> the variable it fills. */
  headers?: Record<string, DocumentedBinding>;
  /**
   * The JSON body: the variable it becomes as a whole (an input object, whose fields are then the
   * REST names), or body field -> the variable it fills (any other field is 400 `unknownField`).
   */
  body?: string | Record<string, string>;
}

export interface RestRoute {
  method: HttpMethod;
  /** The documented path; `{name}` marks a path parameter. `/internal` paths answer the envelope. */
  path: string;
  summary: string;
  tag: string;
  /**
   * `system`: system callers only (the `/internal` and System operations). `any`: any
   * authenticated caller; the subgraph then limits a front-office caller to its own data
   * (403 FORBIDDEN otherwise).
   */
  auth: "system" | "any";
  input?: RouteInput;
  /**
   * The GraphQL document; its variables are checked against the supergraph before it runs. The
   * error codes the route answers are derived from its root fields (`error-codes.ts`).
   */
  operation: string;
  /**
   * The documented value from the operation's data, already in REST spellings.
   * `undefined` means "not found" (404 {@link notFoundCode}).
   */
  result(data: Record<string, unknown>, schema: GraphQLSchema): unknown;
  /** The JSON schema of `result`'s value, for the OpenAPI document. */
  resultSchema(schema: GraphQLSchema): JsonSchema;
  /** The error code answered (404) when `result` is undefined. */
  notFoundCode?: ErrorCode;
}
