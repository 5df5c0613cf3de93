/**
 * Builds the committed contract files: one SDL per subgraph, the composed supergraph,
 * and the REST shim's OpenAPI document. `npm run compose` writes them; a test fails
 * when the committed files differ from what this returns.
 */
import "reflect-metadata";
import { composeServices } from "@apollo/composition";
import { printSubgraphSchema } from "@apollo/subgraph";
import { parse } from "graphql";
import { buildOpenApiDocument } from "../gateway/rest/openapi";
import { restComponentSchemas, restRoutes } from "../gateway/rest/routes";
import { buildClientSchema } from "../subgraphs/client/schema";
import { buildLedgerSchema } from "../subgraphs/ledger/schema";
import { buildTransferSchema } from "../subgraphs/transfer/schema";

/** Subgraph name -> default URL written into the supergraph (the gateway overrides it from config). */
const SUBGRAPHS = [
  { name: "client", url: "http://localhost:4001/graphql", build: buildClientSchema },
  { name: "ledger", url: "http://localhost:4002/graphql", build: buildLedgerSchema },
  { name: "transfer", url: "http://localhost:4003/graphql", build: buildTransferSchema },
];

/** File name under schema/ -> content. */
export async function generateSchemaFiles(): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  const services = [];
  for (const subgraph of SUBGRAPHS) {
    const sdl = printSubgraphSchema(await subgraph.build());
    files[`${subgraph.name}.graphql`] = `${sdl.trim()}\n`;
    services.push({ name: subgraph.name, url: subgraph.url, typeDefs: parse(sdl) });
  }
  const composed = composeServices(services);
  if (composed.errors) {
    throw new Error(`composition failed:\n${composed.errors.map((e) => e.message).join("\n")}`);
  }
  const apiSchema = composed.schema.toAPISchema().toGraphQLJSSchema();
  files["supergraph.graphql"] = `${composed.supergraphSdl.trim()}\n`;
  files["openapi.json"] =
    `${JSON.stringify(buildOpenApiDocument(restRoutes, apiSchema, restComponentSchemas(apiSchema)), null, 2)}\n`;
  return files;
}
