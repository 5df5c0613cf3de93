import { loaderOfMany, loaderOfOne } from "../../../common/db/batch-loaders";
import type { ClientRepository } from "./client.repository";

export type ClientLoaders = ReturnType<typeof createClientLoaders>;

/**
 * Request-scoped batch loaders (created in the context factory, never shared between
 * requests, so one caller's cache never serves another). Results come back in key order. Keys
 * are canonical ids (lower case, as the rows hold them): the GraphQL edge normalises them.
 */
export function createClientLoaders(repository: ClientRepository) {
  return {
    clientById: loaderOfOne((ids) => repository.findByIds(ids), "id"),
    statusHistoryByClientId: loaderOfMany((ids) => repository.statusHistories(ids), "clientId"),
  };
}
