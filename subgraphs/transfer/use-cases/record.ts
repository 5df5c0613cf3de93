/**
 * Recording a new transfer once per idempotency key (decision 0020): the same key and request
 * answer the first transfer, the same key with another request is refused.
 */
import { AppError } from "../../../common/errors";
import { requestHash } from "../../../common/request-hash";
import { START_STATUS, type TransferKind, waitsForPerson } from "../domain/transfer-status";
import type { NewTransfer, Tx } from "../persistence/transfer.repository";
import type { Started } from "../process/engine";
import { factsOf, type Needs } from "./deps";

/** The idempotency scope of incoming transfers: the rail's external id is unique across rails. */
export const INCOMING_SCOPE = "incoming";

/**
 * The idempotency scope of a transfer a caller asks for: the client it acts for, whoever asks (a
 * front-office user or an operator), so an operator acting for two clients may use one key for
 * both, and a key never leads to another client's transfer (decision 0020).
 */
export function clientScope(clientId: string): string {
  return `client:${clientId}`;
}

/** How a new transfer is told apart from a repeated one. */
export interface Once {
  /** The request, normalised, so that a repetition spelled differently is still the same. */
  request: unknown[];
  idempotencyKey: string;
  scope: string;
  /** What must commit with the transfer (its confirmation). */
  alsoInTransaction?: (tx: Tx, transferId: string) => Promise<void>;
}

/**
 * Records a transfer once per idempotency key in its scope: a new one, with the lease held by
 * this request unless it waits for a person, or the earlier one for the same request. The same
 * key with another request is IDEMPOTENCY_KEY_REUSED, which names no transfer (for incoming
 * transfers: INCOMING_ALREADY_RECEIVED).
 */
export async function recordOnce(
  deps: Needs<"transfers" | "engine">,
  transfer: Omit<NewTransfer, "idempotencyScope" | "idempotencyKey" | "requestHash">,
  once: Once,
): Promise<Started> {
  const { idempotencyKey, scope } = once;
  const hash = requestHash(once.request);
  const kind = transfer.kind as TransferKind;
  const lease = waitsForPerson(kind, START_STATUS[kind]) ? undefined : deps.engine.newLease();
  const created = await deps.transfers.insertTransfer(
    { ...transfer, idempotencyScope: scope, idempotencyKey, requestHash: hash },
    factsOf(deps),
    lease ?? null,
    once.alsoInTransaction,
  );
  if (created) return { transfer: created, lease };
  const existing = await deps.transfers.transferByKey(scope, idempotencyKey);
  if (existing && existing.requestHash === hash) return { transfer: existing };
  if (scope === INCOMING_SCOPE) {
    throw new AppError(
      "INCOMING_ALREADY_RECEIVED",
      "An incoming transfer with this external id was received with other details",
      { transferId: existing?.id },
    );
  }
  throw new AppError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for a different transfer");
}
