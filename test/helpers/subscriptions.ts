/** Subscription test helpers: wait for a condition, and watch what a graphql-ws subscription receives. */
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import type { GatewayServer } from "../../gateway/server";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A graphql-ws client of `gateway` with `token`, connecting at once and never retrying; it is
 * added to `clients`, which the suite disposes of.
 */
export function connectClient(gateway: GatewayServer, token: string, clients: Client[]): Client {
  const client = createClient({
    url: gateway.url.replace(/^http/, "ws"),
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
  });
  clients.push(client);
  return client;
}

/** Resolves once `condition` holds; rejects after `ms`. */
export async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("the condition did not hold in time");
    await sleep(10);
  }
}

/**
 * Ends every client a suite opened (and forgets them); with `gateway`, then waits until it holds
 * no socket, subscription or upstream (`ms` at most), so the next test starts from nothing.
 */
export async function disposeClients(clients: Client[], gateway?: GatewayServer, ms?: number): Promise<void> {
  await Promise.all(clients.splice(0).map((client) => client.dispose()));
  if (gateway) await waitFor(() => idle(gateway), ms);
}

/** True when the gateway holds no socket, subscription or upstream. */
export function idle(gateway: GatewayServer): boolean {
  return Object.values(gateway.subscriptions.stats()).every((value) => value === 0);
}

export interface Watcher<T> {
  /** Every `next` payload, as it came. */
  results: Array<{ data?: any; errors?: readonly any[] }>;
  /** The non-null events under the response key. */
  events: T[];
  /** Errors of `next` payloads and the final `error`. */
  errors: any[];
  completed: () => boolean;
  until(count: number, ms?: number): Promise<void>;
}

/** Subscribes on `client` and collects what arrives under `responseKey` (the alias, by default the field name). */
export function watch<T = any>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
  responseKey = "transferStatusChanged",
): Watcher<T> {
  const watcher: Watcher<T> = {
    results: [],
    events: [],
    errors: [],
    completed: () => done,
    until: (count, ms = 10_000) =>
      waitFor(() => watcher.events.length >= count, ms).catch(() => {
        throw new Error(
          `only ${watcher.events.length} of ${count} events; errors ${JSON.stringify(watcher.errors)}`,
        );
      }),
  };
  let done = false;
  client.subscribe(
    { query, variables },
    {
      next: (result) => {
        watcher.results.push(result);
        if (result.errors) watcher.errors.push(...result.errors);
        if (result.data?.[responseKey]) watcher.events.push(result.data[responseKey] as T);
      },
      error: (error) => {
        watcher.errors.push(...(Array.isArray(error) ? error : [error]));
        done = true;
      },
      complete: () => {
        done = true;
      },
    },
  );
  return watcher;
}

export const STATUS_CHANGED = `subscription Watch($transferId: ID, $clientId: ID, $accountId: ID, $afterSequence: ID) {
  transferStatusChanged(transferId: $transferId, clientId: $clientId, accountId: $accountId, afterSequence: $afterSequence) {
    transferId sequence previousStatus status changedBy
  }
}`;
