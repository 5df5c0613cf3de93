/**
 * The OpenAPI 3 document of the REST shim, generated from the route table and the
 * supergraph's types (committed as schema/openapi.json, served at /openapi.json).
 */
import {
  type GraphQLInputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  getNamedType,
  isNonNullType,
} from "graphql";
import { ERROR_CODES, type ErrorCode } from "../../common/errors";
import { documentStreamPaths } from "../documents/openapi";
import { routeErrorCodes } from "./error-codes";
import { jsonSchemaOf, jsonSchemaOfType, type JsonSchema } from "./json-schema";
import { operationOf, variableType, variableTypesOf } from "./operation";
import { styleOf } from "./responses";
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

const PROBLEM: JsonSchema = {
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
      description: "The state a refusal found (e.g. a transfer's `completed`); `status` is the HTTP status.",
    },
    requestId: { type: "string" },
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

/** The schema of a parameter filling a variable of `type`: an ID is a UUID. */
function parameterSchema(schema: GraphQLSchema, type: GraphQLInputType | undefined): JsonSchema {
  if (!type) return { type: "string" };
  const named = getNamedType(type).name;
  return named === "ID" ? { type: "string", format: "uuid" } : jsonSchemaOfType(schema, named);
}

type Types = ReadonlyMap<string, GraphQLInputType>;

function parametersOf(route: RestRoute, schema: GraphQLSchema, types: Types): JsonSchema[] {
  const { params = {}, query = {}, headers = {} } = route.input ?? {};
  return [
    ...[...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => {
      const binding = params[name];
      const type = typeof binding === "string" ? variableType(types, binding) : undefined;
      return { name, in: "path", required: true, schema: parameterSchema(schema, type) };
    }),
    ...Object.entries(query).map(([name, { variable, description }]) => {
      const type = variableType(types, variable);
      return {
        name,
        in: "query",
        required: isNonNullType(type),
        description,
        schema: parameterSchema(schema, type),
      };
    }),
    ...Object.entries(headers).map(([name, { variable, description }]) => ({
      name,
      in: "header",
      required: isNonNullType(variableType(types, variable)),
      description,
      schema: { type: "string" },
    })),
  ];
}

/** The body: one input object, or an object whose fields are variables. */
function requestBodyOf(route: RestRoute, types: Types) {
  const body = route.input?.body;
  if (body === undefined) return undefined;
  if (typeof body === "string") {
    return {
      required: true,
      content: { "application/json": { schema: jsonSchemaOf(variableType(types, body)) } },
    };
  }
  const fields = Object.entries(body).map(
    ([field, variable]) => [field, variableType(types, variable)] as const,
  );
  const required = fields.filter(([, type]) => isNonNullType(type)).map(([field]) => field);
  const schema = {
    type: "object",
    ...(required.length ? { required } : {}),
    properties: Object.fromEntries(fields.map(([field, type]) => [field, jsonSchemaOf(type)])),
  };
  return { required: required.length > 0, content: { "application/json": { schema } } };
}

/** 200 with the documented value, then one response per status the route's error codes have. */
function responsesOf(route: RestRoute, schema: GraphQLSchema): Record<string, unknown> {
  const envelopeStyle = styleOf(route.path) === "envelope";
  const value = route.resultSchema(schema);
  const error = envelopeStyle
    ? { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } }
    : { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } };
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of routeErrorCodes(route)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  const responses: Record<string, unknown> = {
    "200": {
      description: "OK",
      content: { "application/json": { schema: envelopeStyle ? envelope(value) : value } },
    },
  };
  for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
    const description = codes.map((code) => `- \`${code}\`: ${ERROR_CODES[code].description}`).join("\n");
    responses[String(status)] = { description, content: error };
  }
  return responses;
}

function pathOperation(route: RestRoute, schema: GraphQLSchema, operation: OperationDefinitionNode) {
  const types = variableTypesOf(schema, operation);
  const parameters = parametersOf(route, schema, types);
  const requestBody = requestBodyOf(route, types);
  return {
    operationId: operation.name?.value,
    summary: route.summary,
    tags: [route.tag],
    security: [{ bearerAuth: [] }],
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(route, schema),
  };
}

export function buildOpenApiDocument(
  routes: RestRoute[],
  schema: GraphQLSchema,
  components: Record<string, JsonSchema> = {},
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    paths[route.path] ??= {};
    paths[route.path][route.method] = pathOperation(route, schema, operationOf(route.operation));
  }
  // Multipart uploads and binary downloads, served beside the table (decision 0034).
  for (const [path, methods] of Object.entries(documentStreamPaths(schema, responsesOf))) {
    paths[path] = { ...paths[path], ...methods };
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
        Problem: PROBLEM,
      },
    },
    paths,
  };
}
