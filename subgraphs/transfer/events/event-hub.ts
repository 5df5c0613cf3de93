/**
 * One LISTEN connection per transfer-subgraph process on `transfer_events` (announced by a
 * trigger at commit, migration 1732230000000), fanned out in memory to the open subscriptions.
 * No subscription holds a database connection of its own.
 */
import { NoticeHub } from "../../../common/db/notice-hub";

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

/** Every status stream hears every notice and applies its own filter (status-stream.ts `matches`). */
export const ALL_TRANSFERS = "all";

/** The process's one LISTEN on `transfer_events`, fanned out to the open status streams. */
export type TransferEventHub = NoticeHub<EventNotice>;

export function transferEventHub(): TransferEventHub {
  return new NoticeHub<EventNotice>("transfer_events", () => ALL_TRANSFERS);
}
