import DataLoader from "dataloader";
import type { ConfirmationRepository } from "./confirmation.repository";
import type { ConfirmationRow, RecipientRow, TransferEventRow, TransferRow } from "./entities";
import type { TransferHistoryRepository } from "./history.repository";
import type { RecipientRepository } from "./recipient.repository";
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
}) {
  const { transfers, recipients, confirmations, history } = repositories;
  return {
    recipientById: new DataLoader<string, RecipientRow | null>(async (ids) => {
      const found = new Map((await recipients.recipientsByIds(ids)).map((r) => [r.id, r]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    transferById: new DataLoader<string, TransferRow | null>(async (ids) => {
      const found = new Map((await transfers.transfersByIds(ids)).map((t) => [t.id, t]));
      return ids.map((id) => found.get(id) ?? null);
    }),
    eventsByTransferId: new DataLoader<string, TransferEventRow[]>(async (ids) => {
      const rows = await history.transferEvents(ids);
      return ids.map((id) => rows.filter((event) => event.transferId === id));
    }),
    latestConfirmationByTransferId: new DataLoader<string, ConfirmationRow | null>(async (ids) => {
      const found = new Map((await confirmations.latestConfirmations(ids)).map((c) => [c.transferId, c]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}
