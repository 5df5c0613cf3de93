/** What a subgraph with documents makes once per process (decision 0034). */
import type { DataSource } from "typeorm";
import type { Config } from "../config";
import { DocumentRepository } from "./repository";
import { type DocumentDeps, type DocumentOwner, DocumentService } from "./service";
import { UrlSigner } from "./signed-url";
import { createDocumentStorage } from "./storage";

/**
 * The repository, storage, URL signer and limits of the subgraph owning PostgreSQL schema
 * `schema` (also the second segment of its `/files/<schema>/...` URLs).
 */
export function createDocumentDeps(
  config: Config,
  dataSource: DataSource,
  schema: string,
  owner: DocumentOwner,
): DocumentDeps {
  const { documents } = config;
  return {
    repository: new DocumentRepository(dataSource, schema),
    storage: createDocumentStorage(documents, dataSource, schema),
    signer: new UrlSigner(documents.urlSecret, documents.urlTtlSeconds, schema),
    limits: { maxBytes: documents.maxBytes, contentTypes: documents.contentTypes },
    retentionDays: documents.retentionDays,
    owner,
  };
}

/** {@link createDocumentDeps}, after clearing what a stop or crash left (abandoned uploads, bytes past retention). */
export async function prepareDocuments(
  config: Config,
  dataSource: DataSource,
  schema: string,
  owner: DocumentOwner,
): Promise<DocumentDeps> {
  const deps = createDocumentDeps(config, dataSource, schema, owner);
  await new DocumentService(
    deps,
    { kind: "system", subject: `${schema}-subgraph` },
    "startup",
  ).housekeeping();
  return deps;
}
