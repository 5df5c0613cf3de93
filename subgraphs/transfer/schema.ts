import { createPubSub } from "@graphql-yoga/subscription";
import type { GraphQLSchema } from "graphql";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { PageInfo } from "../../common/graphql/pagination";
import { byId } from "../../common/graphql/references";
import type { TransferContext } from "./context";
import { RecipientResolver } from "./graphql/recipient.resolver";
import {
  AccountTransfersResolver,
  ClientTransfersResolver,
  TransferResolver,
  TransferStatusEventResolver,
} from "./graphql/transfer.resolver";
import { canonicalId } from "./graphql/ids";
import { registerTransferEnums } from "./graphql/transfer.types";
import { transfer } from "./use-cases/queries";
import { recipient } from "./use-cases/recipients";

const referenceResolvers = {
  // Accounts and clients live elsewhere; here a reference needs only its id, for `transfers`.
  Account: byId((id) => ({ id: canonicalId(id) })),
  Client: byId((id) => ({ id: canonicalId(id) })),
  Transfer: byId((id, ctx: TransferContext) => transfer(ctx, canonicalId(id))),
  Recipient: byId((id, ctx: TransferContext) => recipient(ctx, canonicalId(id))),
};

/** The transfer orchestrator subgraph's schema (printed to schema/transfer.graphql by `npm run compose`). */
export function buildTransferSchema(): Promise<GraphQLSchema> {
  registerTransferEnums();
  return buildFederatedSchema(
    {
      resolvers: [
        RecipientResolver,
        TransferResolver,
        TransferStatusEventResolver,
        AccountTransfersResolver,
        ClientTransfersResolver,
      ],
      orphanedTypes: [PageInfo],
      // type-graphql insists on one; the status subscription brings its own source (`subscribe`).
      pubSub: createPubSub(),
    },
    referenceResolvers,
  );
}
