/**
 * Confirming an outgoing transfer with its one-time code (decision 0015): the code is checked
 * (a wrong one is counted before it is reported), the transfer moves to CONFIRMED and the funds
 * are held at once, or by the worker when the ledger does not answer.
 */
import { AppError } from "../../../common/errors";
import { log } from "../../../common/log";
import { hashCode, newCode, requireAnotherCodeAllowed, verifyCode } from "../../../common/otp";
import { actionTarget } from "../domain/transfer-status";
import { isFinalLedgerError } from "../ledger/ledger-client";
import type { ConfirmationRow, TransferRow } from "../persistence/entities";
import type { Tx } from "../persistence/transfer.repository";
import { type ActionOutcome, lockForChange, takeAction } from "./access";
import { actorOf, type Needs } from "./deps";
import { assertSupportingDocument } from "./documents";

type ConfirmDeps = Needs<"transfers" | "confirmations" | "engine" | "config" | "documents">;

/** Confirms an outgoing transfer with its one-time code, then holds the funds (-> PROCESSING). */
export function confirmTransfer(deps: ConfirmDeps, transferId: string, code: string): Promise<TransferRow> {
  return confirm(deps, transferId, null, code);
}

/** The same, addressed by the confirmation (the REST Confirmations resource). */
export async function verifyConfirmation(
  deps: ConfirmDeps,
  confirmationId: string,
  code: string,
): Promise<TransferRow> {
  const [confirmation] = await deps.confirmations.confirmationsByIds([confirmationId]);
  if (!confirmation) {
    throw new AppError("CONFIRMATION_NOT_FOUND", `No confirmation ${confirmationId}`, { confirmationId });
  }
  return confirm(deps, confirmation.transferId, confirmation.id, code);
}

async function confirm(
  deps: ConfirmDeps,
  transferId: string,
  confirmationId: string | null,
  code: string,
): Promise<TransferRow> {
  const confirmed = await takeAction(
    deps,
    transferId,
    "confirm",
    async (tx, transfer): Promise<ActionOutcome> => {
      // Before the code is checked, so a missing document costs no attempt.
      const missing = await assertSupportingDocument(deps, transfer);
      if (missing) return { refused: missing };
      const latest = await deps.confirmations.lockLatestConfirmation(tx, transfer.id);
      const attempt = {
        secret: deps.config.otp.secret,
        subjectId: transfer.id,
        subject: { transferId: transfer.id },
        code,
        confirmationId,
      };
      const verdict = verifyCode(attempt, latest);
      if (latest && verdict.change)
        await deps.confirmations.updateConfirmation(tx, latest.confirmation.id, verdict.change);
      return verdict.accepted ? {} : { refused: verdict.error };
    },
  );
  try {
    return await deps.engine.finish(confirmed, actorOf(deps));
  } catch (error) {
    if (isFinalLedgerError(error)) throw error;
    // The confirmation stands: the worker holds the funds once the ledger answers again, so the
    // client is told where the transfer is rather than given an error that invites a second one.
    log.warn(
      { service: "transfer", requestId: deps.requestId, transferId, err: error },
      "hold deferred to the worker",
    );
    return (await deps.transfers.transfersByIds([confirmed.transfer.id]))[0];
  }
}

/** Sends a new code for a transfer waiting for confirmation; the earlier code stops working. */
export function resendConfirmationCode(deps: ConfirmDeps, transferId: string): Promise<ConfirmationRow> {
  return deps.transfers.transaction(async (tx) => {
    const transfer = await lockForChange(deps, tx, transferId);
    actionTarget(transfer, "confirm"); // only while a code can still confirm it
    const sent = await deps.confirmations.countConfirmations(tx, transfer.id);
    requireAnotherCodeAllowed(
      { transferId: transfer.id },
      { sent, max: deps.config.otp.maxCodes },
      "cancel the transfer and create a new one",
    );
    await deps.confirmations.voidOpenConfirmation(tx, transfer.id);
    return sendCode(deps, tx, transfer.id, transfer.clientId!);
  });
}

/** The transfer's newest confirmation (its status, attempts left and expiry; never the code). */
export function latestConfirmation(
  deps: Needs<"loaders">,
  transferId: string,
): Promise<ConfirmationRow | null> {
  return deps.loaders.latestConfirmationByTransferId.load(transferId);
}

/** Creates a confirmation and queues its code for delivery, in the caller's transaction. */
export async function sendCode(
  deps: Needs<"confirmations" | "config">,
  tx: Tx,
  transferId: string,
  clientId: string,
): Promise<ConfirmationRow> {
  const { otp } = deps.config;
  const code = newCode();
  const confirmation = await deps.confirmations.insertConfirmation(tx, {
    transferId,
    codeHash: hashCode(otp.secret, transferId, code),
    maxAttempts: otp.maxAttempts,
    ttlSeconds: otp.ttlSeconds,
  });
  await deps.confirmations.queueNotification(tx, clientId, "TRANSFER_CONFIRMATION_CODE", {
    transferId,
    confirmationId: confirmation.id,
    code,
    expiresAt: confirmation.expiresAt,
  });
  // The code goes to the outbox only, never to the log.
  log.info(
    { service: "transfer", requestId: deps.requestId, transferId, confirmationId: confirmation.id, clientId },
    "confirmation code queued for delivery",
  );
  return confirmation;
}
