/**
 * Money from another bank, delivered by a rail (system only): credited to the matched account,
 * or held in suspense (UNRECOGNIZED) until an operator assigns it.
 */
import { isValidAccountNumber } from "../../../common/account-number";
import { requireSystem } from "../../../common/auth/caller";
import { AppError } from "../../../common/errors";
import { ibanError, ibanProblem, normalizeIban } from "../domain/iban";
import { externalRail, TransferType } from "../domain/rails";
import { actionTarget, TransferKind } from "../domain/transfer-status";
import type { TransferRow } from "../persistence/entities";
import { existingTransfer, takeAction } from "./access";
import { offeredAmount } from "./accounts";
import { actorOf, type Needs } from "./deps";
import { INCOMING_SCOPE, recordOnce } from "./record";

export interface IncomingTransferInput {
  externalId: string;
  accountNumber: string;
  amount: string;
  currency: string;
  senderName: string;
  senderIban?: string | null;
  reference?: string | null;
}

/**
 * Money from another bank (system: the rail's integration). Idempotent by the rail's external
 * id: delivered twice, it is credited once. A known, active account in the currency is credited
 * from the settlement account; anything else waits in suspense (UNRECOGNIZED).
 */
export async function receiveIncomingTransfer(
  deps: Needs<"ledger" | "transfers" | "engine">,
  input: IncomingTransferInput,
): Promise<TransferRow> {
  requireSystem(deps.caller);
  const currency = input.currency.toUpperCase();
  const amount = await offeredAmount(deps, input.amount, currency);
  const senderIban = input.senderIban ? normalizeIban(input.senderIban) : null;
  const problem = senderIban && ibanProblem(senderIban);
  if (problem) throw ibanError("senderIban", problem);
  const number = input.accountNumber.replace(/\s/g, "");
  const account = isValidAccountNumber(number)
    ? await deps.ledger.accountByNumber(number, deps.requestId)
    : null;
  const matched =
    account?.clientId && account.currency === currency && account.status === "ACTIVE" ? account : null;
  const reference = input.reference ?? null;
  const started = await recordOnce(
    deps,
    {
      kind: TransferKind.INCOMING,
      type: senderIban ? externalRail(senderIban.slice(0, 2), currency) : TransferType.SWIFT,
      clientId: matched?.clientId ?? null,
      accountId: matched?.id ?? null,
      accountNumber: number,
      counterpartyName: input.senderName,
      counterpartyIban: senderIban,
      amount,
      currency,
      reference,
    },
    {
      // Normalised, so a redelivery that spells the same transfer differently is still the same.
      request: [input.externalId, number, amount, currency, input.senderName, senderIban, reference],
      idempotencyKey: input.externalId,
      scope: INCOMING_SCOPE,
    },
  );
  return (await deps.engine.runToRest(started, actorOf(deps))).transfer;
}

/** Operator (system): credits an unrecognised incoming transfer, held in suspense, to an account. */
export async function assignIncomingTransfer(
  deps: Needs<"ledger" | "transfers" | "engine">,
  transferId: string,
  accountId: string,
): Promise<TransferRow> {
  requireSystem(deps.caller);
  const transfer = await existingTransfer(deps, transferId);
  actionTarget(transfer, "assign");
  const account = await deps.ledger.account(accountId, deps.requestId);
  if (!account?.clientId) {
    throw new AppError("ACCOUNT_NOT_FOUND", `No client account ${accountId}`, {
      field: "accountId",
      accountId,
    });
  }
  if (account.currency !== transfer.currency) {
    throw new AppError(
      "CURRENCY_MISMATCH",
      `The account holds ${account.currency}, the transfer is in ${transfer.currency}`,
      { currency: transfer.currency },
    );
  }
  // Asked again with the transfer locked: one that moved meanwhile is refused as it is now.
  const assigned = await takeAction(deps, transfer.id, "assign", async () => ({
    changes: { accountId: account.id, clientId: account.clientId, failureCode: null },
    reason: "ASSIGNED",
  }));
  return deps.engine.finish(assigned, actorOf(deps));
}
