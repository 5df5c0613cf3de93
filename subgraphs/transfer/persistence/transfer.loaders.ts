import DataLoader from "dataloader";
import type { RecipientRow } from "./entities";
import type { TransferRepository } from "./transfer.repository";

export type TransferLoaders = ReturnType<typeof createTransferLoaders>;

/** Request-scoped batch loaders (one SQL statement per batch; results in key order). */
export function createTransferLoaders(repository: TransferRepository) {
  return {
    recipientById: new DataLoader<string, RecipientRow | null>(async (ids) => {
      const found = new Map((await repository.recipientsByIds(ids)).map((r) => [r.id, r]));
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    }),
  };
}
