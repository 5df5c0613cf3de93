/**
 * The OpenAPI 3 document of the REST shim, generated from the route table and the
 * supergraph's types (committed as schema/openapi.json, served at /openapi.json).
 */
import {
  type GraphQLInputType,
  isNonNullType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  typeFromAST,
} from "graphql";
import { ERROR_CODES } from "../../common/errors";
import { jsonSchemaOf, jsonSchemaOfType, type JsonSchema } from "./json-schema";
import type { RestRoute } from "./route";

const FIELD_ERROR: JsonSchema = {
  type: "object",
  required: ["field", "rule", "message"],
  properties: {
    field: { type: "string", example: "address.city" },
    rule: { type: "string", example: "matches" },
    message: { type: "string" },
  },
};

const REASON: JsonSchema = {
  type: "object",
  properties: {
    message: { type: "string", nullable: true },
    metadata: {
      type: "object",
      nullable: true,
      description: "`code` (see the error codes), and for input problems `field` and `rule`; `requestId`.",
      additionalProperties: true,
    },
  },
};

function envelope(value: JsonSchema): JsonSchema {
  return {
    type: "object",
    properties: {
      isFailed: { type: "boolean" },
      isSuccess: { type: "boolean" },
      reasons: { type: "array", items: { $ref: "#/components/schemas/Reason" } },
      errors: { type: "array", items: { $ref: "#/components/schemas/Error" } },
      successes: { type: "array", items: { $ref: "#/components/schemas/Reason" } },
      valueOrDefault: { ...value, nullable: true },
      value: { ...value, nullable: true },
    },
  };
}

function variableType(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  name: string,
): GraphQLInputType {
  const definition = operation.variableDefinitions?.find((d) => d.variable.name.value === name);
  if (!definition) throw new Error(`operation has no variable $${name}`);
  return typeFromAST(schema, definition.type as never) as GraphQLInputType;
}

function isRequiredVariable(operation: OperationDefinitionNode, name: string): boolean {
  const definition = operation.variableDefinitions?.find((d) => d.variable.name.value === name);
  return definition?.type.kind === Kind.NON_NULL_TYPE;
}

/** The body: one input object (`bodyVariable`), or an object whose fields are variables (`bodyFields`). */
function requestBodyOf(route: RestRoute, schema: GraphQLSchema, operation: OperationDefinitionNode) {
  if (route.bodyVariable) {
    const type = variableType(schema, operation, route.bodyVariable);
    return { required: true, content: { "application/json": { schema: jsonSchemaOf(type) } } };
  }
  if (!route.bodyFields?.length) return undefined;
  const types = route.bodyFields.map((name) => [name, variableType(schema, operation, name)] as const);
  const required = types.filter(([, type]) => isNonNullType(type)).map(([name]) => name);
  const body = {
    type: "object",
    ...(required.length ? { required } : {}),
    properties: Object.fromEntries(types.map(([name, type]) => [name, jsonSchemaOf(type)])),
  };
  return { required: required.length > 0, content: { "application/json": { schema: body } } };
}

export function buildOpenApiDocument(
  routes: RestRoute[],
  schema: GraphQLSchema,
  components: Record<string, JsonSchema> = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation = parse(route.operation).definitions.find(
      (d) => d.kind === Kind.OPERATION_DEFINITION,
    ) as OperationDefinitionNode;
    const value = route.resultSchema(schema);
    const errorRef =
      route.style === "envelope" ? "#/components/schemas/ErrorEnvelope" : "#/components/schemas/Problem";
    const errorType = route.style === "envelope" ? "application/json" : "application/problem+json";
    const parameters = [
      ...[...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
        name,
        in: "path",
        required: true,
        schema: route.uuidParams?.includes(name) ? { type: "string", format: "uuid" } : { type: "string" },
      })),
      ...Object.entries(route.query ?? {}).map(([name, parameter]) => ({
        name,
        in: "query",
        // Required when it is a non-null operation variable of its own (not a filter field).
        required: isRequiredVariable(operation, name),
        description: parameter.description,
        schema: parameter.uuid
          ? { type: "string", format: "uuid" }
          : jsonSchemaOfType(schema, parameter.graphqlType),
      })),
      ...Object.entries(route.headers ?? {}).map(([name, header]) => ({
        name,
        in: "header",
        required: header.required ?? false,
        description: header.description,
        schema: { type: "string" },
      })),
    ];
    const requestBody = requestBodyOf(route, schema, operation);
    const responses: Record<string, unknown> = {
      "200": {
        description: "OK",
        content: { "application/json": { schema: route.style === "envelope" ? envelope(value) : value } },
      },
    };
    for (const status of [...route.errorStatuses, 500]) {
      const codes = Object.entries(ERROR_CODES)
        .filter(([, entry]) => entry.status === status)
        .map(([code]) => code);
      responses[String(status)] = {
        description: `Error codes: ${codes.join(", ")}`,
        content: { [errorType]: { schema: { $ref: errorRef } } },
      };
    }
    paths[route.path] ??= {};
    paths[route.path][route.method] = {
      operationId: operation.name?.value,
      summary: route.summary,
      tags: [route.tag],
      security: [{ bearerAuth: [] }],
      ...(parameters.length ? { parameters } : {}),
      ...(requestBody ? { requestBody } : {}),
      responses,
    };
  }
  return {
    openapi: "3.0.3",
    info: {
      title: "Core Banking REST shim",
      version: "1.0.0",
      description:
        "Legacy REST paths of the FinLego Core Banking Services API, each served by a GraphQL operation on the supergraph.",
    },
    servers: [{ url: "/" }],
    components: {
      securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        ...components,
        FieldError: FIELD_ERROR,
        Reason: REASON,
        Error: {
          ...REASON,
          properties: { ...(REASON.properties as object), reasons: { type: "array", items: REASON } },
        },
        ErrorEnvelope: envelope({ type: "object" }),
        Problem: {
          type: "object",
          description: "RFC 9457 problem details.",
          properties: {
            type: { type: "string" },
            title: { type: "string" },
            status: { type: "integer" },
            detail: { type: "string" },
            code: { type: "string", enum: Object.keys(ERROR_CODES) },
            errors: { type: "array", items: { $ref: "#/components/schemas/FieldError" } },
            currentStatus: {
              type: "string",
              description:
                "The state a refusal found (e.g. a transfer's `completed`); `status` is the HTTP status.",
            },
            requestId: { type: "string" },
          },
        },
      },
    },
    paths,
  };
}
