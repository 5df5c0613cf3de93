import type { GraphQLSchema } from "graphql";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { PageInfo } from "../../common/graphql/pagination";
import type { TransferContext } from "./context";
import { RecipientResolver } from "./graphql/recipient.resolver";

const referenceResolvers = {
  Recipient: {
    __resolveReference(reference: { id?: unknown }, ctx: TransferContext) {
      return typeof reference.id === "string" ? ctx.transfers.recipient(reference.id) : null;
    },
  },
};

/** The transfer orchestrator subgraph's schema (printed to schema/transfer.graphql by `npm run compose`). */
export function buildTransferSchema(): Promise<GraphQLSchema> {
  return buildFederatedSchema(
    { resolvers: [RecipientResolver], orphanedTypes: [PageInfo] },
    referenceResolvers,
  );
}
