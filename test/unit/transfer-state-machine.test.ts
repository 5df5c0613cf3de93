/** The transfer state machine against the engine's steps: one table, and the steps agree with it, for every kind. */
import {
  actionTarget,
  assertMove,
  awaitedActions,
  IllegalTransferMove,
  isFinished,
  isResting,
  nextStatuses,
  requireStepToRun,
  RUNNABLE_STATUSES,
  START_STATUS,
  TRANSFER_TRANSITIONS,
  TransferKind,
  TransferStatus,
  waitsForPerson,
} from "../../subgraphs/transfer/domain/transfer-status";
import { STEPS } from "../../subgraphs/transfer/process/steps";

const KINDS = Object.values(TransferKind);
const S = TransferStatus;

function statusesOf(kind: TransferKind): TransferStatus[] {
  return Object.keys(TRANSFER_TRANSITIONS[kind]) as TransferStatus[];
}

function allMovesFrom(kind: TransferKind, status: TransferStatus): TransferStatus[] {
  return Object.values(TRANSFER_TRANSITIONS[kind][status] ?? {}).flat() as TransferStatus[];
}

describe.each(KINDS)("the %s state machine and its steps", (kind) => {
  it("When a status is neither final nor waiting for a person, then a step runs from it; otherwise none does", () => {
    for (const status of statusesOf(kind)) {
      const step = STEPS[kind][status];
      if (isFinished(kind, status) || waitsForPerson(kind, status))
        expect([status, step]).toEqual([status, undefined]);
      else expect([status, step]).toEqual([status, expect.objectContaining({ to: expect.any(Array) })]);
    }
  });

  it("When a status waits for a person, then the action it waits for is named and running it is refused with that reason", () => {
    for (const status of statusesOf(kind).filter((s) => waitsForPerson(kind, s))) {
      expect(awaitedActions(kind, status).length).toBeGreaterThan(0);
      expect(() => requireStepToRun({ id: "t", kind, status })).toThrow(
        expect.objectContaining({
          code: "TRANSFER_INVALID_STATE",
          message: expect.stringMatching(/^The transfer waits for /),
        }),
      );
    }
  });

  it("When a step declares where it can move a transfer, then it declares exactly the table's step moves from its status", () => {
    for (const [status, step] of Object.entries(STEPS[kind])) {
      expect([status, [...step!.to].sort()]).toEqual([
        status,
        [...nextStatuses(kind, status as TransferStatus, "step")].sort(),
      ]);
    }
  });

  it("When the table is walked from the start status, then every status in it is reached and every target is in it", () => {
    const reached = new Set<TransferStatus>([START_STATUS[kind]]);
    const queue = [START_STATUS[kind]];
    while (queue.length) {
      for (const next of allMovesFrom(kind, queue.shift()!)) {
        expect(statusesOf(kind)).toContain(next);
        if (!reached.has(next)) {
          reached.add(next);
          queue.push(next);
        }
      }
    }
    expect([...reached].sort()).toEqual(statusesOf(kind).sort());
  });

  it("When a status has a step, then the worker claims transfers in it", () => {
    for (const status of Object.keys(STEPS[kind])) expect(RUNNABLE_STATUSES).toContain(status);
  });
});

describe("one check of every status write", () => {
  it("When a move is in the table for its mover, then it is allowed", () => {
    expect(() => assertMove(TransferKind.OUTGOING, S.SENDING, S.SENT, "step")).not.toThrow();
    expect(() => assertMove(TransferKind.OUTGOING, S.PROCESSING, S.CANCELLING, "cancel")).not.toThrow();
    expect(() => assertMove(TransferKind.FX, null, S.CREATED, "create")).not.toThrow();
  });

  it.each([
    [TransferKind.INTERNAL, S.CREATED, S.SENT, "step"],
    [TransferKind.OUTGOING, S.CANCELLING, S.CANCELLED, "cancel"],
    [TransferKind.OUTGOING, S.PENDING_CONFIRMATION, S.CONFIRMED, "step"],
    [TransferKind.INCOMING, S.COMPLETED, S.UNRECOGNIZED, "step"],
    [TransferKind.OUTGOING, null, S.CREATED, "create"],
    ["LOAN", S.CREATED, S.COMPLETED, "step"],
  ] as const)(
    "When a %s transfer is moved from %s to %s by %s, then IllegalTransferMove refuses it",
    (kind, from, to, by) => {
      expect(() => assertMove(kind, from, to, by, "t-1")).toThrow(IllegalTransferMove);
      expect(() => assertMove(kind, from, to, by, "t-1")).toThrow(
        expect.objectContaining({
          code: "TRANSFER_INVALID_STATE",
          details: { transferId: "t-1", status: from, to },
        }),
      );
    },
  );
});

describe("a person's actions", () => {
  it("When an action is allowed from the status, then the table names where it leads", () => {
    expect(actionTarget({ id: "t", kind: "OUTGOING", status: "PENDING_CONFIRMATION" }, "cancel")).toBe(
      S.CANCELLED,
    );
    expect(actionTarget({ id: "t", kind: "OUTGOING", status: "PROCESSING" }, "cancel")).toBe(S.CANCELLING);
    expect(actionTarget({ id: "t", kind: "INCOMING", status: "UNRECOGNIZED" }, "assign")).toBe(S.ASSIGNING);
  });

  it("When an action is not allowed, then a finished transfer is TRANSFER_ALREADY_FINISHED and any other TRANSFER_INVALID_STATE naming where it is", () => {
    expect(() => actionTarget({ id: "t", kind: "OUTGOING", status: "COMPLETED" }, "cancel")).toThrow(
      expect.objectContaining({
        code: "TRANSFER_ALREADY_FINISHED",
        details: { transferId: "t", status: "COMPLETED" },
      }),
    );
    expect(() => actionTarget({ id: "t", kind: "OUTGOING", status: "SENDING" }, "cancel")).toThrow(
      expect.objectContaining({
        code: "TRANSFER_INVALID_STATE",
        message:
          "A OUTGOING transfer in SENDING does not allow this (needs OUTGOING in PENDING_CONFIRMATION or PROCESSING)",
      }),
    );
    expect(() => actionTarget({ id: "t", kind: "INTERNAL", status: "CREATED" }, "assign")).toThrow(
      expect.objectContaining({ code: "TRANSFER_INVALID_STATE" }),
    );
  });

  it("When a transfer is finished or waits, then it rests; a finished one is refused to operators as finished", () => {
    expect(isResting(TransferKind.OUTGOING, S.PENDING_CONFIRMATION)).toBe(true);
    expect(isResting(TransferKind.INCOMING, S.UNRECOGNIZED)).toBe(true);
    expect(isResting(TransferKind.FX, S.FAILED)).toBe(true);
    expect(isResting(TransferKind.OUTGOING, S.PROCESSING)).toBe(false);
    expect(() => requireStepToRun({ id: "t", kind: "FX", status: "FAILED" })).toThrow(
      expect.objectContaining({ code: "TRANSFER_ALREADY_FINISHED" }),
    );
    expect(() => requireStepToRun({ id: "t", kind: "FX", status: "SOURCE_DEBITED" })).not.toThrow();
  });
});
