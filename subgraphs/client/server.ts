import type { Caller } from "../../common/auth/caller";
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

/**
 * One request's context: its services are made when first asked for, with the loaders (a
 * client list makes no DataLoader and no documents' service: decision 0050).
 */
class ClientRequest implements ClientContext {
  private clientsMade?: ClientService;
  private documentsMade?: DocumentService;

  constructor(
    private readonly repository: ClientRepository,
    private readonly documentDeps: DocumentDeps,
    readonly caller: Caller,
    readonly requestId: string,
  ) {}

  get clients(): ClientService {
    const { repository, caller, requestId } = this;
    return (this.clientsMade ??= new ClientService(
      repository,
      createClientLoaders(repository),
      caller,
      requestId,
    ));
  }

  get documents(): DocumentService {
    return (this.documentsMade ??= new DocumentService(this.documentDeps, this.caller, this.requestId));
  }
}

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
      return ({ caller, requestId }) => new ClientRequest(repository, deps, caller, requestId);
    },
    routes: (verifier) => documentEndpoints(CLIENT_SCHEMA, verifier, () => documents!),
  });
}
