/**
 * One LISTEN connection per transfer-subgraph process on `transfer_events` (announced by a
 * trigger at commit, migration 1732230000000), fanned out in memory to the open subscriptions.
 * No subscription holds a database connection of its own.
 */
import { listen, type Listener } from "../../../common/db/listener";

/**
 * A committed status change, as the trigger announces it, with the transfer's parties when it was
 * written: the client and account debited (credited, incoming) and those credited (internal, FX).
 */
export interface EventNotice {
  /** Its place in the commit-ordered log (decision 0028): a bigint as decimal digits. */
  position: string;
  transferId: string;
  sequence: number;
  clientId: string | null;
  /** The client credited when it is another client (an internal transfer to someone else). */
  counterClientId: string | null;
  accountId: string | null;
  counterAccountId: string | null;
  from: string | null;
  to: string;
  reason: string | null;
  changedBy: string;
  changedAt: string;
}

export interface HubSubscriber {
  onNotice(notice: EventNotice): void;
  /** The LISTEN connection was lost and is back: notices in between may be missing. */
  onReconnect(): void;
}

export class TransferEventHub {
  private readonly subscribers = new Set<HubSubscriber>();
  private listener?: Listener;

  async start(databaseUrl: string): Promise<void> {
    this.listener = await listen(
      databaseUrl,
      "transfer_events",
      (payload) => {
        for (const subscriber of this.subscribers) subscriber.onNotice(payload as EventNotice);
      },
      () => {
        for (const subscriber of this.subscribers) subscriber.onReconnect();
      },
    );
  }

  subscribe(subscriber: HubSubscriber): () => void {
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Open subscriptions in this process (tests check that a disconnect leaves none). */
  get size(): number {
    return this.subscribers.size;
  }

  async stop(): Promise<void> {
    this.subscribers.clear();
    await this.listener?.stop();
  }
}
