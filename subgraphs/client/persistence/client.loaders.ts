import DataLoader from "dataloader";
import type { Client } from "./client.entity";
import type { ClientRepository } from "./client.repository";
import type { ClientStatusChange } from "./client-status-change.entity";

export type ClientLoaders = ReturnType<typeof createClientLoaders>;

/**
 * Request-scoped batch loaders (created in the context factory, never shared between
 * requests, so one caller's cache never serves another). Results come back in key order.
 */
export function createClientLoaders(repository: ClientRepository) {
  return {
    clientById: new DataLoader<string, Client | null>(async (ids) => {
      const byId = new Map((await repository.findByIds(ids)).map((c) => [c.id, c]));
      return ids.map((id) => byId.get(id.toLowerCase()) ?? null);
    }),
    statusHistoryByClientId: new DataLoader<string, ClientStatusChange[]>(async (ids) => {
      const changes = await repository.statusHistories(ids);
      return ids.map((id) => changes.filter((change) => change.clientId === id));
    }),
  };
}
