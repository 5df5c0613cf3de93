import { loaderOfMany, loaderOfOne, loaderSet } from "../../../common/db/batch-loaders";
import type { ConfirmationRepository } from "./confirmation.repository";
import type { TransferHistoryRepository } from "./history.repository";
import type { RecipientRepository } from "./recipient.repository";
import type { ReconciliationRepository } from "./reconciliation.repository";
import type { TransferRepository } from "./transfer.repository";

export type TransferLoaders = ReturnType<typeof createTransferLoaders>;

/**
 * Request-scoped batch loaders, each made when first used (one SQL statement per batch; results in key order). Keys are
 * ids as the database spells them (lower case): the GraphQL edge lower-cases every id it is given.
 */
export const createTransferLoaders = loaderSet<{
  transfers: TransferRepository;
  recipients: RecipientRepository;
  confirmations: ConfirmationRepository;
  history: TransferHistoryRepository;
  reconciliation: ReconciliationRepository;
}>()({
  recipientById: ({ recipients }) => loaderOfOne((ids) => recipients.recipientsByIds(ids), "id"),
  transferById: ({ transfers }) => loaderOfOne((ids) => transfers.transfersByIds(ids), "id"),
  eventsByTransferId: ({ history }) => loaderOfMany((ids) => history.transferEvents(ids), "transferId"),
  latestConfirmationByTransferId: ({ confirmations }) =>
    loaderOfOne((ids) => confirmations.latestConfirmations(ids), "transferId"),
  queuedOutgoingByCurrency: ({ reconciliation }) =>
    loaderOfOne((currencies) => reconciliation.queuedOutgoing(currencies), "currency"),
});
