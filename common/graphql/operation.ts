/**
 * An operation received over graphql-ws, checked the way Apollo Server checks one over HTTP:
 * a caller's mistake answers its code (GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
 * BAD_USER_INPUT) and a message naming it. Left to graphql-ws, an invalid document ends with
 * an error that has no code (masked as INTERNAL_SERVER_ERROR) and a syntax error closes the
 * whole socket (4500). Used by the gateway's endpoint and by every subgraph's.
 */
import {
  type DocumentNode,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";
import type { OperationLimits } from "./limits";

/** A document that parses and validates, and the operation in it to run. */
export interface CheckedOperation {
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/**
 * Parses `query` and validates it against `schema` within the operation `limits`, and picks
 * the operation `operationName` names.
 */
export function checkOperation(
  schema: GraphQLSchema,
  query: string,
  operationName: string | null | undefined,
  limits: OperationLimits,
): CheckedOperation | readonly GraphQLError[] {
  const checked = limits.parseAndValidate(schema, query);
  if ("errors" in checked) return checked.errors;
  const { document } = checked;
  const operation = getOperationAST(document, operationName);
  if (!operation) {
    return [
      new GraphQLError(
        operationName ? `Unknown operation named "${operationName}"` : "Name the operation to run",
        { extensions: { code: "GRAPHQL_VALIDATION_FAILED" } },
      ),
    ];
  }
  return { document, operation };
}

/** Coerces the client's variables for `operation`; errors say which variable and why (BAD_USER_INPUT). */
export function coerceVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | null | undefined,
): { coerced: Record<string, unknown> } | readonly GraphQLError[] {
  const result = getVariableValues(schema, operation.variableDefinitions ?? [], variables ?? {});
  if (result.errors) return result.errors.map((error) => withCode(error, "BAD_USER_INPUT"));
  return { coerced: result.coerced };
}

/** True for a list of errors (what a check returns when it refuses). */
export function isErrors<T>(value: T | readonly GraphQLError[]): value is readonly GraphQLError[] {
  return Array.isArray(value);
}

/** The same error with `code` in its extensions. */
export function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: { ...error.extensions, code },
  });
}
