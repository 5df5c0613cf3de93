import type { Config } from "../../common/config";
import { prepareDocuments } from "../../common/documents";
import { documentEndpoints } from "../../common/documents/http";
import { type DocumentDeps, DocumentService } from "../../common/documents/service";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import { ClientService } from "./client.service";
import { clientDocumentOwner } from "./document.service";
import type { ClientContext } from "./context";
import { CLIENT_SCHEMA, clientEntities, clientMigrations } from "./persistence";
import { CLIENT_COUNTER } from "./persistence/counters";
import { ClientRepository } from "./persistence/client.repository";
import { createClientLoaders } from "./persistence/loaders";
import { buildClientSchema } from "./schema";

export type ClientSubgraph = Subgraph;

/** Connects, migrates and serves the client profile subgraph. */
export function startClientSubgraph(config: Config, databaseUrl: string): Promise<ClientSubgraph> {
  let documents: DocumentDeps | undefined;
  return startSubgraph<ClientContext>(config, databaseUrl, {
    database: { schema: CLIENT_SCHEMA, entities: clientEntities, migrations: clientMigrations },
    counters: [CLIENT_COUNTER],
    listen: config.subgraphs.client,
    buildSchema: buildClientSchema,
    prepare: async (dataSource) => {
      const repository = new ClientRepository(dataSource);
      const deps = await prepareDocuments(config, dataSource, CLIENT_SCHEMA, clientDocumentOwner(repository));
      documents = deps;
      return ({ caller, requestId }) => ({
        caller,
        requestId,
        clients: new ClientService(repository, createClientLoaders(repository), caller, requestId),
        documents: new DocumentService(deps, caller, requestId),
      });
    },
    routes: (verifier) => documentEndpoints(CLIENT_SCHEMA, verifier, () => documents!),
  });
}
