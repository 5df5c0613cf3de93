import type { Config } from "../../common/config";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import type { TransferContext } from "./context";
import { TRANSFER_SCHEMA, transferEntities, transferMigrations } from "./persistence";
import { createTransferLoaders } from "./persistence/transfer.loaders";
import { TransferRepository } from "./persistence/transfer.repository";
import { buildTransferSchema } from "./schema";
import { TransferService } from "./transfer.service";

export type TransferSubgraph = Subgraph;

/** Connects, migrates and serves the transfer orchestrator subgraph. */
export function startTransferSubgraph(config: Config, databaseUrl: string): Promise<TransferSubgraph> {
  return startSubgraph<TransferContext>(config, databaseUrl, {
    database: { schema: TRANSFER_SCHEMA, entities: transferEntities, migrations: transferMigrations },
    listen: config.subgraphs.transfer,
    buildSchema: buildTransferSchema,
    prepare: async (dataSource) => {
      const repository = new TransferRepository(dataSource);
      return (base) => ({
        ...base,
        transfers: new TransferService(repository, createTransferLoaders(repository), base.caller),
      });
    },
  });
}
