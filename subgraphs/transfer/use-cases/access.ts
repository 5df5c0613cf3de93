/**
 * Reaching a transfer: a front-office caller its own client's, and another client's internal
 * transfer to it as a statement shows it (decision 0026); and a person's action on one, which
 * only the owner may take and the state machine must allow from its status.
 */
import { AppError } from "../../../common/errors";
import { counterpartyView, sideOf } from "../domain/parties";
import { actionTarget, type TransferAction } from "../domain/transfer-status";
import type { TransferRow } from "../persistence/entities";
import type { TransferChanges, Tx } from "../persistence/transfer.repository";
import type { Started } from "../process/engine";
import { factsOf, type Needs } from "./deps";

function forbidden(): AppError {
  return new AppError("FORBIDDEN", "A front-office token may only reach its own client's transfers");
}

/**
 * The transfer, if any, as the caller may see it: whole for its owner (and system callers), the
 * counterparty's view for the client it credits; FORBIDDEN for any other front-office caller.
 */
export async function readableTransfer(deps: Needs<"loaders">, id: string): Promise<TransferRow | null> {
  const transfer = await deps.loaders.transferById.load(id);
  if (deps.caller.kind === "system" || !transfer) return transfer;
  const side = sideOf(deps.caller.clientId, transfer);
  if (!side) throw forbidden();
  return side === "owner" ? transfer : counterpartyView(transfer);
}

/** The transfer, or TRANSFER_NOT_FOUND (for operators' actions). */
export async function existingTransfer(deps: Needs<"transfers">, id: string): Promise<TransferRow> {
  const [transfer] = await deps.transfers.transfersByIds([id]);
  if (!transfer) throw new AppError("TRANSFER_NOT_FOUND", `No transfer ${id}`, { transferId: id });
  return transfer;
}

/** The transfer locked for the rest of `tx`, if the caller may change it. */
export async function lockForChange(
  deps: Needs<"transfers">,
  tx: Tx,
  transferId: string,
): Promise<TransferRow> {
  const transfer = await deps.transfers.lockTransfer(tx, transferId);
  if (!transfer) throw new AppError("TRANSFER_NOT_FOUND", `No transfer ${transferId}`, { transferId });
  if (deps.caller.kind === "client" && transfer.clientId !== deps.caller.clientId) throw forbidden();
  return transfer;
}

/** What an action does besides moving the transfer, or the refusal it ends in. */
export type ActionOutcome = { refused: AppError } | { changes?: TransferChanges; reason?: string };

/**
 * A person's action on a transfer, in one transaction with the transfer locked: refused unless
 * the state machine allows `action` from its status; `act` does the action's own writes; then
 * the move, taking the lease so the request runs the next step itself. A refusal from `act` is
 * thrown after the transaction commits, so what `act` wrote stands (a wrong code stays counted).
 */
export async function takeAction(
  deps: Needs<"transfers" | "engine">,
  transferId: string,
  action: TransferAction,
  act: (tx: Tx, transfer: TransferRow) => Promise<ActionOutcome>,
): Promise<Started> {
  const lease = deps.engine.newLease();
  const outcome = await deps.transfers.transaction(async (tx) => {
    const transfer = await lockForChange(deps, tx, transferId);
    const to = actionTarget(transfer, action);
    const done = await act(tx, transfer);
    if ("refused" in done) return done.refused;
    const move = { from: transfer.status, to, by: action };
    // Locked since it was read, so it is still in `from`.
    return (await deps.transfers.recordMove(
      tx,
      transfer,
      move,
      done.changes ?? {},
      factsOf(deps, done.reason),
      {
        takeLease: lease,
      },
    ))!;
  });
  if (outcome instanceof AppError) throw outcome;
  return { transfer: outcome, lease };
}
