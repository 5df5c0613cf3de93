import { loaderOfMany, loaderOfOne } from "../../../common/db/batch-loaders";
import type { ConfirmationRepository } from "./confirmation.repository";
import type { TransferHistoryRepository } from "./history.repository";
import type { RecipientRepository } from "./recipient.repository";
import type { ReconciliationRepository } from "./reconciliation.repository";
import type { TransferRepository } from "./transfer.repository";

export type TransferLoaders = ReturnType<typeof createTransferLoaders>;

/**
 * Request-scoped batch loaders (one SQL statement per batch; results in key order). Keys are
 * ids as the database spells them (lower case): the GraphQL edge lower-cases every id it is given.
 */
export function createTransferLoaders(repositories: {
  transfers: TransferRepository;
  recipients: RecipientRepository;
  confirmations: ConfirmationRepository;
  history: TransferHistoryRepository;
  reconciliation: ReconciliationRepository;
}) {
  const { transfers, recipients, confirmations, history, reconciliation } = repositories;
  return {
    recipientById: loaderOfOne((ids) => recipients.recipientsByIds(ids), "id"),
    transferById: loaderOfOne((ids) => transfers.transfersByIds(ids), "id"),
    eventsByTransferId: loaderOfMany((ids) => history.transferEvents(ids), "transferId"),
    latestConfirmationByTransferId: loaderOfOne(
      (ids) => confirmations.latestConfirmations(ids),
      "transferId",
    ),
    queuedOutgoingByCurrency: loaderOfOne(
      (currencies) => reconciliation.queuedOutgoing(currencies),
      "currency",
    ),
  };
}
