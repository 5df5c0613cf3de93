/**
 * Money to a recipient at another bank: recorded as PENDING_CONFIRMATION with a one-time code
 * sent through the outbox, confirmed (confirmation.ts), then sent by the worker through the
 * rail; cancellable until the rail may have it.
 */
import { AppError } from "../../../common/errors";
import { externalRail } from "../domain/rails";
import { TransferKind } from "../domain/transfer-status";
import type { TransferRow } from "../persistence/entities";
import { takeAction } from "./access";
import { offeredAmount, ownAccount } from "./accounts";
import { sendCode } from "./confirmation";
import { actorOf, type Needs } from "./deps";
import { recipient } from "./recipients";
import { clientScope, recordOnce } from "./record";

export interface OutgoingTransferInput {
  accountId: string;
  recipientId: string;
  amount: string;
  reference?: string | null;
}

/**
 * An outgoing transfer to one of the client's recipients: recorded as PENDING_CONFIRMATION with
 * a one-time code sent through the notification outbox (never returned here). Nothing is held
 * until the code is confirmed.
 */
export async function createOutgoingTransfer(
  deps: Needs<"ledger" | "loaders" | "transfers" | "engine" | "confirmations" | "config">,
  input: OutgoingTransferInput,
  idempotencyKey: string,
): Promise<TransferRow> {
  const account = await ownAccount(deps, input.accountId, "accountId");
  const to = await recipient(deps, input.recipientId);
  if (!to || to.clientId !== account.clientId) {
    throw new AppError("RECIPIENT_NOT_FOUND", `The account's client has no recipient ${input.recipientId}`, {
      recipientId: input.recipientId,
    });
  }
  if (to.currency !== account.currency) {
    throw new AppError(
      "CURRENCY_MISMATCH",
      `The recipient takes ${to.currency} and the account holds ${account.currency}`,
      { currency: account.currency },
    );
  }
  const amount = await offeredAmount(deps, input.amount, account.currency);
  const reference = input.reference ?? null;
  const { transfer } = await recordOnce(
    deps,
    {
      kind: TransferKind.OUTGOING,
      type: externalRail(to.country, to.currency),
      clientId: account.clientId,
      accountId: account.id,
      recipientId: to.id,
      counterpartyName: to.name,
      counterpartyIban: to.iban,
      amount,
      currency: account.currency,
      reference,
    },
    {
      request: [account.id, to.id, amount, reference],
      idempotencyKey,
      scope: clientScope(account.clientId),
      alsoInTransaction: async (tx, transferId) => {
        await sendCode(deps, tx, transferId, account.clientId);
      },
    },
  );
  return transfer;
}

/**
 * Cancels an outgoing transfer the rail does not have yet: before confirmation nothing is held
 * and its code stops working (-> CANCELLED); after, the hold is released (CANCELLING -> CANCELLED).
 */
export async function cancelTransfer(
  deps: Needs<"transfers" | "confirmations" | "engine">,
  transferId: string,
): Promise<TransferRow> {
  const cancelled = await takeAction(deps, transferId, "cancel", async (tx, transfer) => {
    await deps.confirmations.voidOpenConfirmation(tx, transfer.id);
    return { reason: "CANCELLED" };
  });
  return (await deps.engine.runToRest(cancelled, actorOf(deps))).transfer;
}
