/**
 * LISTEN on one PostgreSQL channel with a connection of its own (outside the pool), handing
 * each notification's JSON payload to `onPayload`. If the connection drops it reconnects with a
 * backoff and calls `onReconnect`, so subscribers can catch up on what they may have missed.
 */
import { Client } from "pg";
import { log } from "../log";

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
  const connect = async (): Promise<void> => {
    const next = new Client({ connectionString: databaseUrl, application_name: `listen:${channel}` });
    next.on("notification", (message) => {
      if (message.channel !== channel || !message.payload) return;
      try {
        onPayload(JSON.parse(message.payload));
      } catch (error) {
        log.error({ err: error, channel }, "bad notification payload");
      }
    });
    next.on("error", (error) => {
      log.warn({ err: error, channel }, "listener connection lost; reconnecting");
      void next.end().catch(() => undefined);
      if (client === next) client = undefined;
      void reconnect(1);
    });
    await next.connect();
    await next.query(`LISTEN ${channel}`);
    client = next;
  };
  const reconnect = async (attempt: number): Promise<void> => {
    if (stopped || client) return;
    await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5_000)));
    if (stopped || client) return;
    try {
      await connect();
      onReconnect();
    } catch {
      void reconnect(attempt + 1);
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
