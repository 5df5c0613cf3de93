/**
 * The gateway's graphql-ws connections to subgraphs: one per subgraph and caller token, shared
 * by every upstream subscription of that caller, closed when its last subscription ends.
 */
import { type Client, createClient, type Sink } from "graphql-ws";
import type { FormattedExecutionResult } from "graphql";
import WebSocket from "ws";
import { CLOSE_CODES } from "./errors";

/** Where a subgraph serves graphql-ws: its GraphQL URL with ws:// or wss://. */
export function websocketUrl(httpUrl: string): string {
  const url = new URL(httpUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

interface Connection {
  client: Client;
  subscriptions: number;
}

/** Upstream graphql-ws clients, reference-counted by their subscriptions. */
export class UpstreamPool {
  private readonly connections = new Map<string, Connection>();
  private subscriptionCount = 0;

  /**
   * `subgraphUrl` maps a subgraph name to its GraphQL (HTTP) URL. Every `keepAliveMs` a ping
   * goes upstream; one not answered within the next interval terminates the socket, so a
   * frozen or half-open subgraph is noticed within about 2 x `keepAliveMs` and its
   * subscriptions end with SUBSCRIPTION_INTERRUPTED.
   */
  constructor(
    private readonly subgraphUrl: (subgraph: string) => string,
    private readonly keepAliveMs = 12_000,
  ) {}

  /**
   * Subscribes at `subgraph` with the caller's token; returns the release, which completes the
   * upstream subscription (if still running) and closes the connection when it was the last.
   * After `sink.error` or `sink.complete` the subscription is over, but must still be released.
   */
  subscribe(
    subgraph: string,
    token: string,
    query: string,
    sink: Sink<FormattedExecutionResult<Record<string, unknown>>>,
  ): () => void {
    const key = `${subgraph}\n${token}`;
    let connection = this.connections.get(key);
    if (!connection) {
      connection = {
        client: createClient({
          url: websocketUrl(this.subgraphUrl(subgraph)),
          webSocketImpl: UpstreamSocket,
          connectionParams: { authorization: `Bearer ${token}` },
          // A lost upstream ends its subscriptions with an error instead of a silent reconnect:
          // a live subscription would skip what happened meanwhile, and only the client can
          // resume (afterSequence). Lazy: the socket opens with the first subscription and
          // closes with the last one's release.
          retryAttempts: 0,
          lazy: true,
          keepAlive: this.keepAliveMs,
          on: unansweredPingAbandons(this.keepAliveMs),
        }),
        subscriptions: 0,
      };
      this.connections.set(key, connection);
    }
    const current = connection;
    current.subscriptions++;
    this.subscriptionCount++;
    const unsubscribe = current.client.subscribe({ query }, sink);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      unsubscribe();
      this.subscriptionCount--;
      if (--current.subscriptions === 0) {
        this.connections.delete(key);
        // dispose() awaits the connection attempt and rejects with its CloseEvent when the
        // subgraph went away meanwhile (1001 on its stop): the subscriptions already heard of
        // that through their sinks, and an unhandled rejection would end the gateway.
        Promise.resolve(current.client.dispose()).catch(() => undefined);
      }
    };
  }

  /** Open upstream connections and subscriptions. */
  stats(): { connections: number; subscriptions: number } {
    return { connections: this.connections.size, subscriptions: this.subscriptionCount };
  }
}

/**
 * The gateway's socket to a subgraph. `abandon` ends it at once: `close()` would wait for the
 * closing handshake (30 s in ws), which a frozen peer never answers. Its close event then
 * carries the code given, so graphql-ws hands the relay (and the log) the reason.
 */
class UpstreamSocket extends WebSocket {
  private abandonedWith: { code: number; reason: string } | undefined;

  abandon(code: number, reason: string): void {
    if (this.readyState === WebSocket.CLOSED || this.abandonedWith) return;
    this.abandonedWith = { code, reason };
    // The close frame tells a peer that is slow rather than gone why; nobody waits for its answer.
    if (this.readyState === WebSocket.OPEN) this.close(code, reason);
    this.terminate();
  }

  override emit(event: string | symbol, ...args: unknown[]): boolean {
    if (event === "close" && this.abandonedWith) {
      const { code, reason } = this.abandonedWith;
      return super.emit("close", code, Buffer.from(reason));
    }
    return super.emit(event, ...args);
  }
}

/** graphql-ws client hooks that abandon the socket when a ping of ours gets no pong in time. */
function unansweredPingAbandons(timeoutMs: number) {
  let socket: UpstreamSocket | undefined;
  let waiting: NodeJS.Timeout | undefined;
  return {
    connected: (connected: unknown) => {
      socket = connected as UpstreamSocket;
    },
    ping: (received: boolean) => {
      if (received) return;
      clearTimeout(waiting);
      waiting = setTimeout(
        () => socket?.abandon(CLOSE_CODES.upstreamPingTimeout, "Upstream ping not answered"),
        timeoutMs,
      ).unref();
    },
    pong: (received: boolean) => {
      if (received) clearTimeout(waiting);
    },
    closed: () => clearTimeout(waiting),
  };
}
