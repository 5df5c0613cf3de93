/** Every status write goes through the state machine: the repository refuses a move its table does not list. */
import { randomUUID } from "node:crypto";
import { TransferType } from "../../subgraphs/transfer/domain/rails";
import { IllegalTransferMove, TransferKind } from "../../subgraphs/transfer/domain/transfer-status";
import { pendingOutgoingTransfer, sql } from "../helpers/transfers";
import { type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const FACTS = { reason: null, changedBy: "test", requestId: "test" };

async function history(id: string): Promise<string[]> {
  const rows = await sql<{ to_status: string }>(
    stack,
    `SELECT to_status FROM transfer.transfer_event WHERE transfer_id = $1 ORDER BY sequence`,
    [id],
  );
  return rows.map((row) => row.to_status);
}

describe("status writes", () => {
  it("When code asks for a move the table does not list, then IllegalTransferMove refuses it and nothing is written", async () => {
    const { id } = await pendingOutgoingTransfer(stack);
    const [transfer] = await stack.transfer.repository.transfersByIds([id]);
    // A step cannot confirm a transfer (only the client's code can), nor skip to SENT.
    for (const move of [
      { from: "PENDING_CONFIRMATION", to: "CONFIRMED", by: "step" as const },
      { from: "PENDING_CONFIRMATION", to: "SENT", by: "confirm" as const },
    ]) {
      await expect(stack.transfer.repository.moveTransfer(transfer, move, {}, FACTS)).rejects.toThrow(
        IllegalTransferMove,
      );
    }
    const [after] = await stack.transfer.repository.transfersByIds([id]);
    expect(after.status).toBe("PENDING_CONFIRMATION");
    expect(await history(id)).toEqual(["PENDING_CONFIRMATION"]);
  });

  it("When a legal move finds the transfer moved meanwhile, then it writes nothing and answers null", async () => {
    const { id } = await pendingOutgoingTransfer(stack);
    const [transfer] = await stack.transfer.repository.transfersByIds([id]);
    const cancelled = await stack.transfer.repository.moveTransfer(
      transfer,
      { from: "PENDING_CONFIRMATION", to: "CANCELLED", by: "cancel" },
      {},
      FACTS,
    );
    expect(cancelled?.status).toBe("CANCELLED");
    const late = await stack.transfer.repository.moveTransfer(
      transfer,
      { from: "PENDING_CONFIRMATION", to: "CONFIRMED", by: "confirm" },
      {},
      FACTS,
    );
    expect(late).toBeNull();
    expect(await history(id)).toEqual(["PENDING_CONFIRMATION", "CANCELLED"]);
  });

  /** Statements `work` sends on the transfer subgraph's pool (START TRANSACTION and COMMIT count). */
  async function statementsOf<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
    const before = stack.transfer.statements.count;
    const result = await work();
    return { result, statements: stack.transfer.statements.count - before };
  }

  async function entries(id: string) {
    return sql<{ sequence: number; from_status: string | null; to_status: string; changed_by: string }>(
      stack,
      `SELECT sequence, from_status, to_status, changed_by FROM transfer.transfer_event WHERE transfer_id = $1 ORDER BY sequence`,
      [id],
    );
  }

  it("When a transfer is recorded or moved, then its transaction sends the write, the history entry with the transfer read back, and COMMIT (decision 0049), and answers the transfer as stored", async () => {
    const { repository } = stack.transfer;
    const created = await statementsOf(() =>
      repository.insertTransfer(
        {
          kind: TransferKind.INTERNAL,
          type: TransferType.INTERNAL,
          clientId: randomUUID(),
          accountId: randomUUID(),
          counterAccountId: randomUUID(),
          amount: "1.00",
          currency: "EUR",
          idempotencyScope: `test:${randomUUID()}`,
          idempotencyKey: randomUUID(),
          requestHash: "test",
        },
        FACTS,
        null,
      ),
    );
    // START TRANSACTION, INSERT, the entry and the read (one statement), COMMIT.
    expect(created.statements).toBe(4);
    const id = created.result!.id;
    expect(created.result).toEqual((await repository.transfersByIds([id]))[0]);

    const moved = await statementsOf(() =>
      repository.moveTransfer(
        created.result!,
        { from: "CREATED", to: "FAILED", by: "step" },
        {},
        {
          ...FACTS,
          reason: "test",
        },
      ),
    );
    expect(moved.statements).toBe(4);
    const [stored] = await repository.transfersByIds([id]);
    expect(moved.result).toEqual(stored);
    expect(stored.status).toBe("FAILED");
    expect(await entries(id)).toEqual([
      { sequence: 1, from_status: null, to_status: "CREATED", changed_by: "test" },
      { sequence: 2, from_status: "CREATED", to_status: "FAILED", changed_by: "test" },
    ]);
  });
});
