/**
 * Transfer state machines: a table per kind (from -> who may move it -> to which statuses).
 * Every status a transfer is written with is first asserted against this table
 * ({@link assertMove}, called by the repository's only two status writes), then written with a
 * guarded UPDATE (WHERE status = from) and recorded in the transfer's history, in one database
 * transaction. Each status names the step that runs next, so a transfer stopped anywhere is
 * continued from its status alone; a status with no step waits for a person's action.
 */
import { AppError } from "../../../common/errors";

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

/** A person's action that moves a transfer on (the client's code, a cancel, an operator's assignment). */
export type TransferAction = "confirm" | "cancel" | "assign";

/** Who moves a transfer: the engine's step for its status, a person's action, or its creation. */
export type Mover = "step" | TransferAction | "create";

type Moves = Readonly<Partial<Record<"step" | TransferAction, readonly TransferStatus[]>>>;

/** The status each kind of transfer is created in. */
export const START_STATUS: Readonly<Record<TransferKind, TransferStatus>> = {
  [TransferKind.INTERNAL]: S.CREATED,
  [TransferKind.OUTGOING]: S.PENDING_CONFIRMATION,
  [TransferKind.INCOMING]: S.RECEIVED,
  [TransferKind.FX]: S.CREATED,
};

/**
 * Per kind and status: who may move the transfer on, and to which statuses. A status whose only
 * ways out are actions waits for a person; one with no way out is final.
 */
export const TRANSFER_TRANSITIONS: Readonly<
  Record<TransferKind, Readonly<Partial<Record<TransferStatus, Moves>>>>
> = {
  [TransferKind.INTERNAL]: {
    [S.CREATED]: { step: [S.COMPLETED, S.FAILED] },
    [S.COMPLETED]: {},
    [S.FAILED]: {},
  },
  [TransferKind.OUTGOING]: {
    /** Waits for the client's code. */
    [S.PENDING_CONFIRMATION]: { confirm: [S.CONFIRMED], cancel: [S.CANCELLED] },
    [S.CONFIRMED]: { step: [S.PROCESSING, S.REJECTED, S.FAILED] },
    [S.PROCESSING]: { step: [S.SENDING], cancel: [S.CANCELLING] },
    [S.SENDING]: { step: [S.SENT, S.REJECTED] },
    [S.SENT]: { step: [S.COMPLETED] },
    [S.REJECTED]: { step: [S.FAILED] },
    [S.CANCELLING]: { step: [S.CANCELLED] },
    [S.COMPLETED]: {},
    [S.FAILED]: {},
    [S.CANCELLED]: {},
  },
  [TransferKind.INCOMING]: {
    [S.RECEIVED]: { step: [S.COMPLETED, S.SUSPENDING, S.UNRECOGNIZED] },
    [S.SUSPENDING]: { step: [S.UNRECOGNIZED] },
    /** Waits in suspense for an operator to choose the account. */
    [S.UNRECOGNIZED]: { assign: [S.ASSIGNING] },
    [S.ASSIGNING]: { step: [S.COMPLETED, S.UNRECOGNIZED] },
    [S.COMPLETED]: {},
  },
  [TransferKind.FX]: {
    [S.CREATED]: { step: [S.SOURCE_DEBITED, S.FAILED] },
    [S.SOURCE_DEBITED]: { step: [S.COMPLETED, S.REFUNDING] },
    [S.REFUNDING]: { step: [S.FAILED] },
    [S.COMPLETED]: {},
    [S.FAILED]: {},
  },
};

function movesOf(kind: TransferKind, status: TransferStatus): Moves {
  return TRANSFER_TRANSITIONS[kind]?.[status] ?? {};
}

/** Where `by` may move a transfer of `kind` from `from` (none when it may not). */
export function nextStatuses(
  kind: TransferKind,
  from: TransferStatus,
  by: "step" | TransferAction,
): readonly TransferStatus[] {
  return movesOf(kind, from)[by] ?? [];
}

/** A status with no way out: the transfer is finished and no step is left to run. */
export function isFinished(kind: TransferKind, status: TransferStatus): boolean {
  return Object.values(movesOf(kind, status)).every((targets) => !targets?.length);
}

/** The actions that move a transfer on from a status no step leaves (empty when a step runs or it is finished). */
export function awaitedActions(kind: TransferKind, status: TransferStatus): TransferAction[] {
  const moves = movesOf(kind, status);
  if (moves.step?.length) return [];
  return (Object.keys(moves) as TransferAction[]).filter((action) => moves[action]?.length);
}

/** Waits for a person (the client's code, an operator's assignment), not for a step. */
export function waitsForPerson(kind: TransferKind, status: TransferStatus): boolean {
  return awaitedActions(kind, status).length > 0;
}

/** Nothing for the engine to do now: finished, or waiting for a person. */
export function isResting(kind: TransferKind, status: TransferStatus): boolean {
  return isFinished(kind, status) || waitsForPerson(kind, status);
}

export function canMove(
  kind: TransferKind,
  from: TransferStatus | null,
  to: TransferStatus,
  by: Mover,
): boolean {
  if (from === null || by === "create") return from === null && by === "create" && START_STATUS[kind] === to;
  return nextStatuses(kind, from, by).includes(to);
}

/** A status write the table does not allow: a fault of the code that asked for it, never of the caller's input. */
export class IllegalTransferMove extends AppError {
  constructor(kind: string, from: string | null, to: string, by: Mover, transferId?: string) {
    super(
      "TRANSFER_INVALID_STATE",
      from === null
        ? `A ${kind} transfer cannot start in ${to}`
        : `A ${kind} transfer cannot move from ${from} to ${to} by ${by}`,
      { transferId, status: from, to },
    );
    this.name = "IllegalTransferMove";
  }
}

/** The one check of every status write: throws {@link IllegalTransferMove} for a move the table does not list. */
export function assertMove(
  kind: string,
  from: string | null,
  to: string,
  by: Mover,
  transferId?: string,
): void {
  if (!canMove(kind as TransferKind, from as TransferStatus | null, to as TransferStatus, by)) {
    throw new IllegalTransferMove(kind, from, to, by, transferId);
  }
}

/** The facts of a transfer its state machine needs. */
export interface TransferState {
  id: string;
  kind: string;
  status: string;
}

function alreadyFinished(transfer: TransferState): AppError {
  return new AppError("TRANSFER_ALREADY_FINISHED", `The transfer is already ${transfer.status}`, {
    transferId: transfer.id,
    status: transfer.status,
  });
}

/** Where `action` can be taken: kinds and statuses, from the table. */
function actionSources(action: TransferAction): string {
  return Object.entries(TRANSFER_TRANSITIONS)
    .map(([kind, table]) => {
      const from = Object.keys(table).filter((status) => table[status as TransferStatus]?.[action]?.length);
      return from.length ? `${kind} in ${from.join(" or ")}` : null;
    })
    .filter(Boolean)
    .join("; ");
}

/**
 * The status `action` moves the transfer to. TRANSFER_ALREADY_FINISHED for a finished transfer,
 * TRANSFER_INVALID_STATE when its kind or status does not allow the action.
 */
export function actionTarget(transfer: TransferState, action: TransferAction): TransferStatus {
  const kind = transfer.kind as TransferKind;
  const status = transfer.status as TransferStatus;
  const [to] = nextStatuses(kind, status, action);
  if (to) return to;
  if (isFinished(kind, status)) throw alreadyFinished(transfer);
  throw new AppError(
    "TRANSFER_INVALID_STATE",
    `A ${transfer.kind} transfer in ${transfer.status} does not allow this (needs ${actionSources(action)})`,
    { transferId: transfer.id, status: transfer.status },
  );
}

/** What a person is asked for while a transfer waits for the action. */
const AWAITING: Partial<Record<TransferAction, string>> = {
  confirm: "The transfer waits for the client's confirmation code",
  assign: "The transfer waits for an operator to assign it to an account",
};

/**
 * Refuses running steps of a transfer that has none to run now: TRANSFER_ALREADY_FINISHED when
 * it is finished, TRANSFER_INVALID_STATE when it waits for a person.
 */
export function requireStepToRun(transfer: TransferState): void {
  const kind = transfer.kind as TransferKind;
  const status = transfer.status as TransferStatus;
  if (isFinished(kind, status)) throw alreadyFinished(transfer);
  const awaited = awaitedActions(kind, status).find((action) => AWAITING[action]);
  if (awaited) {
    throw new AppError("TRANSFER_INVALID_STATE", AWAITING[awaited]!, {
      transferId: transfer.id,
      status: transfer.status,
    });
  }
}

/** Statuses the engine runs a step for (in any kind); the worker claims transfers in these. */
export const RUNNABLE_STATUSES: readonly TransferStatus[] = [
  ...new Set(
    Object.values(TRANSFER_TRANSITIONS).flatMap((table) =>
      (Object.keys(table) as TransferStatus[]).filter((status) => table[status]?.step?.length),
    ),
  ),
];

/** The ledger idempotency key of a transfer's step: retrying a step can never move money twice. */
export function stepKey(transferId: string, step: string): string {
  return `transfer:${transferId}:${step}`;
}
