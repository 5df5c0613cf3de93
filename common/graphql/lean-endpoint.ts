/**
 * `/graphql` over plain `node:http`, for the requests nearly every caller sends: `POST` with a
 * JSON body (`application/json`, UTF-8, not compressed). The body is read into one buffer and
 * parsed once, and the request goes to the direct path (common/graphql/direct-execution.ts,
 * decision 0042) or else straight to Apollo's `executeHTTPGraphQLRequest`, with no express,
 * body-parser or ETag on the way (decision 0032). Only what Apollo Server answers runs in a
 * request scope (common/request-id.ts): the direct path names its request where it logs or
 * observes it (decision 0071).
 * Any other request (a `GET`, another content type or encoding, a charset) is handed to
 * `fallback`, the express chain of {@link graphqlHttpEndpoint}, which answers it as before: one
 * set of rules for the unusual cases, in one place.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { type ApolloServer, type BaseContext, HeaderMap, type HTTPGraphQLRequest } from "@apollo/server";
import type { GraphQLError } from "graphql";
import type { Caller } from "../auth/caller";
import type { TokenVerifier } from "../auth/tokens";
import { AppError, type ErrorCode, statusOf } from "../errors";
import { HTTP_MESSAGES } from "../http";
import { log } from "../log";
import type { ServiceMetrics } from "../ops/metrics";
import { observeDirect, observeRefused } from "../ops/request-plugin";
import { type RequestScope, requestIdOf, requestScopeOf, withRequestScope } from "../request-id";
import type { DirectAnswer, DirectExecution } from "./direct-execution";
import { formatError, toGraphQLError } from "./errors";

/** `application/json`, optionally with `charset=utf-8`: what the lean path reads itself. */
const PLAIN_JSON = /^application\/json\s*(;\s*charset\s*=\s*"?utf-8"?\s*)?$/i;

export interface LeanEndpointOptions<TContext extends BaseContext> {
  apollo: ApolloServer<TContext>;
  verifier: TokenVerifier;
  /** The service named in the request scope (log lines). */
  service: string;
  bodyLimitBytes: number;
  contextOf(caller: Caller, requestId: string, req: IncomingMessage): TContext;
  /**
   * What is refused before Apollo Server parses and validates the request of an authenticated
   * caller (the service's `OperationLimits.refuseEarly`): answered 400 and observed as `refused`
   * in `metrics`.
   */
  refuseEarly(body: unknown): readonly GraphQLError[] | undefined;
  metrics: ServiceMetrics;
  /**
   * The direct path (common/graphql/direct-execution.ts): operations it takes skip Apollo
   * Server's pipeline; the rest, and every request where it is absent, go to Apollo.
   */
  direct?: DirectExecution;
  /** The express chain for every other request to `/graphql`. */
  fallback(req: IncomingMessage, res: ServerResponse): void;
}

/** `/graphql`, with or without a query string: where a server hands requests to the lean handler. */
export function isGraphqlPath(url: string | undefined): boolean {
  return url === "/graphql" || (url !== undefined && url.startsWith("/graphql?"));
}

/** True when the lean path takes `req`: a plain JSON POST. */
function isPlainJsonPost(req: IncomingMessage): boolean {
  if (req.method !== "POST") return false;
  const encoding = req.headers["content-encoding"];
  if (encoding !== undefined && encoding.toLowerCase() !== "identity") return false;
  const type = req.headers["content-type"];
  return type === "application/json" || (type !== undefined && PLAIN_JSON.test(type));
}

/**
 * The `/graphql` handler: the lean path, or `fallback`. Each way out of the lean path answers the
 * request id in `x-request-id` itself (in one `writeHead` with its other headers).
 */
export function leanGraphqlHandler<TContext extends BaseContext>(
  options: LeanEndpointOptions<TContext>,
): (req: IncomingMessage, res: ServerResponse) => void {
  const { apollo, verifier, service, bodyLimitBytes } = options;

  const execute = async (req: IncomingMessage, res: ServerResponse, scope: RequestScope, body: unknown) => {
    const { requestId } = scope;
    // The caller first, as Apollo Server does: an unauthenticated request is told so (401), whatever
    // it sent. A token verified before is known without waiting.
    const known = verifier.knownCaller(req.headers.authorization);
    const caller = known ? { found: known } : await verified(verifier, req.headers.authorization);
    let contextValue: TContext | undefined;
    if ("found" in caller) {
      const refusals = options.refuseEarly(body);
      if (refusals) return answerRefusals(res, scope, refusals, options.metrics);
      // A context that cannot be made is left to Apollo Server, which answers that its own way.
      const { direct } = options;
      if (direct) contextValue = contextOrNothing(() => options.contextOf(caller.found, requestId, req));
      if (direct && contextValue) {
        const answer = await direct.run(body, req.headers.accept, caller.found, contextValue, scope);
        if (answer) return answerDirectly(res, scope, answer, options.metrics);
      }
    }
    const headers = new HeaderMap();
    for (const key in req.headers) {
      const value = req.headers[key];
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(", ") : value);
    }
    const query = req.url!.indexOf("?");
    const httpGraphQLRequest: HTTPGraphQLRequest = {
      method: "POST",
      headers,
      search: query < 0 ? "" : req.url!.slice(query),
      body,
    };
    const context = async () => {
      if ("found" in caller) {
        // The direct path ran nothing when it handed the request over: its context is still fresh.
        return contextValue ?? options.contextOf(caller.found, requestId, req);
      }
      throw caller.error instanceof AppError ? toGraphQLError(caller.error) : caller.error;
    };
    const response = await withRequestScope(scope, () =>
      apollo.executeHTTPGraphQLRequest({ httpGraphQLRequest, context }),
    );
    res.setHeader("x-request-id", requestId);
    for (const [key, value] of response.headers) res.setHeader(key, value);
    res.statusCode = response.status ?? 200;
    if (response.body.kind === "complete") {
      res.end(response.body.string);
      return;
    }
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  };

  return (req, res) => {
    if (!isPlainJsonPost(req)) return options.fallback(req, res);
    const requestId = requestIdOf(req);
    const declared = Number(req.headers["content-length"]);
    if (declared > bodyLimitBytes) return refuse(req, res, requestId, "PAYLOAD_TOO_LARGE");
    const chunks: Buffer[] = [];
    let length = 0;
    req.on("data", (chunk: Buffer) => {
      length += chunk.length;
      if (length > bodyLimitBytes) {
        req.removeAllListeners("data");
        refuse(req, res, requestId, "PAYLOAD_TOO_LARGE");
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (res.headersSent || res.writableEnded) return;
      const body = parseJsonBody(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length));
      if (body === undefined) return refuse(req, res, requestId, "BAD_REQUEST");
      const scope = requestScopeOf(service, requestId);
      execute(req, res, scope, body).catch((error) => fail(res, scope, error));
    });
    req.on("error", (error) => fail(res, { service, requestId }, error));
  };
}

/** The caller an `Authorization` header names, or why it names none. */
function verified(verifier: TokenVerifier, header: string | undefined) {
  return verifier.callerFromHeader(header).then(
    (found) => ({ found }),
    (error: unknown) => ({ error }),
  );
}

/** The body as JSON, as express.json reads it (strict: an object or an array); undefined when it is not. */
function parseJsonBody(raw: Buffer): unknown {
  const text = raw.toString("utf8");
  // Nearly every body starts with its value: then the text is not copied to be trimmed.
  const first = text[0] === "{" || text[0] === "[" ? text[0] : text.trimStart()[0];
  if (first !== "{" && first !== "[") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Answers a caller's HTTP-level mistake as graphqlHttpErrorHandler does (common/http.ts). */
function refuse(req: IncomingMessage, res: ServerResponse, requestId: string, code: ErrorCode): void {
  if (res.headersSent) return;
  res.writeHead(statusOf(code), {
    "content-type": "application/json; charset=utf-8",
    "x-request-id": requestId,
    // The rest of an oversized body is not worth reading: the connection closes after the answer.
    ...(code === "PAYLOAD_TOO_LARGE" ? { connection: "close" } : {}),
  });
  res.end(JSON.stringify({ errors: [{ message: HTTP_MESSAGES[code], extensions: { code } }] }));
  req.resume();
}

/** Refusals of {@link LeanEndpointOptions.refuseEarly}, in the shape Apollo Server gives its own. */
function answerRefusals(
  res: ServerResponse,
  scope: RequestScope,
  refusals: readonly GraphQLError[],
  metrics: ServiceMetrics,
): void {
  const errors = refusals.map((error) => formatError(error.toJSON(), error));
  observeRefused(metrics, errors[0]!.extensions?.code, scope);
  res.writeHead(400, { "content-type": "application/json; charset=utf-8", "x-request-id": scope.requestId });
  res.end(JSON.stringify({ errors }));
}

/** What the direct path ran, answered and observed as Apollo Server and its request plugin would. */
function answerDirectly(
  res: ServerResponse,
  scope: RequestScope,
  answer: DirectAnswer,
  metrics: ServiceMetrics,
): void {
  observeDirect(metrics, answer.operationName, answer.errors, scope);
  for (const [name, value] of answer.headers) res.setHeader(name, value);
  res.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(answer.body),
    "x-request-id": scope.requestId,
  });
  res.end(answer.body);
}

function contextOrNothing<T>(make: () => T): T | undefined {
  try {
    return make();
  } catch {
    return undefined;
  }
}

/** Our fault: logged, answered as a masked 500. */
function fail(
  res: ServerResponse,
  { service, requestId }: Pick<RequestScope, "service" | "requestId">,
  error: unknown,
): void {
  log.error({ err: error, service, requestId, path: "/graphql" }, "unexpected HTTP error");
  if (res.headersSent) return void res.destroy();
  res.writeHead(500, { "content-type": "application/json; charset=utf-8", "x-request-id": requestId }).end(
    JSON.stringify({
      errors: [{ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }],
    }),
  );
}
