/**
 * Serves the route table. Each request goes through named phases: authenticate (401) and check
 * the caller kind (403) -> read the body (415, 400, 413) -> bind the route's inputs to the
 * operation's variables (400, naming field and rule) -> check the variables against their
 * GraphQL types (400) -> run the operation on the supergraph -> map its result (or its error) to
 * the documented answer.
 */
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  Router,
} from "express";
import type { GraphQLSchema, OperationDefinitionNode } from "graphql";
import type { TokenVerifier } from "../../common/auth/tokens";
import { AppError } from "../../common/errors";
import { HTTP_MESSAGES, httpErrorCode } from "../../common/http";
import { requestIdFrom } from "../../common/request-id";
import type { GatewayContext } from "../context";
import { bindInput, checkInput, type RequestInput, restFieldNamer } from "./bind";
import { operationOf, variableTypesOf } from "./operation";
import {
  type GraphQLErrorLike,
  type RestError,
  restErrorOf,
  sendError,
  sendValue,
  type Style,
  styleOf,
} from "./responses";
import type { RestRoute } from "./route";

export { styleOf } from "./responses";

/** Runs a GraphQL operation against the supergraph as the given caller. */
export type Execute = (
  query: string,
  variables: Record<string, unknown>,
  context: GatewayContext,
) => Promise<{ data?: Record<string, unknown> | null; errors?: ReadonlyArray<GraphQLErrorLike> }>;

export interface RestRouterOptions {
  routes: RestRoute[];
  verifier: TokenVerifier;
  execute: Execute;
  /** The supergraph's API schema (available once the gateway has loaded). */
  schema: () => GraphQLSchema;
  bodyLimit: string;
}

/** Set on `res.locals` once the caller is known. */
interface Locals {
  context: GatewayContext;
}

/** What the phases of one route share, worked out once when the router is built. */
interface ServedRoute {
  route: RestRoute;
  operation: OperationDefinitionNode;
  style: Style;
  /** The REST name of a field a subgraph names in an error (`id` -> `transferId`). */
  restField(graphqlField: string): string;
}

export function createRestRouter(options: RestRouterOptions): Router {
  const router = Router();
  const readJson = express.json({ limit: options.bodyLimit, strict: false });
  for (const route of options.routes) {
    const served = serve(route);
    const fail = (req: Request, res: Response, error: RestError) =>
      sendError(res, served.style, error, requestIdFrom(req.headers["x-request-id"]));
    router[route.method](
      route.path.replace(/\{(\w+)\}/g, ":$1"),
      authenticate(route, options.verifier, fail),
      requireJson(fail),
      readJson,
      bodyErrors(options.bodyLimit, fail),
      (req: Request, res: Response<unknown, Locals>, next: NextFunction) => {
        handle(served, options, req, res).catch(next);
      },
    );
  }
  return router;
}

function serve(route: RestRoute): ServedRoute {
  const operation = operationOf(route.operation);
  return {
    route,
    operation,
    style: styleOf(route.path),
    restField: restFieldNamer(route.input ?? {}, operation),
  };
}

type Fail = (req: Request, res: Response, error: RestError) => void;

/** Who is calling comes first: no token is 401 whatever the body looks like; a system route refuses others (403). */
function authenticate(route: RestRoute, verifier: TokenVerifier, fail: Fail) {
  return (req: Request, res: Response<unknown, Locals>, next: NextFunction) => {
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    res.setHeader("x-request-id", requestId);
    verifier.callerFromHeader(req.headers.authorization).then(
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
}

/** A body must be JSON (415 otherwise). */
function requireJson(fail: Fail): RequestHandler {
  return (req, res, next) => {
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
}

/** A body express could not read: bad JSON is 400, too big 413. */
function bodyErrors(bodyLimit: string, fail: Fail): express.ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const code = httpErrorCode(error);
    if (!code) return next(error);
    const message =
      code === "PAYLOAD_TOO_LARGE" ? `The request body is larger than ${bodyLimit}` : HTTP_MESSAGES[code]!;
    fail(req, res, { code, message });
  };
}

/** One request of an authenticated caller, phase by phase. */
async function handle(
  served: ServedRoute,
  options: RestRouterOptions,
  req: Request,
  res: Response<unknown, Locals>,
): Promise<void> {
  const { route, operation, style } = served;
  const { context } = res.locals;
  const fail = (error: RestError) => sendError(res, style, error, context.requestId);
  const schema = options.schema();

  const bound = bindInput(route.input ?? {}, requestInput(req), variableTypesOf(schema, operation));
  if ("error" in bound) return fail(bound.error);
  const checked = checkInput(schema, operation, route.input ?? {}, bound.variables);
  if ("error" in checked) return fail(checked.error);

  const result = await options.execute(route.operation, checked.variables, context);
  if (result.errors?.length) return fail(restErrorOf(result.errors, served.restField));
  const value = route.result(result.data ?? {}, schema);
  if (value === undefined) {
    return fail({ code: route.notFoundCode ?? "NOT_FOUND", message: `Nothing found at ${req.path}` });
  }
  sendValue(res, style, value);
}

function requestInput(req: Request): RequestInput {
  return {
    params: req.params as Record<string, string>,
    query: req.query as Record<string, unknown>,
    header: (name) => req.get(name),
    body: req.body as unknown,
  };
}
