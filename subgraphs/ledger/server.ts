import type { Config } from "../../common/config";
import { TokenVerifier } from "../../common/auth/tokens";
import { createDataSource, migrate, type StatementCounter } from "../../common/db/data-source";
import { type RunningServer, serveSubgraph } from "../../common/graphql/serve-subgraph";
import type { LedgerContext } from "./context";
import { CURRENCY_EXPONENTS } from "./domain/money";
import { LedgerService } from "./ledger.service";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "./persistence";
import { createLedgerLoaders } from "./persistence/ledger.loaders";
import { LedgerRepository } from "./persistence/ledger.repository";
import { buildLedgerSchema } from "./schema";

export interface LedgerSubgraph extends RunningServer {
  /** SQL statements sent so far (tests prove batching with it). */
  statements: StatementCounter;
}

/** Connects, migrates, makes sure each offered currency has a settlement account, and serves the ledger. */
export async function startLedgerSubgraph(config: Config, databaseUrl: string): Promise<LedgerSubgraph> {
  const unknown = config.ledger.currencies.filter((code) => CURRENCY_EXPONENTS[code] === undefined);
  if (unknown.length)
    throw new Error(`LEDGER_CURRENCIES has currencies without a known exponent: ${unknown.join(", ")}`);
  const { dataSource, statements } = createDataSource({
    url: databaseUrl,
    schema: LEDGER_SCHEMA,
    entities: ledgerEntities,
    migrations: ledgerMigrations,
    poolSize: config.databasePoolSize,
  });
  await dataSource.initialize();
  try {
    await migrate(dataSource, LEDGER_SCHEMA);
    const repository = new LedgerRepository(dataSource);
    await repository.ensureSettlementAccounts(config.ledger.currencies);
    const server = await serveSubgraph<LedgerContext>({
      schema: await buildLedgerSchema(),
      host: config.subgraphs.ledger.host,
      port: config.subgraphs.ledger.port,
      verifier: new TokenVerifier(config.auth),
      createContext: (base) => ({
        ...base,
        ledger: new LedgerService(
          repository,
          createLedgerLoaders(repository),
          base.caller,
          base.requestId,
          config.ledger.currencies,
        ),
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
