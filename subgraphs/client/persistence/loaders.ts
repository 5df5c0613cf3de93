import { loaderOfMany, loaderOfOne, loaderSet } from "../../../common/db/batch-loaders";
import type { ClientRepository } from "./client.repository";

export type ClientLoaders = ReturnType<typeof createClientLoaders>;

/**
 * Request-scoped batch loaders, each made when first used (created in the context factory, never shared between
 * requests, so one caller's cache never serves another). Results come back in key order. Keys
 * are canonical ids (lower case, as the rows hold them): the GraphQL edge normalises them.
 */
export const createClientLoaders = loaderSet<ClientRepository>()({
  clientById: (repository) => loaderOfOne((ids) => repository.findByIds(ids), "id"),
  statusHistoryByClientId: (repository) => loaderOfMany((ids) => repository.statusHistories(ids), "clientId"),
});
