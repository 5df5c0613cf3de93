/**
 * The graphql-ws endpoint's sockets: which upgrades it accepts (path, host, WS_MAX_CONNECTIONS),
 * who each socket is once admitted (WS_MAX_CONNECTIONS_PER_CALLER), the slots each holds until
 * it closes, one keep-alive sweep for all of them, and the graceful stop. Authentication and
 * dispatch reach a socket only through this registry.
 */
import type http from "node:http";
import type { Duplex } from "node:stream";
import type { Context } from "graphql-ws";
import type { Extra } from "graphql-ws/use/ws";
import { type WebSocket, WebSocketServer } from "ws";
import type { Caller } from "../../common/auth/caller";
import type { Config, HttpServerConfig } from "../../common/config";
import { addressedHere } from "../../common/http";
import { CLOSE_CODES } from "./errors";
import type { CallerLimits, Release } from "./limits";

/** The `connection_init` payload as a client sends it. */
export type ConnectionParams = { authorization?: unknown; token?: unknown } | undefined;

/** graphql-ws's context of one socket. */
export type ConnectionContext = Context<ConnectionParams, Extra>;

/** Who a socket is once `connection_init` passed: the verified caller and its raw token. */
export interface Identity {
  /** The token's subject, kind and (front office) client: what the limits per caller count. */
  caller: Caller;
  /** The caller's JWT: a stream it shares may borrow it for its upstream and event queries. */
  token: string;
  /** When the token expires (its `exp`, in ms): the socket closes then, and no stream uses it after. */
  expiresAt: number;
}

/** Where the registry takes upgrades, and the limits it applies to sockets. */
export interface ConnectionRegistryOptions {
  /** The gateway's HTTP server, whose upgrades the registry takes. */
  httpServer: http.Server;
  /** The HTTP server's settings: an upgrade addressed to another host is refused like a request. */
  http: HttpServerConfig;
  /** The GraphQL path, shared with HTTP (`/graphql`); an upgrade elsewhere answers 404. */
  path: string;
  /** Sockets per gateway and per caller, and the keep-alive interval. */
  limits: Pick<Config["subscriptions"], "maxConnections" | "maxConnectionsPerCaller" | "keepAliveMs">;
  /** Counts the sockets of each caller (shared with dispatch, which counts operations). */
  callers: Pick<CallerLimits, "connect">;
}

/**
 * A socket's state: initialising until `connection_init` passed, then ready with who it is.
 * A socket that is refused or closes leaves the registry, so there is no third state.
 */
type State = { name: "initialising" } | { name: "ready"; identity: Identity; context: ConnectionContext };

interface Connection {
  state: State;
  /** False from the sweep's ping to the socket's pong. */
  alive: boolean;
  /** What this socket holds (its caller's slots, its operations', its expiry timer): all given back when it goes. */
  held: Set<Release>;
}

/** Largest message a client may send; HTTP bodies have the same limit. */
const MAX_MESSAGE_BYTES = 1024 * 1024;
/**
 * How long a refused socket may take to answer its close frame before it is cut. It holds no slot
 * meanwhile, only a descriptor; a busy client (one refused with 1013 among several sockets opened
 * at once) needs more than a second to read the frame, and cut sooner it sees 1006, not the code.
 */
const REFUSED_GRACE_MS = 5_000;
/** How long a stop waits for `complete` messages to be written, then for sockets to answer 1001. */
const STOP_WAIT_MS = 1_000;

/** The client sockets of one gateway, from upgrade to close. */
export class ConnectionRegistry {
  /** The ws server graphql-ws serves: it only ever sees the sockets this registry accepted. */
  readonly webSocketServer = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  private readonly sockets = new Map<WebSocket, Connection>();
  private state: "serving" | "stopping" = "serving";
  private readonly keepAlive: NodeJS.Timeout;

  /** Takes `options.httpServer`'s upgrades at once; {@link stop} gives them back. */
  constructor(private readonly options: ConnectionRegistryOptions) {
    options.httpServer.on("upgrade", this.onUpgrade);
    // One sweep for every socket rather than a timer each: a socket that did not answer the
    // previous ping is gone (its subscriptions are released with it).
    this.keepAlive = setInterval(() => this.sweep(), options.limits.keepAliveMs);
    this.keepAlive.unref();
  }

  /** Sockets accepted (authenticated or still initialising). */
  get size(): number {
    return this.sockets.size;
  }

  /** True once {@link stop} began: no new socket and no new operation. */
  get stopping(): boolean {
    return this.state === "stopping";
  }

  /** True while `socket` is accepted and neither refused nor closed. */
  has(socket: WebSocket): boolean {
    return this.sockets.has(socket);
  }

  /** Who `socket` is, once {@link admit}ted. */
  identity(socket: WebSocket): Identity | undefined {
    const state = this.sockets.get(socket)?.state;
    return state?.name === "ready" ? state.identity : undefined;
  }

  /**
   * Makes the socket of `context` ready as `identity`, holding one of its caller's socket slots.
   * False when the socket went away meanwhile (a slow token check: nothing is left behind for
   * it), or when the caller already holds WS_MAX_CONNECTIONS_PER_CALLER sockets: then the
   * socket is refused with 1013.
   */
  admit(context: ConnectionContext, identity: Identity): boolean {
    const { socket } = context.extra;
    const connection = this.sockets.get(socket);
    if (!connection || socket.readyState !== socket.OPEN) return false;
    const slot = this.options.callers.connect(identity.caller);
    if (!slot) {
      this.refuse(
        socket,
        CLOSE_CODES.tryAgainLater,
        `Too many connections for this caller: ${this.options.limits.maxConnectionsPerCaller} (WS_MAX_CONNECTIONS_PER_CALLER)`,
      );
      return false;
    }
    connection.held.add(slot);
    connection.state = { name: "ready", identity, context };
    return true;
  }

  /**
   * Holds `release` until `socket` goes (closes or is refused), and returns the early release:
   * it gives `release` back now and forgets it. On a socket that is gone already, `release`
   * runs at once.
   */
  hold(socket: WebSocket, release: Release): Release {
    const connection = this.sockets.get(socket);
    if (!connection) {
      release();
      return release;
    }
    connection.held.add(release);
    return () => {
      connection.held.delete(release);
      release();
    };
  }

  /**
   * Closes a refused socket and stops counting it at once, so that a client that never answers
   * the close frame holds no slot (of the gateway's or of its caller's) while ws waits for it;
   * the socket is cut after {@link REFUSED_GRACE_MS} whatever it does.
   */
  refuse(socket: WebSocket, code: number, reason: string): void {
    this.forget(socket);
    socket.close(code, reason);
    setTimeout(() => socket.terminate(), REFUSED_GRACE_MS).unref();
  }

  /**
   * Refuses new sockets and operations and ends the sweep; `completeOperations` then ends every
   * running operation. Once graphql-ws has written their `complete` messages (or after
   * {@link STOP_WAIT_MS}), every socket is closed with 1001 and cut if it does not answer in
   * as long, and the HTTP server's upgrades are let go. A second call does nothing.
   */
  async stop(completeOperations: () => void): Promise<void> {
    if (this.state === "stopping") return;
    this.state = "stopping";
    clearInterval(this.keepAlive);
    completeOperations();
    // graphql-ws forgets an operation once its `complete` is written: wait for that (or a
    // query still running) a little, so clients see their subscriptions complete before 1001.
    const deadline = Date.now() + STOP_WAIT_MS;
    while (this.busy() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
    await this.closeAll();
    // Refused sockets still in their grace period: cut now, or the ws server's close waits for them.
    for (const socket of this.webSocketServer.clients) if (!this.sockets.has(socket)) socket.terminate();
    this.options.httpServer.off("upgrade", this.onUpgrade);
    await new Promise<void>((resolve) => this.webSocketServer.close(() => resolve()));
  }

  private readonly onUpgrade = (request: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refuse = (status: string) => {
      socket.on("error", () => socket.destroy());
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (new URL(request.url ?? "/", "http://gateway").pathname !== this.options.path)
      return refuse("404 Not Found");
    if (this.stopping) return refuse("503 Service Unavailable");
    if (!addressedHere(request, this.options.http)) return refuse("403 Forbidden");
    this.webSocketServer.handleUpgrade(request, socket, head, (ws) => this.accept(ws, request));
  };

  /** Counts a new socket and hands it to graphql-ws, unless the gateway holds its maximum (1013). */
  private accept(ws: WebSocket, request: http.IncomingMessage): void {
    const { maxConnections } = this.options.limits;
    if (this.sockets.size >= maxConnections) {
      ws.on("error", () => ws.terminate()); // graphql-ws never sees this socket to listen for it
      this.refuse(
        ws,
        CLOSE_CODES.tryAgainLater,
        `Too many connections: this gateway accepts ${maxConnections} (WS_MAX_CONNECTIONS)`,
      );
      return;
    }
    const connection: Connection = { state: { name: "initialising" }, alive: true, held: new Set() };
    this.sockets.set(ws, connection);
    ws.on("pong", () => {
      connection.alive = true;
    });
    ws.once("close", () => this.forget(ws));
    this.webSocketServer.emit("connection", ws, request);
  }

  /** Stops counting `socket` and gives back everything it holds. */
  private forget(socket: WebSocket): void {
    const connection = this.sockets.get(socket);
    this.sockets.delete(socket);
    if (connection) for (const release of connection.held) release();
  }

  private sweep(): void {
    for (const [ws, connection] of this.sockets) {
      // Missed a ping, or closed (graphql-ws's own refusals) and still waiting for the answer.
      if (!connection.alive || ws.readyState === ws.CLOSING) {
        ws.terminate();
        continue;
      }
      connection.alive = false;
      ws.ping();
    }
  }

  /** True while an operation of a ready socket is still running or its `complete` unwritten. */
  private busy(): boolean {
    return [...this.sockets.values()].some(
      ({ state }) => state.name === "ready" && Object.keys(state.context.subscriptions).length > 0,
    );
  }

  /** Closes every socket with 1001, cuts those that do not answer in time, and waits for all. */
  private async closeAll(): Promise<void> {
    const closed = [...this.sockets.keys()].map(
      (ws) =>
        new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once("close", resolve))),
    );
    for (const ws of this.sockets.keys())
      ws.close(CLOSE_CODES.goingAway, "Going away: the gateway is stopping");
    const timeout = setTimeout(() => {
      for (const ws of this.sockets.keys()) ws.terminate();
    }, STOP_WAIT_MS);
    await Promise.all(closed);
    clearTimeout(timeout);
  }
}
