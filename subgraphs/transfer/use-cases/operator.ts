/** Operators' (system) way to move a stopped transfer on now, rather than wait for the worker. */
import { requireSystem } from "../../../common/auth/caller";
import { requireStepToRun } from "../domain/transfer-status";
import type { TransferRow } from "../persistence/entities";
import { existingTransfer } from "./access";
import { actorOf, type Needs } from "./deps";

/**
 * Resumes a transfer until it finishes or waits for a person (`oneStep`: runs only its next step,
 * ignoring the backoff). Safe to call twice: a step already done is answered from its idempotency
 * key; a finished transfer is refused (TRANSFER_ALREADY_FINISHED), and so is one waiting for a
 * person (TRANSFER_INVALID_STATE).
 */
export async function continueTransfer(
  deps: Needs<"transfers" | "engine">,
  id: string,
  oneStep = false,
): Promise<TransferRow> {
  requireSystem(deps.caller);
  const transfer = await existingTransfer(deps, id);
  requireStepToRun(transfer);
  const result = await deps.engine.run(transfer.id, actorOf(deps), { maxSteps: oneStep ? 1 : Infinity });
  return result.transfer;
}
