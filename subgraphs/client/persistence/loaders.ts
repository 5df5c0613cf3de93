import DataLoader from "dataloader";
import type { ClientRepository } from "./client.repository";
import type { Client, ClientStatusChange } from "./entities";

export type ClientLoaders = ReturnType<typeof createClientLoaders>;

/**
 * Request-scoped batch loaders (created in the context factory, never shared between
 * requests, so one caller's cache never serves another). Results come back in key order. Keys
 * are canonical ids (lower case, as the rows hold them): the GraphQL edge normalises them.
 */
export function createClientLoaders(repository: ClientRepository) {
  return {
    clientById: new DataLoader<string, Client | null>(async (ids) => {
      const byId = new Map((await repository.findByIds(ids)).map((c) => [c.id, c]));
      return ids.map((id) => byId.get(id) ?? null);
    }),
    statusHistoryByClientId: new DataLoader<string, ClientStatusChange[]>(async (ids) => {
      const changes = await repository.statusHistories(ids);
      return ids.map((id) => changes.filter((change) => change.clientId === id));
    }),
  };
}
