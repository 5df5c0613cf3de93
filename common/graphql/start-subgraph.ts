import type { GraphQLSchema } from "graphql";
import type { DataSource } from "typeorm";
import type { Config, SubgraphConfig } from "../config";
import { TokenVerifier } from "../auth/tokens";
import {
  createDataSource,
  migrate,
  type StatementCounter,
  type SubgraphDataSourceOptions,
} from "../db/data-source";
import type { RequestContext } from "./context";
import { type RunningServer, serveSubgraph } from "./serve-subgraph";

export interface Subgraph extends RunningServer {
  /** SQL statements sent so far (tests prove batching with it). */
  statements: StatementCounter;
}

export interface SubgraphDefinition<TContext extends RequestContext> {
  /** The PostgreSQL schema it owns, its entities and migrations. */
  database: Omit<SubgraphDataSourceOptions, "url" | "poolSize">;
  listen: SubgraphConfig;
  buildSchema(): Promise<GraphQLSchema>;
  /**
   * Runs once the database is migrated, before serving (seed data, repositories); returns the
   * per-request context factory, which makes each request's loaders and services.
   */
  prepare(dataSource: DataSource): Promise<(base: RequestContext) => TContext>;
}

/**
 * Connects, migrates, prepares and serves a subgraph; `stop()` closes the server, then the pool.
 * Every subgraph starts this way, alone (`main.ts`) or all in one process (`npm start`).
 */
export async function startSubgraph<TContext extends RequestContext>(
  config: Config,
  databaseUrl: string,
  definition: SubgraphDefinition<TContext>,
): Promise<Subgraph> {
  const { dataSource, statements } = createDataSource({
    ...definition.database,
    url: databaseUrl,
    poolSize: config.databasePoolSize,
  });
  await dataSource.initialize();
  try {
    await migrate(dataSource, definition.database.schema);
    const createContext = await definition.prepare(dataSource);
    const server = await serveSubgraph<TContext>({
      schema: await definition.buildSchema(),
      host: definition.listen.host,
      port: definition.listen.port,
      verifier: new TokenVerifier(config.auth),
      createContext,
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
