import type { GraphQLSchema } from "graphql";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { PageInfo } from "../../common/graphql/pagination";
import type { TransferContext } from "./context";
import { RecipientResolver } from "./graphql/recipient.resolver";
import {
  AccountTransfersResolver,
  ClientTransfersResolver,
  TransferResolver,
} from "./graphql/transfer.resolver";
import { registerTransferEnums } from "./graphql/transfer.types";

const referenceResolvers = {
  // Accounts and clients live elsewhere; here a reference needs only its id, for `transfers`.
  Account: {
    __resolveReference: (reference: { id?: unknown }) =>
      typeof reference.id === "string" ? { id: reference.id } : null,
  },
  Client: {
    __resolveReference: (reference: { id?: unknown }) =>
      typeof reference.id === "string" ? { id: reference.id } : null,
  },
  Transfer: {
    __resolveReference(reference: { id?: unknown }, ctx: TransferContext) {
      return typeof reference.id === "string" ? ctx.transfers.transfer(reference.id) : null;
    },
  },
  Recipient: {
    __resolveReference(reference: { id?: unknown }, ctx: TransferContext) {
      return typeof reference.id === "string" ? ctx.transfers.recipient(reference.id) : null;
    },
  },
};

/** The transfer orchestrator subgraph's schema (printed to schema/transfer.graphql by `npm run compose`). */
export function buildTransferSchema(): Promise<GraphQLSchema> {
  registerTransferEnums();
  return buildFederatedSchema(
    {
      resolvers: [RecipientResolver, TransferResolver, AccountTransfersResolver, ClientTransfersResolver],
      orphanedTypes: [PageInfo],
    },
    referenceResolvers,
  );
}
