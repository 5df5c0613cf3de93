/**
 * graphql-ws (protocol graphql-transport-ws) on the gateway's own HTTP server and path: the
 * socket's identity, the limits (connections per gateway and per caller, operations per
 * connection and per caller), one keep-alive sweep for all sockets, and the graceful stop.
 * Subscriptions go to the relay; queries and mutations run through the gateway exactly as
 * over HTTP.
 */
import { randomUUID } from "node:crypto";
import type http from "node:http";
import type { Duplex } from "node:stream";
import {
  type FormattedExecutionResult,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
} from "graphql";
import type { Context } from "graphql-ws";
import { type Extra, useServer } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import type { Caller } from "../../common/auth/caller";
import type { TokenVerifier } from "../../common/auth/tokens";
import type { Config, HttpServerConfig } from "../../common/config";
import { addressedHere } from "../../common/http";
import { formatError, toGraphQLError } from "../../common/graphql/errors";
import type { OperationLimits } from "../../common/graphql/limits";
import { isErrors } from "../../common/graphql/operation";
import { CLOSE_CODES, SubscriptionFailure } from "./errors";
import { CallerLimits, type FullCount, type Release } from "./limits";
import { bindVariables, OperationCache } from "./operation";
import { type ExecuteOperation, SubscriptionRelay } from "./relay";
import type { DirectSend } from "./subscriber";
import { UpstreamPool } from "./upstream";

export interface SubscriptionServerOptions {
  httpServer: http.Server;
  /** The HTTP server's settings: an upgrade addressed to another host is refused like a request. */
  http: HttpServerConfig;
  /** The GraphQL path, shared with HTTP (`/graphql`). */
  path: string;
  limits: Config["subscriptions"];
  /** The gateway's operation limits, which subscription documents meet too. */
  operationLimits: OperationLimits;
  verifier: TokenVerifier;
  /** The gateway's current API schema. */
  schema(): GraphQLSchema;
  execute: ExecuteOperation;
  /** A subgraph's GraphQL (HTTP) URL; its graphql-ws endpoint is the same URL with ws://. */
  subgraphUrl(subgraph: string): string;
}

/** What the endpoint holds right now (tests and metrics). */
export interface SubscriptionStats {
  /** Client sockets accepted (authenticated or still initialising). */
  connections: number;
  /** Client subscriptions being relayed. */
  subscriptions: number;
  /** Sockets from the gateway to subgraphs: one per caller token with a subscription. */
  upstreamConnections: number;
  /** Subscriptions opened at subgraphs: one per shared stream. */
  upstreamSubscriptions: number;
}

export interface SubscriptionServer {
  stats(): SubscriptionStats;
  /** Completes every subscription, closes every socket (1001) and every upstream connection. */
  stop(): Promise<void>;
}

/** A socket's state: its keep-alive mark and, once `connection_init` passed, who it is. */
interface Connection {
  alive: boolean;
  identity?: { caller: Caller; token: string };
  context?: Context<ConnectionParams, Extra>;
  expiry?: NodeJS.Timeout;
  /** The caller's slots this socket holds (its own, its operations'): all given back when it closes. */
  held: Set<Release>;
}

type ConnectionParams = { authorization?: unknown; token?: unknown } | undefined;

/** What onSubscribe hands to graphql-ws's `execute`/`subscribe`: the operation, ready to start. */
interface PreparedStart {
  start(): Promise<FormattedExecutionResult> | AsyncIterableIterator<FormattedExecutionResult>;
}

const STOP_WAIT_MS = 1_000;
/** Largest message a client may send; HTTP bodies have the same limit. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/** How long a refused socket may take to answer its close frame before it is cut. */
const REFUSED_GRACE_MS = 1_000;

/**
 * Serves graphql-ws on `options.httpServer`'s upgrades at `options.path`; other paths answer 404.
 * Call `stop()` before the HTTP server closes: open sockets would hold its close.
 */
export function serveSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { limits, verifier } = options;
  const upstream = new UpstreamPool(options.subgraphUrl, limits.keepAliveMs);
  const relay = new SubscriptionRelay(upstream, options.execute);
  const operations = new OperationCache(options.operationLimits);
  const callers = new CallerLimits(limits);
  const sockets = new Map<WebSocket, Connection>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  let stopping = false;

  const onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const refuse = (status: string) => {
      socket.on("error", () => socket.destroy());
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (new URL(request.url ?? "/", "http://gateway").pathname !== options.path)
      return refuse("404 Not Found");
    if (stopping) return refuse("503 Service Unavailable");
    if (!addressedHere(request, options.http)) return refuse("403 Forbidden");
    wss.handleUpgrade(request, socket, head, (ws) => {
      if (sockets.size >= limits.maxConnections) {
        ws.on("error", () => ws.terminate()); // graphql-ws never sees this socket to listen for it
        refuseSocket(
          ws,
          CLOSE_CODES.tryAgainLater,
          `Too many connections: this gateway accepts ${limits.maxConnections} (WS_MAX_CONNECTIONS)`,
        );
        return;
      }
      const connection: Connection = { alive: true, held: new Set() };
      sockets.set(ws, connection);
      ws.on("pong", () => {
        connection.alive = true;
      });
      ws.once("close", () => {
        clearTimeout(connection.expiry);
        sockets.delete(ws);
        for (const release of connection.held) release();
      });
      wss.emit("connection", ws, request);
    });
  };
  options.httpServer.on("upgrade", onUpgrade);

  /**
   * Closes a refused socket and stops counting it at once, so that a client that never answers
   * the close frame holds no slot (of the gateway's or of its caller's) while ws waits for it;
   * the socket is cut after {@link REFUSED_GRACE_MS} whatever it does.
   */
  const refuseSocket = (ws: WebSocket, code: number, reason: string) => {
    const connection = sockets.get(ws);
    sockets.delete(ws);
    if (connection) for (const release of connection.held) release();
    ws.close(code, reason);
    setTimeout(() => ws.terminate(), REFUSED_GRACE_MS).unref();
  };

  // One sweep for every socket rather than a timer each: a socket that did not answer the
  // previous ping is gone (its subscriptions are released with it).
  const keepAlive = setInterval(() => {
    for (const [ws, connection] of sockets) {
      // Missed a ping, or closed (graphql-ws's own refusals) and still waiting for the answer.
      if (!connection.alive || ws.readyState === ws.CLOSING) {
        ws.terminate();
        continue;
      }
      connection.alive = false;
      ws.ping();
    }
  }, limits.keepAliveMs);
  keepAlive.unref();

  useServer<ConnectionParams>(
    {
      onConnect: async (context) => {
        const { socket } = context.extra;
        const connection = sockets.get(socket);
        const token = tokenFrom(context.connectionParams);
        if (token === undefined || !connection) {
          refuseSocket(
            socket,
            CLOSE_CODES.unauthorized,
            'Unauthorized: connection_init must carry { authorization: "Bearer <jwt>" }',
          );
          return false;
        }
        let caller: Caller;
        try {
          caller = await verifier.verify(token);
        } catch {
          refuseSocket(socket, CLOSE_CODES.forbidden, "Forbidden: the bearer token is invalid or expired");
          return false;
        }
        // Gone while the token was checked (a slow JWKS): nothing may be left behind for it.
        if (!sockets.has(socket) || socket.readyState !== socket.OPEN) return false;
        const slot = callers.connect(caller);
        if (!slot) {
          refuseSocket(
            socket,
            CLOSE_CODES.tryAgainLater,
            `Too many connections for this caller: ${limits.maxConnectionsPerCaller} (WS_MAX_CONNECTIONS_PER_CALLER)`,
          );
          return false;
        }
        connection.held.add(slot);
        connection.identity = { caller, token };
        connection.context = context;
        // A socket outlives no token: when it expires the socket closes, and a client that
        // reconnects with a fresh one resumes (afterSequence).
        const closeAtExpiry = () => {
          const left = expiresAt(token) - Date.now();
          if (left <= 0) socket.close(CLOSE_CODES.forbidden, "Forbidden: the bearer token expired");
          // setTimeout holds at most about 24.8 days: longer tokens are re-armed.
          else connection.expiry = setTimeout(closeAtExpiry, Math.min(left, 2 ** 31 - 1)).unref();
        };
        closeAtExpiry();
        return true;
      },

      onSubscribe: (context, id, payload) => {
        const connection = sockets.get(context.extra.socket);
        const identity = connection?.identity;
        if (!connection || !identity) {
          return [
            new GraphQLError("The connection is not initialised", {
              extensions: { code: "UNAUTHENTICATED" },
            }),
          ];
        }
        if (stopping) {
          return [
            new GraphQLError("The gateway is stopping; subscribe again in a moment", {
              extensions: { code: "SUBSCRIPTION_INTERRUPTED" },
            }),
          ];
        }
        // The reservation of this very operation is already counted.
        if (Object.keys(context.subscriptions).length > limits.maxPerConnection) {
          return [
            new GraphQLError(
              `This connection already holds ${limits.maxPerConnection} operations, the limit per connection (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one or open another connection`,
              { extensions: { code: "TOO_MANY_SUBSCRIPTIONS" } },
            ),
          ];
        }
        const schema = options.schema();
        const prepared = operations.prepare(schema, payload.query, payload.operationName);
        if (isErrors(prepared)) return prepared;
        const bound = bindVariables(schema, prepared, payload.variables);
        if (isErrors(bound)) return bound;
        const { caller, token } = identity;
        // The limits that need variables and the caller (cost, variable depth): at subscribe time,
        // so an operation over its budget is refused once, not with every event.
        const refusal = options.operationLimits.check({
          schema,
          document: prepared.document,
          operationName: payload.operationName,
          variables: payload.variables,
          extensions: payload.extensions,
          caller,
        });
        if (refusal) return [toGraphQLError(refusal)];
        // Taken last, when nothing else refuses: held until the operation ends or the socket closes.
        const slot = callers.operate(caller);
        if (typeof slot !== "function") return [tooManyForCaller(slot.full, limits.maxPerCaller)];
        connection.held.add(slot);
        const ended = () => {
          connection.held.delete(slot);
          slot();
        };
        const start: PreparedStart = {
          start: () =>
            bound.kind === "relay" && prepared.kind === "relay"
              ? relay.subscribe({
                  caller,
                  token,
                  operation: prepared,
                  bound,
                  direct: directSend(context.extra.socket, id),
                  ended,
                })
              : options
                  .execute(
                    {
                      query: payload.query,
                      operationName: payload.operationName ?? undefined,
                      variables: bound.variables,
                    },
                    { caller, authorization: `Bearer ${token}`, requestId: randomUUID() },
                  )
                  .finally(ended),
        };
        return {
          schema,
          document: prepared.document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: start,
        };
      },
      execute: (args) => (args.contextValue as PreparedStart).start() as never,
      subscribe: (args) => (args.contextValue as PreparedStart).start() as never,
      // Results are already formatted (by Apollo Server, or by the relay for subgraph errors).
      onNext: (_context, _id, _payload, _args, result) => result as FormattedExecutionResult,
      onError: (_context, _id, _payload, errors) => errors.flatMap(formatted),
    },
    wss,
    0, // keep-alive is the sweep above
  );

  return {
    stats: () => {
      const { connections, subscriptions } = upstream.stats();
      return {
        connections: sockets.size,
        subscriptions: relay.subscriptions(),
        upstreamConnections: connections,
        upstreamSubscriptions: subscriptions,
      };
    },
    async stop() {
      if (stopping) return;
      stopping = true;
      clearInterval(keepAlive);
      for (const connection of sockets.values()) clearTimeout(connection.expiry);
      // Completing every subscription releases its upstream one, and the last of a token its connection.
      relay.stop();
      // graphql-ws forgets an operation once its `complete` is written: wait for that (or a
      // query still running) a little, so clients see their subscriptions complete before 1001.
      const deadline = Date.now() + STOP_WAIT_MS;
      const busy = () =>
        [...sockets.values()].some((c) => c.context && Object.keys(c.context.subscriptions).length > 0);
      while (busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      const closed = [...sockets.keys()].map(
        (ws) =>
          new Promise<void>((resolve) =>
            ws.readyState === ws.CLOSED ? resolve() : ws.once("close", resolve),
          ),
      );
      for (const ws of sockets.keys()) ws.close(CLOSE_CODES.goingAway, "Going away: the gateway is stopping");
      const timeout = setTimeout(() => {
        for (const ws of sockets.keys()) ws.terminate();
      }, STOP_WAIT_MS);
      await Promise.all(closed);
      clearTimeout(timeout);
      options.httpServer.off("upgrade", onUpgrade);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** TOO_MANY_SUBSCRIPTIONS for a caller whose operations on this gateway already reach the limit. */
function tooManyForCaller(full: FullCount, max: number): GraphQLError {
  const who =
    full === "caller"
      ? "This caller (its token's subject) already holds"
      : "This client's front-office callers already hold";
  return new GraphQLError(
    `${who} ${max} operations on this gateway, the limit per caller (WS_MAX_SUBSCRIPTIONS_PER_CALLER); complete one first`,
    { extensions: { code: "TOO_MANY_SUBSCRIPTIONS" } },
  );
}

/**
 * The token of a connection_init payload: `authorization: "Bearer <jwt>"`, or `token` (with
 * or without "Bearer "). Undefined when there is none; "" when there is one that is no token.
 */
function tokenFrom(params: ConnectionParams): string | undefined {
  const value = params?.authorization ?? params?.token;
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") return "";
  const bearer = /^Bearer\s+(\S+)$/i.exec(value);
  if (bearer) return bearer[1];
  return params?.authorization === undefined && /^\S+$/.test(value) ? value : "";
}

/** The verified token's `exp`, in milliseconds. */
function expiresAt(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8")) as {
    exp: number;
  };
  return payload.exp * 1000;
}

/** An operation's error as the client sees it: a relay failure carries its errors, others go through formatError. */
function formatted(error: GraphQLError): readonly GraphQLFormattedError[] {
  if (error.originalError instanceof SubscriptionFailure) return error.originalError.errors;
  return [formatError(error.toJSON(), error)];
}

/** A graphql-ws `next` message for subscription `id`, written with the result as it was serialised once. */
function directSend(socket: WebSocket, id: string): DirectSend {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return (serializedResult) => {
    if (socket.readyState !== socket.OPEN) return { sent: false, bufferedBytes: 0 };
    socket.send(`${prefix}${serializedResult}}`);
    return { sent: true, bufferedBytes: socket.bufferedAmount };
  };
}
