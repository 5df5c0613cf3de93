/**
 * Serves the route table. Each request: authenticate (401) -> check the caller kind (403)
 * -> check path ids and the body against the operation's variable types (400, naming
 * field and rule) -> run the operation on the supergraph -> shape the documented answer.
 */
import { isUuid } from "../../common/ids";
import express, { type NextFunction, type Request, type Response, Router } from "express";
import {
  type GraphQLInputType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  parse,
  typeFromAST,
} from "graphql";
import type { TokenVerifier } from "../../common/auth/tokens";
import { AppError, type FieldError, PUBLIC_ERROR_DETAILS } from "../../common/errors";
import { toRestSpelling } from "../../common/enum-spelling";
import { HTTP_MESSAGES, httpErrorCode } from "../../common/http";
import { requestIdFrom } from "../../common/request-id";
import type { GatewayContext } from "../context";
import { checkVariables, fromRest } from "./convert";
import { type RestError, sendError, sendValue, type Style } from "./responses";
import type { RestRoute } from "./route";

/** Runs a GraphQL operation against the supergraph as the given caller. */
export type Execute = (
  query: string,
  variables: Record<string, unknown>,
  context: GatewayContext,
) => Promise<{
  data?: Record<string, unknown> | null;
  errors?: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>;
}>;

export interface RestRouterOptions {
  routes: RestRoute[];
  verifier: TokenVerifier;
  execute: Execute;
  /** The supergraph's API schema (available once the gateway has loaded). */
  schema: () => GraphQLSchema;
  bodyLimit: string;
}

/** `/internal` routes speak the result envelope, also for errors raised before a route is matched. */
export function styleOf(path: string): Style {
  return /^\/(v2\/)?(ledger\/)?internal\//i.test(path) ? "envelope" : "plain";
}

function requestIdOf(req: Request): string {
  return requestIdFrom(req.headers["x-request-id"]);
}

/** `/internal/Clients/{clientId}` -> `/internal/Clients/:clientId` */
function expressPath(path: string): string {
  return path.replace(/\{(\w+)\}/g, ":$1");
}

function operationOf(route: RestRoute): OperationDefinitionNode {
  const operation = parse(route.operation).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  if (!operation) throw new Error(`route ${route.method} ${route.path} has no operation`);
  return operation as OperationDefinitionNode;
}

/** Set on `res.locals` once the caller is known. */
interface Locals {
  context: GatewayContext;
}

export function createRestRouter(options: RestRouterOptions): Router {
  const router = Router();
  const parseJson = express.json({ limit: options.bodyLimit, strict: false });

  for (const route of options.routes) {
    const operation = operationOf(route);
    const fail = (req: Request, res: Response, error: RestError) =>
      sendError(res, route.style, error, requestIdOf(req));

    // Who is calling comes first: no token is 401 whatever the body looks like.
    const authenticate = (req: Request, res: Response<unknown, Locals>, next: NextFunction) => {
      const requestId = requestIdOf(req);
      res.setHeader("x-request-id", requestId);
      options.verifier.callerFromHeader(req.headers.authorization).then(
        (caller) => {
          if (route.auth === "system" && caller.kind !== "system") {
            return fail(req, res, { code: "FORBIDDEN", message: "This route is for system callers only" });
          }
          res.locals.context = { caller, authorization: req.headers.authorization ?? "", requestId };
          next();
        },
        (error: unknown) => {
          if (error instanceof AppError) return fail(req, res, { code: error.code, message: error.message });
          next(error);
        },
      );
    };
    // A body must be JSON (415 otherwise); bad JSON is 400, too big 413.
    const requireJson = (req: Request, res: Response, next: NextFunction) => {
      const hasBody =
        Number(req.headers["content-length"] ?? 0) > 0 || req.headers["transfer-encoding"] !== undefined;
      if (hasBody && !req.is("application/json")) {
        return fail(req, res, {
          code: "UNSUPPORTED_MEDIA_TYPE",
          message: "The request body must be application/json",
        });
      }
      next();
    };
    const bodyErrors = (error: unknown, req: Request, res: Response, next: NextFunction) => {
      const code = httpErrorCode(error);
      if (!code) return next(error);
      const message =
        code === "PAYLOAD_TOO_LARGE"
          ? `The request body is larger than ${options.bodyLimit}`
          : HTTP_MESSAGES[code]!;
      fail(req, res, { code, message });
    };
    const run = (req: Request, res: Response<unknown, Locals>, next: NextFunction) => {
      handle(route, operation, req, res, res.locals.context).catch(next);
    };
    router[route.method](expressPath(route.path), authenticate, requireJson, parseJson, bodyErrors, run);
  }

  async function handle(
    route: RestRoute,
    operation: OperationDefinitionNode,
    req: Request,
    res: Response,
    context: GatewayContext,
  ) {
    const fail = (error: RestError) => sendError(res, route.style, error, context.requestId);
    const params = req.params as Record<string, string>;

    const query = req.query as Record<string, string | undefined>;
    const uuidQuery = Object.entries(route.query ?? {})
      .filter(([name, parameter]) => parameter.uuid && query[name] !== undefined)
      .map(([name]) => name);
    const badIds: FieldError[] = [
      ...(route.uuidParams ?? []).filter((name) => !isUuid(params[name])),
      ...uuidQuery.filter((name) => !isUuid(query[name])),
    ].map((name) => ({ field: name, rule: "isUuid", message: `${name} must be a UUID` }));
    if (badIds.length)
      return fail({ code: "VALIDATION_FAILED", message: "Invalid parameter", fields: badIds });

    const headers = Object.fromEntries(
      Object.keys(route.headers ?? {}).map((name) => [name, req.get(name) || undefined]),
    );
    const missingHeaders: FieldError[] = Object.entries(route.headers ?? {})
      .filter(([name, header]) => header.required && headers[name] === undefined)
      .map(([name]) => ({ field: name, rule: "required", message: `The ${name} header is required` }));
    if (missingHeaders.length)
      return fail({ code: "VALIDATION_FAILED", message: "Missing header", fields: missingHeaders });

    const body: unknown = req.body;
    const bodyFields = route.bodyFields ?? [];
    if (body !== undefined && (route.bodyVariable || bodyFields.length)) {
      if (body === null || typeof body !== "object" || Array.isArray(body)) {
        return fail({
          code: "VALIDATION_FAILED",
          message: "The body must be a JSON object",
          fields: [{ field: "body", rule: "type", message: "The body must be a JSON object" }],
        });
      }
    }
    const fromBody = bodyFields.length ? ((body ?? {}) as Record<string, unknown>) : {};
    const unknownFields: FieldError[] = Object.keys(fromBody)
      .filter((key) => !bodyFields.includes(key))
      .map((field) => ({ field, rule: "unknownField", message: `${field} is not a field of this request` }));
    if (unknownFields.length)
      return fail({ code: "VALIDATION_FAILED", message: "Invalid input", fields: unknownFields });

    let routeVariables: Record<string, unknown>;
    try {
      routeVariables = route.variables({ params, query, body, headers });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      const { fields, ...details } = error.details;
      return fail({
        code: error.code,
        message: error.message,
        ...(Array.isArray(fields) ? { fields: fields as FieldError[] } : {}),
        details,
      });
    }
    const schema = options.schema();
    const variables = restVariables(schema, operation, {
      ...routeVariables,
      ...Object.fromEntries(bodyFields.map((name) => [name, fromBody[name]])),
    });
    const flattened = [
      ...(route.flattenedVariables ?? []),
      ...(route.bodyVariable ? [route.bodyVariable] : []),
    ];
    const problems = checkVariables(schema, operation, variables, flattened);
    if (problems.length)
      return fail({ code: "VALIDATION_FAILED", message: "Invalid input", fields: problems });

    const result = await options.execute(route.operation, variables, context);
    if (result.errors?.length) return fail(restErrorOf(result.errors, route.restField));
    const value = route.result(result.data ?? {}, schema);
    if (value === undefined) {
      return fail({ code: route.notFoundCode ?? "NOT_FOUND", message: `Nothing found at ${req.path}` });
    }
    sendValue(res, route.style, value);
  }

  return router;
}

/** Converts REST spellings to GraphQL for every variable the operation declares. */
function restVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown>,
): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type as never) as GraphQLInputType;
    if (raw[name] !== undefined) variables[name] = fromRest(raw[name], type);
  }
  return variables;
}

/** Details that name a state carry GraphQL enum names; REST speaks the documented spelling. */
const STATE_DETAILS = ["from", "to", "status"];

/**
 * The first error decides the status; a VALIDATION_FAILED error carries its field list.
 * Fields are renamed to the route's REST input names (`restField`).
 */
function restErrorOf(
  errors: ReadonlyArray<{ message: string; extensions?: Record<string, unknown> }>,
  restField: (field: string) => string = (field) => field,
): RestError {
  const [first] = errors;
  const { code, fields, ...details } = first.extensions ?? {};
  return {
    code: typeof code === "string" ? code : "INTERNAL_SERVER_ERROR",
    message: first.message,
    ...(Array.isArray(fields)
      ? {
          fields: (fields as FieldError[]).map((f) => {
            const field = restField(f.field);
            const message = typeof f.message === "string" ? f.message.replace(f.field, field) : f.message;
            return { ...f, field, message };
          }),
        }
      : {}),
    details: Object.fromEntries(
      Object.entries(details)
        .filter(([key]) => PUBLIC_ERROR_DETAILS.includes(key))
        .map(([key, value]) => [
          key,
          STATE_DETAILS.includes(key) && typeof value === "string"
            ? toRestSpelling(value)
            : key === "field" && typeof value === "string"
              ? restField(value)
              : value,
        ]),
    ),
  };
}
