import type { Config } from "../../common/config";
import { mintToken } from "../../common/auth/tokens";
import { LedgerClient } from "./ledger-client";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import type { TransferContext } from "./context";
import { TRANSFER_SCHEMA, transferEntities, transferMigrations } from "./persistence";
import { createTransferLoaders } from "./persistence/transfer.loaders";
import { TransferRepository } from "./persistence/transfer.repository";
import { buildTransferSchema } from "./schema";
import { TransferService } from "./transfer.service";

export type TransferSubgraph = Subgraph;

/**
 * The orchestrator's own credential for the ledger: a short-lived system token signed with
 * JWT_SECRET, renewed before it expires. (With JWT_JWKS_URL the identity provider must issue
 * it instead: not built yet.)
 */
function serviceTokens(config: Config): () => Promise<string> {
  let token: { value: string; renewAt: number } | undefined;
  return async () => {
    if (config.auth.jwksUrl)
      throw new Error("the transfer subgraph's ledger credential under JWT_JWKS_URL is not built yet");
    if (!token || Date.now() > token.renewAt) {
      const value = await mintToken(config.auth, { kind: "system", subject: "transfer-orchestrator" }, "15m");
      token = { value, renewAt: Date.now() + 10 * 60_000 };
    }
    return token.value;
  };
}

/** Connects, migrates and serves the transfer orchestrator subgraph; `ledgerUrl` is the ledger subgraph's GraphQL URL. */
export function startTransferSubgraph(
  config: Config,
  databaseUrl: string,
  ledgerUrl: string = config.subgraphs.ledger.url,
): Promise<TransferSubgraph> {
  const ledger = new LedgerClient(ledgerUrl, serviceTokens(config));
  return startSubgraph<TransferContext>(config, databaseUrl, {
    database: { schema: TRANSFER_SCHEMA, entities: transferEntities, migrations: transferMigrations },
    listen: config.subgraphs.transfer,
    buildSchema: buildTransferSchema,
    prepare: async (dataSource) => {
      const repository = new TransferRepository(dataSource);
      return (base) => ({
        ...base,
        transfers: new TransferService(
          repository,
          createTransferLoaders(repository),
          base.caller,
          base.requestId,
          ledger,
        ),
      });
    },
  });
}
