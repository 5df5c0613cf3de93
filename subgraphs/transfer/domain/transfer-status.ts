/**
 * Transfer state machines: a table per kind (from -> allowed next statuses). Every change is
 * a guarded UPDATE (WHERE status = from) recorded in the transfer's history with the next
 * sequence number, in the same database transaction. Each status names the step that runs
 * next, so a transfer stopped anywhere is continued from its status alone.
 */
export enum TransferKind {
  /** To a recipient at another bank, through a payment rail; confirmed with a one-time code. */
  OUTGOING = "OUTGOING",
  /** From another bank, delivered by a rail (IncomingRequests). */
  INCOMING = "INCOMING",
  /** Between two accounts of this bank in one currency. */
  INTERNAL = "INTERNAL",
  /** Between two currencies at a quoted rate, through the bank's FX position accounts. */
  FX = "FX",
}

export enum TransferStatus {
  /** Recorded; the first ledger payment is being made (internal, FX). */
  CREATED = "CREATED",
  /** Outgoing: waits for the client's one-time code. */
  PENDING_CONFIRMATION = "PENDING_CONFIRMATION",
  /** Outgoing: confirmed; the funds are being held. */
  CONFIRMED = "CONFIRMED",
  /** Outgoing: funds held, queued for the rail; can still be cancelled. */
  PROCESSING = "PROCESSING",
  /** Outgoing: handed to the rail, waiting for its answer; no longer cancellable. */
  SENDING = "SENDING",
  /** Outgoing: the rail accepted it; the held payment is being posted. */
  SENT = "SENT",
  /** Outgoing: refused (the ledger would not hold the funds, or the rail rejected it); any hold is being released. */
  REJECTED = "REJECTED",
  /** Outgoing: cancelled by the client or an operator; the hold is being released. */
  CANCELLING = "CANCELLING",
  /** Incoming: recorded; being credited to the account (or to suspense). */
  RECEIVED = "RECEIVED",
  /** Incoming: the matched account refused the money; it is being moved to the suspense account. */
  SUSPENDING = "SUSPENDING",
  /** Incoming: no account of ours matched; the money waits in the suspense account. */
  UNRECOGNIZED = "UNRECOGNIZED",
  /** Incoming: an operator chose the account; being moved out of suspense. */
  ASSIGNING = "ASSIGNING",
  /** FX: the source account is debited; the target account is being credited. */
  SOURCE_DEBITED = "SOURCE_DEBITED",
  /** FX: the target leg failed; the source amount is being refunded. */
  REFUNDING = "REFUNDING",
  COMPLETED = "COMPLETED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}

const S = TransferStatus;

export const TRANSFER_TRANSITIONS: Readonly<
  Record<TransferKind, Readonly<Partial<Record<TransferStatus, TransferStatus[]>>>>
> = {
  [TransferKind.INTERNAL]: {
    [S.CREATED]: [S.COMPLETED, S.FAILED],
    [S.COMPLETED]: [],
    [S.FAILED]: [],
  },
  [TransferKind.OUTGOING]: {
    [S.PENDING_CONFIRMATION]: [S.CONFIRMED, S.CANCELLED],
    [S.CONFIRMED]: [S.PROCESSING, S.REJECTED, S.FAILED],
    [S.PROCESSING]: [S.SENDING, S.CANCELLING],
    [S.SENDING]: [S.SENT, S.REJECTED],
    [S.SENT]: [S.COMPLETED],
    [S.REJECTED]: [S.FAILED],
    [S.CANCELLING]: [S.CANCELLED],
    [S.COMPLETED]: [],
    [S.FAILED]: [],
    [S.CANCELLED]: [],
  },
  [TransferKind.INCOMING]: {
    [S.RECEIVED]: [S.COMPLETED, S.SUSPENDING, S.UNRECOGNIZED],
    [S.SUSPENDING]: [S.UNRECOGNIZED],
    [S.UNRECOGNIZED]: [S.ASSIGNING],
    [S.ASSIGNING]: [S.COMPLETED, S.UNRECOGNIZED],
    [S.COMPLETED]: [],
  },
  [TransferKind.FX]: {
    [S.CREATED]: [S.SOURCE_DEBITED, S.FAILED],
    [S.SOURCE_DEBITED]: [S.COMPLETED, S.REFUNDING],
    [S.REFUNDING]: [S.FAILED],
    [S.COMPLETED]: [],
    [S.FAILED]: [],
  },
};

/** Statuses that wait for a person (the client's code, an operator's assignment), not for a step. */
export const WAITING_STATUSES: readonly TransferStatus[] = [S.PENDING_CONFIRMATION, S.UNRECOGNIZED];

/** A status with no way out: the transfer is finished and no step is left to run. */
export function isFinished(kind: TransferKind, status: TransferStatus): boolean {
  return (TRANSFER_TRANSITIONS[kind][status] ?? []).length === 0;
}

export function canMove(kind: TransferKind, from: TransferStatus, to: TransferStatus): boolean {
  return (TRANSFER_TRANSITIONS[kind][from] ?? []).includes(to);
}

/** Statuses the engine runs a step for (neither finished nor waiting for a person), across kinds. */
export const RUNNABLE_STATUSES: readonly TransferStatus[] = [
  ...new Set(
    Object.entries(TRANSFER_TRANSITIONS).flatMap(([kind, table]) =>
      Object.keys(table).filter(
        (status) =>
          !isFinished(kind as TransferKind, status as TransferStatus) &&
          !WAITING_STATUSES.includes(status as TransferStatus),
      ),
    ),
  ),
] as TransferStatus[];

/** The ledger idempotency key of a transfer's step: retrying a step can never move money twice. */
export function stepKey(transferId: string, step: string): string {
  return `transfer:${transferId}:${step}`;
}
