/**
 * Both sides of a movement (decision 0026): the client a transfer debits (or, incoming, credits)
 * owns it and sees all of it; the client an internal transfer credits is its counterparty and sees
 * it as a bank statement would: amount, currency, reference, time, status and its own account,
 * nothing of the payer's account, client record, idempotency key, ledger payment or failure.
 */
import type { TransferRow } from "../persistence/entities";

/** What a client is to a transfer or one of its events. */
export type Side = "owner" | "counterparty";

/** Who changed a status, as the counterparty reads it (the payer's user is not theirs to know). */
export const WITHHELD_ACTOR = "counterparty";

/** A transfer as its counterparty sees it. */
export type CounterpartyView = TransferRow & { readonly seenByCounterparty: true };

/** The side `clientId` is on, or null when the movement is not theirs. */
export function sideOf(
  clientId: string,
  parties: { clientId: string | null; counterClientId: string | null },
): Side | null {
  if (parties.clientId === clientId) return "owner";
  if (parties.counterClientId === clientId) return "counterparty";
  return null;
}

/** The statement's view of another client's transfer that credits `transfer.counterAccountId`. */
export function counterpartyView(transfer: TransferRow): CounterpartyView {
  return {
    ...transfer,
    clientId: null,
    accountId: null,
    recipientId: null,
    accountNumber: null,
    railReference: null,
    paymentId: null,
    failureCode: null,
    lastError: null,
    idempotencyKey: "",
    seenByCounterparty: true,
  };
}

export function isCounterpartyView(transfer: TransferRow): transfer is CounterpartyView {
  return (transfer as Partial<CounterpartyView>).seenByCounterparty === true;
}

/** A status change as the counterparty reads it: when and to what, not by whom or why. */
export function counterpartyEvent<E extends { changedBy: string; reason: string | null }>(event: E): E {
  return { ...event, changedBy: WITHHELD_ACTOR, reason: null };
}
