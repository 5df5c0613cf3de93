import { TransferType } from "../domain/rails";
import { TransferKind } from "../domain/transfer-status";
import type { TransferRow } from "../persistence/entities";
import { offeredAmount, ownAccount } from "./accounts";
import { actorOf, type Needs } from "./deps";
import { clientScope, recordOnce } from "./record";

export interface InternalTransferInput {
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  reference?: string | null;
}

/**
 * An internal transfer: recorded first (CREATED, with its history, and the credited account's
 * client so both sides hear of it), then one ledger payment
 * whose idempotency key is derived from the transfer, then COMPLETED, or FAILED with the
 * ledger's code. The same key and request return the first transfer (continuing it if it
 * stopped half way); the same key with another request is refused.
 */
export async function createInternalTransfer(
  deps: Needs<"ledger" | "transfers" | "engine">,
  input: InternalTransferInput,
  idempotencyKey: string,
): Promise<TransferRow> {
  const [debit, credit] = await Promise.all([
    ownAccount(deps, input.debitAccountId, "debitAccountId"),
    // Whose account is credited, so that client hears of it too (decision 0026). An unknown one
    // is refused by the ledger's payment, as before: the transfer FAILS with its code.
    deps.ledger.account(input.creditAccountId, deps.requestId),
  ]);
  const amount = await offeredAmount(deps, input.amount, debit.currency);
  const reference = input.reference ?? null;
  const started = await recordOnce(
    deps,
    {
      kind: TransferKind.INTERNAL,
      type: TransferType.INTERNAL,
      clientId: debit.clientId,
      accountId: debit.id,
      counterAccountId: input.creditAccountId,
      counterClientId: credit?.clientId ?? null,
      amount,
      currency: debit.currency,
      reference,
    },
    {
      request: [debit.id, input.creditAccountId, amount, reference],
      idempotencyKey,
      scope: clientScope(debit.clientId),
    },
  );
  return deps.engine.finish(started, actorOf(deps));
}
