/**
 * graphql-ws (protocol graphql-transport-ws) on the gateway's own HTTP server and path, wired
 * from three parts: the connection registry (upgrades, sockets per gateway and per caller,
 * keep-alive, stop), authentication (the token of connection_init and its expiry), and dispatch
 * (each operation's checks and limits, then the relay for subscriptions, or the gateway as over
 * HTTP for queries and mutations).
 */
import { useServer } from "graphql-ws/use/ws";
import type { TokenVerifier } from "../../common/auth/tokens";
import type { Config } from "../../common/config";
import { Authentication } from "./authentication";
import { type ConnectionParams, ConnectionRegistry, type ConnectionRegistryOptions } from "./connections";
import { dispatchOperations, type DispatchOptions } from "./dispatch";
import { CallerLimits } from "./limits";
import { type RelayTimings, SubscriptionRelay } from "./relay";
import { UpstreamPool } from "./upstream";

/**
 * What the endpoint serves on (as the registry takes it), what operations run against (as
 * dispatch runs them), who may connect, the limits, and where the subgraphs are.
 */
export interface SubscriptionServerOptions
  extends
    Pick<ConnectionRegistryOptions, "httpServer" | "http" | "path">,
    Pick<DispatchOptions, "operationLimits" | "schema" | "execute" | "relayedFields"> {
  /** Sockets and operations per gateway, connection and caller, and the keep-alive interval. */
  limits: Config["subscriptions"];
  /** Checks the token of `connection_init`, as HTTP's bearer tokens are checked. */
  verifier: TokenVerifier;
  /** A subgraph's GraphQL (HTTP) URL; its graphql-ws endpoint is the same URL with ws://. */
  subgraphUrl(subgraph: string): string;
  /** Where the relay reports how long each event's query and delivery took (the gateway's metrics). */
  timings?: RelayTimings;
}

/** What the endpoint holds right now (tests and metrics). */
export interface SubscriptionStats {
  /** Client sockets accepted (authenticated or still initialising). */
  connections: number;
  /** Client subscriptions being relayed. */
  subscriptions: number;
  /** Sockets from the gateway to subgraphs: one per token a stream borrowed (two during a handover). */
  upstreamConnections: number;
  /** Subscriptions opened at subgraphs: one per shared stream (two during a handover). */
  upstreamSubscriptions: number;
}

/** The running endpoint. */
export interface SubscriptionServer {
  /** What it holds right now. */
  stats(): SubscriptionStats;
  /** Completes every subscription, closes every socket (1001) and every upstream connection. */
  stop(): Promise<void>;
}

/**
 * Serves graphql-ws on `options.httpServer`'s upgrades at `options.path`; other paths answer 404.
 * Call `stop()` before the HTTP server closes: open sockets would hold its close.
 */
export function serveSubscriptions(options: SubscriptionServerOptions): SubscriptionServer {
  const { limits } = options;
  const upstream = new UpstreamPool(options.subgraphUrl, limits.keepAliveMs);
  const relay = new SubscriptionRelay(
    upstream,
    options.execute,
    { maxEvents: limits.maxBacklogEvents, maxBytes: limits.maxBacklogBytes },
    options.timings,
  );
  // One count per caller: the registry takes its sockets' slots, dispatch its operations'.
  const callers = new CallerLimits(limits);
  const connections = new ConnectionRegistry({
    httpServer: options.httpServer,
    http: options.http,
    path: options.path,
    limits,
    callers,
  });
  const authentication = new Authentication(options.verifier, connections);
  const dispatch = dispatchOperations({
    connections,
    limits,
    callers,
    operationLimits: options.operationLimits,
    schema: options.schema,
    relayedFields: options.relayedFields,
    execute: options.execute,
    relay,
  });
  useServer<ConnectionParams>(
    { onConnect: (context) => authentication.onConnect(context), ...dispatch },
    connections.webSocketServer,
    0, // keep-alive is the registry's sweep
  );

  return {
    stats: () => {
      const { connections: upstreamConnections, subscriptions: upstreamSubscriptions } = upstream.stats();
      return {
        connections: connections.size,
        subscriptions: relay.subscriptions(),
        upstreamConnections,
        upstreamSubscriptions,
      };
    },
    stop: () =>
      connections.stop(() => {
        authentication.stop();
        // Completing every subscription releases its upstream one, and the last of a token its connection.
        relay.stop();
      }),
  };
}
