/**
 * LISTEN on one PostgreSQL channel with a connection of its own (outside the pool), handing
 * each notification's JSON payload to `onPayload`. If the connection drops it reconnects with a
 * backoff (one reconnect loop at a time) and calls `onReconnect`, so subscribers can catch up
 * on what they may have missed. After `stop()` no connection is left open.
 */
import { Client } from "pg";
import { log } from "../log";

/** How long opening the LISTEN connection may take. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface Listener {
  stop(): Promise<void>;
}

export async function listen(
  databaseUrl: string,
  channel: string,
  onPayload: (payload: unknown) => void,
  onReconnect: () => void = () => undefined,
): Promise<Listener> {
  let stopped = false;
  let client: Client | undefined;
  let reconnecting = false;

  const connect = async (): Promise<void> => {
    const next = new Client({
      connectionString: databaseUrl,
      application_name: `listen:${channel}`,
      // A database that does not answer fails the start in time (decision 0052).
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    next.on("notification", (message) => {
      if (message.channel !== channel || !message.payload) return;
      try {
        onPayload(JSON.parse(message.payload));
      } catch (error) {
        log.error({ err: error, channel }, "bad notification payload");
      }
    });
    next.on("error", (error) => {
      if (client !== next) return; // a connection already given up
      log.warn({ err: error, channel }, "listener connection lost; reconnecting");
      client = undefined;
      void next.end().catch(() => undefined);
      void reconnect();
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${channel}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
  };

  const reconnect = async (): Promise<void> => {
    if (reconnecting) return;
    reconnecting = true;
    try {
      for (let attempt = 1; !stopped && !client; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5_000)));
        if (stopped) return;
        try {
          await connect();
          if (client) onReconnect();
        } catch {
          // try again after a longer pause
        }
      }
    } finally {
      reconnecting = false;
    }
  };

  await connect();
  return {
    stop: async () => {
      stopped = true;
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
