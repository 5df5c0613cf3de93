/**
 * Transfer state machines: a table per kind (from -> allowed next statuses). Every change is
 * a guarded UPDATE (WHERE status = from) recorded in the transfer's history with the next
 * sequence number, in the same database transaction.
 */
export enum TransferKind {
  INTERNAL = "INTERNAL",
}

export enum TransferStatus {
  /** Recorded; the ledger payment is being made (a transfer stuck here is continued, never repeated). */
  CREATED = "CREATED",
  COMPLETED = "COMPLETED",
  FAILED = "FAILED",
}

export const TRANSFER_TRANSITIONS: Readonly<
  Record<TransferKind, Readonly<Record<TransferStatus, TransferStatus[]>>>
> = {
  [TransferKind.INTERNAL]: {
    [TransferStatus.CREATED]: [TransferStatus.COMPLETED, TransferStatus.FAILED],
    [TransferStatus.COMPLETED]: [],
    [TransferStatus.FAILED]: [],
  },
};

/** A status with no way out: the transfer is finished and no step is left to run. */
export function isFinished(kind: TransferKind, status: TransferStatus): boolean {
  return TRANSFER_TRANSITIONS[kind][status].length === 0;
}

/** The ledger idempotency key of a transfer's step: retrying a step can never move money twice. */
export function stepKey(transferId: string, step: string): string {
  return `transfer:${transferId}:${step}`;
}
