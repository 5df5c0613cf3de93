import DataLoader from "dataloader";
import type { ConfirmationRow, RecipientRow, TransferEventRow, TransferRow } from "./entities";
import type { TransferRepository } from "./transfer.repository";

export type TransferLoaders = ReturnType<typeof createTransferLoaders>;

/** Request-scoped batch loaders (one SQL statement per batch; results in key order). */
export function createTransferLoaders(repository: TransferRepository) {
  return {
    recipientById: new DataLoader<string, RecipientRow | null>(async (ids) => {
      const found = new Map((await repository.recipientsByIds(ids)).map((r) => [r.id, r]));
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    }),
    transferById: new DataLoader<string, TransferRow | null>(async (ids) => {
      const found = new Map((await repository.transfersByIds(ids)).map((t) => [t.id, t]));
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    }),
    eventsByTransferId: new DataLoader<string, TransferEventRow[]>(async (ids) => {
      const events = await repository.transferEvents(ids);
      return ids.map((id) => events.filter((event) => event.transferId === id));
    }),
    latestConfirmationByTransferId: new DataLoader<string, ConfirmationRow | null>(async (ids) => {
      const found = new Map((await repository.latestConfirmations(ids)).map((c) => [c.transferId, c]));
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}
