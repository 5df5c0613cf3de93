/**
 * A subscriber that keeps its cursor: it follows `transferStatusChanged` from a position, and
 * whenever its subscription ends (cut on purpose, a service restarted) it subscribes again with
 * `after` set to the position of the last event it received (decision 0028).
 */
import { type Client, createClient } from "graphql-ws";
import WebSocket from "ws";
import type { Stack } from "./stack";
import { sleep, waitFor } from "./subscriptions";
import { sql } from "./transfers";

export const FOLLOW = `subscription Follow($clientId: ID, $accountId: ID, $after: String) {
  transferStatusChanged(clientId: $clientId, accountId: $accountId, after: $after) {
    position transferId sequence previousStatus status
  }
}`;

export interface FollowedEvent {
  position: string;
  transferId: string;
  sequence: number;
  previousStatus: string | null;
  status: string;
}

export interface Follower {
  events: FollowedEvent[];
  /** Subscriptions cut on purpose. */
  cuts: number;
  /** How subscriptions ended otherwise, and errors received, in order. */
  ended: unknown[];
  /** Cuts the current subscription now (it resumes from its cursor). */
  cut(): void;
  stop(): Promise<void>;
}

export interface FollowOptions {
  /** The gateway's WebSocket URL, asked at each (re)connect: a restarted gateway may move. */
  url: () => string;
  token: string;
  filter?: { clientId?: string; accountId?: string };
  /** Where to start: a snapshot's or an event's position. */
  after: string;
  /** Cut the subscription after this many events (asked anew after each cut); never when it returns 0. */
  cutAfter?: () => number;
}

export function follow(options: FollowOptions): Follower {
  let client: Client | undefined;
  let stopped = false;
  let generation = 0;
  const follower: Follower = {
    events: [],
    cuts: 0,
    ended: [],
    cut: () => {
      follower.cuts++;
      restart();
    },
    stop: async () => {
      stopped = true;
      await client?.dispose();
    },
  };
  const restart = (delayMs = 0): void => {
    const ending = client;
    client = undefined;
    generation++;
    void ending?.dispose();
    if (!stopped) setTimeout(subscribe, delayMs);
  };
  const subscribe = (): void => {
    if (stopped || client) return;
    const mine = ++generation;
    const last = follower.events[follower.events.length - 1];
    let budget = options.cutAfter?.() ?? 0;
    client = createClient({
      url: options.url(),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${options.token}` },
      retryAttempts: 0,
      lazy: true,
    });
    client.subscribe<{ transferStatusChanged: FollowedEvent }>(
      { query: FOLLOW, variables: { ...options.filter, after: last?.position ?? options.after } },
      {
        next: (result) => {
          if (mine !== generation) return; // a cut subscription's last words
          const event = result.data?.transferStatusChanged;
          if (event) follower.events.push(event);
          if (result.errors) follower.ended.push(result.errors);
          if (event && budget > 0 && --budget === 0) follower.cut();
        },
        error: (error) => {
          if (mine !== generation) return;
          follower.ended.push(error);
          restart(200); // a service is restarting: try again shortly
        },
        complete: () => {
          if (mine !== generation) return;
          follower.ended.push("complete");
          restart(200);
        },
      },
    );
  };
  subscribe();
  return follower;
}

/** The events of a filter after `after` as the database's log has them, in log order. */
export async function loggedEvents(
  stack: Stack,
  after: string,
  filter: { clientId?: string; accountId?: string } = {},
): Promise<Array<{ position: string; transferId: string; sequence: number }>> {
  return sql(
    stack,
    `SELECT l.position::text AS position, e.transfer_id AS "transferId", e.sequence
       FROM transfer.event_log l JOIN transfer.transfer_event e ON e.id = l.event_id
      WHERE l.position > $1
        AND ($2::uuid IS NULL OR e.client_id = $2 OR e.counter_client_id = $2)
        AND ($3::uuid IS NULL OR e.account_id = $3 OR e.counter_account_id = $3)
      ORDER BY l.position`,
    [after, filter.clientId ?? null, filter.accountId ?? null],
  );
}

/** Waits until the follower has `count` events, then a little longer (a duplicate would show). */
export async function caughtUp(follower: Follower, count: number, ms = 30_000): Promise<void> {
  await waitFor(() => follower.events.length >= count, ms).catch(() => {
    throw new Error(
      `only ${follower.events.length} of ${count} events; ended with ${JSON.stringify(follower.ended)}`,
    );
  });
  await sleep(300);
}

/** What a follower received, as `position transferId sequence`, for comparing with the log. */
export function received(events: ReadonlyArray<{ position: string; transferId: string; sequence: number }>) {
  return events.map((e) => `${e.position} ${e.transferId} ${e.sequence}`);
}
