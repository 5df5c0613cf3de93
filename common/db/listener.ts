/**
 * A connection of its own (outside the pool) for one PostgreSQL channel, handing each
 * notification's JSON payload to `onPayload` once {@link Listener.hear} has made it LISTEN. If the
 * connection drops it reconnects with a backoff (one reconnect loop at a time), LISTENs again if
 * it did, and calls `onReconnect`, so subscribers can catch up on what they may have missed.
 * After `stop()` no connection is left open.
 */
import { Client } from "pg";
import { log } from "../log";

/** How long opening the connection may take. */
const CONNECT_TIMEOUT_MS = 10_000;

export interface Listener {
  /**
   * Resolves once the connection LISTENs (a round trip the first time, at once afterwards, and
   * at once while a lost connection is being reopened: the reopened one LISTENs, then
   * `onReconnect` is called). Until the first call, the process hears nothing of the channel.
   */
  hear(): Promise<void>;
  stop(): Promise<void>;
}

/** Opens the connection (without LISTEN: see {@link Listener.hear}); rejects when it cannot be opened. */
export async function openListener(
  databaseUrl: string,
  channel: string,
  onPayload: (payload: unknown) => void,
  onReconnect: () => void = () => undefined,
): Promise<Listener> {
  let stopped = false;
  let client: Client | undefined;
  let reconnecting = false;
  /** Whether the connection should LISTEN (hear() was called), and the LISTEN of the open one. */
  let wanted = false;
  let listening: Promise<void> | undefined;

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
    next.on("error", (error) => drop(next, error));
    try {
      await next.connect();
      if (wanted) await next.query(`LISTEN ${channel}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    client = next;
    listening = wanted ? Promise.resolve() : undefined;
  };

  /** Gives `lost` up (unless it already was) and reconnects. */
  const drop = (lost: Client, error: unknown): void => {
    if (client !== lost) return;
    log.warn({ err: error, channel }, "listener connection lost; reconnecting");
    client = undefined;
    listening = undefined;
    void lost.end().catch(() => undefined);
    void reconnect();
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
    hear: () => {
      if (stopped) return Promise.reject(new Error(`the ${channel} listener is stopped`));
      wanted = true;
      // No connection: the one being reopened LISTENs, then onReconnect makes subscribers catch up.
      const on = client;
      if (!on) return Promise.resolve();
      // A LISTEN that fails loses the connection the same way: the next one LISTENs, then onReconnect.
      return (listening ??= on.query(`LISTEN ${channel}`).then(
        () => undefined,
        (error: unknown) => {
          if (stopped) throw error;
          drop(on, error);
        },
      ));
    },
    stop: async () => {
      stopped = true;
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
