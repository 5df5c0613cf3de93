import type { GraphQLSchema } from "graphql";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { PageInfo } from "../../common/graphql/pagination";
import { registerClientEnums } from "./graphql/enums";
import { clientReferenceResolvers } from "./graphql/client.reference";
import { ClientResolver } from "./graphql/client.resolver";

/** The client profile subgraph's schema (also printed to schema/client.graphql by `npm run compose`). */
export function buildClientSchema(): Promise<GraphQLSchema> {
  registerClientEnums();
  return buildFederatedSchema(
    { resolvers: [ClientResolver], orphanedTypes: [PageInfo] },
    clientReferenceResolvers,
  );
}
