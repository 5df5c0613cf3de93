import type { Config } from "../../common/config";
import { TokenVerifier } from "../../common/auth/tokens";
import { createDataSource, migrate, type StatementCounter } from "../../common/db/data-source";
import { type RunningServer, serveSubgraph } from "../../common/graphql/serve-subgraph";
import { ClientService } from "./client.service";
import type { ClientContext } from "./context";
import { createClientLoaders } from "./persistence/client.loaders";
import { ClientRepository } from "./persistence/client.repository";
import { CLIENT_SCHEMA, clientEntities, clientMigrations } from "./persistence";
import { buildClientSchema } from "./schema";

export interface ClientSubgraph extends RunningServer {
  /** SQL statements sent so far (tests prove batching with it). */
  statements: StatementCounter;
}

/** Connects, migrates and serves the client profile subgraph. `stop()` closes the server and the pool. */
export async function startClientSubgraph(config: Config, databaseUrl: string): Promise<ClientSubgraph> {
  const { dataSource, statements } = createDataSource({
    url: databaseUrl,
    schema: CLIENT_SCHEMA,
    entities: clientEntities,
    migrations: clientMigrations,
    poolSize: config.databasePoolSize,
  });
  await dataSource.initialize();
  try {
    await migrate(dataSource, CLIENT_SCHEMA);
    const repository = new ClientRepository(dataSource);
    const server = await serveSubgraph<ClientContext>({
      schema: await buildClientSchema(),
      host: config.subgraphs.client.host,
      port: config.subgraphs.client.port,
      verifier: new TokenVerifier(config.auth),
      createContext: (base) => ({
        ...base,
        clients: new ClientService(repository, createClientLoaders(repository), base.caller, base.requestId),
      }),
    });
    return {
      ...server,
      statements,
      stop: async () => {
        await server.stop();
        await dataSource.destroy();
      },
    };
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
