import type { RequestHandler } from "express";
import type { GraphQLSchema } from "graphql";
import type { Registry } from "prom-client";
import type { DataSource } from "typeorm";
import type { Config, SubgraphConfig } from "../config";
import { TokenVerifier } from "../auth/tokens";
import {
  createDataSource,
  migrate,
  poolOf,
  type StatementCounter,
  type SubgraphDataSourceOptions,
} from "../db/data-source";
import { type RowCounter, startCountRollUp } from "../db/row-counter";
import { registerPoolMetrics, ServiceMetrics } from "../ops/metrics";
import type { RequestContext } from "./context";
import { OperationLimits, subgraphLimits } from "./limits";
import { type RunningServer, serveSubgraph } from "./serve-subgraph";

export interface Subgraph extends RunningServer {
  /** SQL statements sent so far (tests prove batching with it). */
  statements: StatementCounter;
}

export interface SubgraphDefinition<TContext extends RequestContext> {
  /** The PostgreSQL schema it owns (its name is also the subgraph's `service` name), its entities and migrations. */
  database: Omit<SubgraphDataSourceOptions, "url" | "poolSize">;
  listen: SubgraphConfig;
  buildSchema(): Promise<GraphQLSchema>;
  /**
   * Runs once the database is migrated, before serving (seed data, repositories, the subgraph's
   * own metrics in `metrics`); returns the per-request context factory, which makes each
   * request's loaders and services.
   */
  prepare(dataSource: DataSource, metrics: Registry): Promise<(base: RequestContext) => TContext>;
  /** Its list counters (decision 0043), rolled up every `LIST_COUNT_ROLLUP_MS` while it serves. */
  counters?: readonly RowCounter[];
  /** HTTP routes besides `/graphql` (the document endpoints), made once `prepare` has run. */
  routes?(verifier: TokenVerifier): RequestHandler;
}

/**
 * Connects, migrates, prepares and serves a subgraph, rolling its counters up on a timer;
 * `stop()` closes the server, stops the roll-up (after one under way), then closes the pool.
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
    const metrics = new ServiceMetrics(definition.database.schema);
    registerPoolMetrics(metrics.registry, () => poolOf(dataSource));
    const createContext = await definition.prepare(dataSource, metrics.registry);
    const verifier = new TokenVerifier(config.auth);
    const server = await serveSubgraph<TContext>({
      schema: await definition.buildSchema(),
      host: definition.listen.host,
      port: definition.listen.port,
      http: config.http,
      ops: config.ops,
      verifier,
      createContext,
      routes: definition.routes?.(verifier),
      metrics,
      // Through the pool: ready means a request's query can get a connection and an answer now.
      readiness: { database: async () => void (await dataSource.query("SELECT 1")) },
      limits: new OperationLimits(subgraphLimits(config.operationLimits), config.hideSchemaDetails),
      hideSchemaDetails: config.hideSchemaDetails,
    });
    const rollUp = startCountRollUp(dataSource, definition.counters ?? [], config.listCountRollUpMs);
    return {
      ...server,
      statements,
      stop: async () => {
        await server.stop();
        await rollUp.stop();
        await dataSource.destroy();
      },
    };
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
}
