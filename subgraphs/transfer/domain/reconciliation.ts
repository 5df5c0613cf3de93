/**
 * Reconciliation of a settlement account with the orchestrator's transfers (decision 0038): each
 * movement the orchestrator expects on the settlement account (a completed outgoing transfer
 * leaves through it, an incoming one is credited from it) is matched one to one, by transfer id,
 * with what the ledger booked there. Pure: amounts in minor units, from the settlement account's
 * side (positive: money leaving the bank).
 */
import { TransferKind, TransferStatus } from "./transfer-status";

/** The statuses a transfer moves to in the step that books it on the settlement account. */
export const SETTLING_MOVES: Readonly<Record<string, { from: TransferStatus[]; to: TransferStatus[] }>> = {
  [TransferKind.OUTGOING]: { from: [TransferStatus.SENT], to: [TransferStatus.COMPLETED] },
  [TransferKind.INCOMING]: {
    from: [TransferStatus.RECEIVED, TransferStatus.SUSPENDING],
    to: [TransferStatus.COMPLETED, TransferStatus.UNRECOGNIZED],
  },
};

/** Outgoing money leaves the bank (+ on settlement); incoming enters (-). */
export function settlementSign(kind: string): 1n | -1n {
  return kind === TransferKind.OUTGOING ? 1n : -1n;
}

export interface ExpectedMovement {
  transferId: string;
  kind: string;
  status: string;
  amount: bigint;
  /** When the orchestrator recorded the step that books it. */
  settledAt: Date;
}

export interface BookedMovement {
  entryId: string;
  paymentId: string | null;
  transferId: string | null;
  amount: bigint;
  description: string | null;
  bookedAt: Date;
}

export interface Reconciliation {
  matched: { expected: ExpectedMovement; booked: BookedMovement }[];
  /** The transfer's entries do not add up to what it moved. */
  differences: { expected: ExpectedMovement; booked: BookedMovement[]; bookedAmount: bigint }[];
  /** Expected by the orchestrator, absent from the settlement account. */
  unmatchedTransfers: ExpectedMovement[];
  /** On the settlement account with no transfer that expects it; `transferStatus` when it names one. */
  unmatchedEntries: (BookedMovement & { transferStatus: string | null })[];
}

/**
 * Matches `expected` with `booked` by transfer id. A transfer whose one entry has its amount is
 * matched; one with no entry is unmatched; one whose entries differ in amount (or are several)
 * is a difference. An entry naming no transfer, or one that expects no settlement movement
 * (`statuses` gives the status of the transfers it names), is unmatched.
 */
export function reconcile(
  expected: ExpectedMovement[],
  booked: BookedMovement[],
  statuses: ReadonlyMap<string, string>,
): Reconciliation {
  const byTransfer = new Map<string, BookedMovement[]>();
  const result: Reconciliation = {
    matched: [],
    differences: [],
    unmatchedTransfers: [],
    unmatchedEntries: [],
  };
  const expecting = new Set(expected.map((e) => e.transferId));
  for (const entry of booked) {
    if (entry.transferId && expecting.has(entry.transferId)) {
      byTransfer.set(entry.transferId, [...(byTransfer.get(entry.transferId) ?? []), entry]);
    } else {
      const transferStatus = entry.transferId ? (statuses.get(entry.transferId) ?? null) : null;
      result.unmatchedEntries.push({ ...entry, transferStatus });
    }
  }
  for (const movement of expected) {
    const entries = byTransfer.get(movement.transferId) ?? [];
    const bookedAmount = entries.reduce((sum, e) => sum + e.amount, 0n);
    if (!entries.length) result.unmatchedTransfers.push(movement);
    else if (entries.length === 1 && bookedAmount === movement.amount)
      result.matched.push({ expected: movement, booked: entries[0] });
    else result.differences.push({ expected: movement, booked: entries, bookedAmount });
  }
  return result;
}
