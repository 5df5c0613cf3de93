import type { GraphQLSchema } from "graphql";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { canonicalIds } from "../../common/graphql/canonical-ids";
import { PageInfo } from "../../common/graphql/pagination";
import { TransferDocumentResolver, TransferDocumentsResolver } from "./graphql/document.resolver";
import { RecipientResolver } from "./graphql/recipient.resolver";
import { ReconciliationResolver, TreasuryPositionResolver } from "./graphql/reconciliation.resolver";
import { TreasuryPosition } from "./graphql/reconciliation.types";
import { transferReferenceResolvers } from "./graphql/references";
import {
  AccountTransfersResolver,
  ClientTransfersResolver,
  TransferResolver,
  TransferStatusEventResolver,
} from "./graphql/transfer.resolver";
import { registerTransferEnums } from "./graphql/types";

/** The transfer orchestrator subgraph's schema (printed to schema/transfer.graphql by `npm run compose`). */
export async function buildTransferSchema(): Promise<GraphQLSchema> {
  registerTransferEnums();
  const schema = await buildFederatedSchema(
    {
      resolvers: [
        RecipientResolver,
        TransferResolver,
        TransferStatusEventResolver,
        AccountTransfersResolver,
        ClientTransfersResolver,
        ReconciliationResolver,
        TreasuryPositionResolver,
        TransferDocumentResolver,
        TransferDocumentsResolver,
      ],
      // TreasuryPosition: the ledger's, extended here; no root field of this subgraph returns it.
      orphanedTypes: [PageInfo, TreasuryPosition],
    },
    transferReferenceResolvers,
  );
  return canonicalIds(schema);
}
