/**
 * The gateway's graphql-ws connections to subgraphs: one per subgraph and caller token, shared
 * by every upstream subscription of that caller, closed when its last subscription ends.
 */
import { type Client, createClient, type Sink } from "graphql-ws";
import type { FormattedExecutionResult } from "graphql";
import WebSocket from "ws";

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
   * goes upstream; one not answered within the next interval closes the socket (a half-open
   * connection is noticed, and its subscriptions end with SUBSCRIPTION_INTERRUPTED).
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
          webSocketImpl: WebSocket,
          connectionParams: { authorization: `Bearer ${token}` },
          // A lost upstream ends its subscriptions with an error instead of a silent reconnect:
          // a live subscription would skip what happened meanwhile, and only the client can
          // resume (afterSequence). Lazy: the socket opens with the first subscription and
          // closes with the last one's release.
          retryAttempts: 0,
          lazy: true,
          keepAlive: this.keepAliveMs,
          on: unansweredPingCloses(this.keepAliveMs),
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
        void current.client.dispose();
      }
    };
  }

  /** Open upstream connections and subscriptions. */
  stats(): { connections: number; subscriptions: number } {
    return { connections: this.connections.size, subscriptions: this.subscriptionCount };
  }
}

/** graphql-ws client hooks that close the socket when a ping of ours gets no pong in time. */
function unansweredPingCloses(timeoutMs: number) {
  let socket: WebSocket | undefined;
  let waiting: NodeJS.Timeout | undefined;
  return {
    connected: (connected: unknown) => {
      socket = connected as WebSocket;
    },
    ping: (received: boolean) => {
      if (received) return;
      clearTimeout(waiting);
      waiting = setTimeout(() => {
        if (socket?.readyState === WebSocket.OPEN) socket.close(4408, "Upstream ping not answered");
      }, timeoutMs).unref();
    },
    pong: (received: boolean) => {
      if (received) clearTimeout(waiting);
    },
    closed: () => clearTimeout(waiting),
  };
}
