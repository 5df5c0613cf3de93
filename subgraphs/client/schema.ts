import type { GraphQLSchema } from "graphql";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { canonicalIds } from "../../common/graphql/canonical-ids";
import { PageInfo } from "../../common/graphql/pagination";
import { ClientResolver } from "./graphql/client.resolver";
import { ClientDocumentResolver, ClientDocumentsResolver } from "./graphql/document.resolver";
import { clientReferenceResolvers } from "./graphql/references";
import { registerClientEnums } from "./graphql/types";

/** The client profile subgraph's schema (also printed to schema/client.graphql by `npm run compose`). */
export async function buildClientSchema(): Promise<GraphQLSchema> {
  registerClientEnums();
  const schema = await buildFederatedSchema(
    {
      resolvers: [ClientResolver, ClientDocumentResolver, ClientDocumentsResolver],
      orphanedTypes: [PageInfo],
    },
    clientReferenceResolvers,
  );
  return canonicalIds(schema);
}
