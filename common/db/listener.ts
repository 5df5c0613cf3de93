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
  const listener = new ChannelListener(databaseUrl, channel, onPayload, onReconnect);
  await listener.connect();
  return listener;
}

class ChannelListener implements Listener {
  private stopped = false;
  private client: Client | undefined;
  private reconnecting = false;
  /** Whether the connection should LISTEN (hear() was called). */
  private wanted = false;
  /** The LISTEN of the open connection, sent or done. */
  private listening: Promise<void> | undefined;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly onPayload: (payload: unknown) => void,
    private readonly onReconnect: () => void,
  ) {}

  hear(): Promise<void> {
    if (this.stopped) return Promise.reject(new Error(`the ${this.channel} listener is stopped`));
    this.wanted = true;
    // No connection: the one being reopened LISTENs, then onReconnect makes subscribers catch up.
    const on = this.client;
    if (!on) return Promise.resolve();
    // A LISTEN that fails loses the connection the same way: the next one LISTENs, then onReconnect.
    return (this.listening ??= on.query(`LISTEN ${this.channel}`).then(
      () => undefined,
      (error: unknown) => {
        if (this.stopped) throw error;
        this.drop(on, error);
      },
    ));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const current = this.client;
    this.client = undefined;
    await current?.end().catch(() => undefined);
  }

  async connect(): Promise<void> {
    const next = new Client({
      connectionString: this.databaseUrl,
      application_name: `listen:${this.channel}`,
      // A database that does not answer fails the start in time (decision 0052).
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    });
    next.on("notification", (message) => {
      if (message.channel !== this.channel || !message.payload) return;
      try {
        this.onPayload(JSON.parse(message.payload));
      } catch (error) {
        log.error({ err: error, channel: this.channel }, "bad notification payload");
      }
    });
    next.on("error", (error) => this.drop(next, error));
    try {
      await next.connect();
      if (this.wanted) await next.query(`LISTEN ${this.channel}`);
    } catch (error) {
      await next.end().catch(() => undefined);
      throw error;
    }
    if (this.stopped) {
      await next.end().catch(() => undefined);
      return;
    }
    this.client = next;
    this.listening = this.wanted ? Promise.resolve() : undefined;
  }

  /** Gives `lost` up (unless it already was) and reconnects. */
  private drop(lost: Client, error: unknown): void {
    if (this.client !== lost) return;
    log.warn({ err: error, channel: this.channel }, "listener connection lost; reconnecting");
    this.client = undefined;
    this.listening = undefined;
    void lost.end().catch(() => undefined);
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    if (this.reconnecting) return;
    this.reconnecting = true;
    try {
      for (let attempt = 1; !this.stopped && !this.client; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(100 * 2 ** attempt, 5_000)));
        if (this.stopped) return;
        try {
          await this.connect();
          if (this.client) this.onReconnect();
        } catch {
          // try again after a longer pause
        }
      }
    } finally {
      this.reconnecting = false;
    }
  }
}
