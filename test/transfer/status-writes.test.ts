/** Every status write goes through the state machine: the repository refuses a move its table does not list. */
import { IllegalTransferMove } from "../../subgraphs/transfer/domain/transfer-status";
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
});
