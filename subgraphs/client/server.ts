import type { Config } from "../../common/config";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import { ClientService } from "./client.service";
import type { ClientContext } from "./context";
import { CLIENT_SCHEMA, clientEntities, clientMigrations } from "./persistence";
import { ClientRepository } from "./persistence/client.repository";
import { createClientLoaders } from "./persistence/loaders";
import { buildClientSchema } from "./schema";

export type ClientSubgraph = Subgraph;

/** Connects, migrates and serves the client profile subgraph. */
export function startClientSubgraph(config: Config, databaseUrl: string): Promise<ClientSubgraph> {
  return startSubgraph<ClientContext>(config, databaseUrl, {
    database: { schema: CLIENT_SCHEMA, entities: clientEntities, migrations: clientMigrations },
    listen: config.subgraphs.client,
    buildSchema: buildClientSchema,
    prepare: async (dataSource) => {
      const repository = new ClientRepository(dataSource);
      return (base) => ({
        ...base,
        clients: new ClientService(repository, createClientLoaders(repository), base.caller, base.requestId),
      });
    },
  });
}
