/**
 * Document routes of the route table (decision 0034): list, read and delete, for client
 * documents (`/internal/Clients/{clientId}/documents`, system) and transfer documents
 * (`/Transfers/{transferId}/documents`, front office; `/internal/Transfers/...`, system). Upload,
 * bulk upload and download stream bytes, so they are served by `gateway/documents/rest.ts`.
 */
import type { GraphQLSchema } from "graphql";
import type { JsonSchema } from "../json-schema";
import type { RestRoute } from "../route";
import { type Dto, fragmentDto } from "./shared";

const DOCUMENT_FIELDS = `id category fileName contentType size sha256 uploadedBy uploadedAt status
  deletedBy deletedAt deletionReason`;

export const CLIENT_DOCUMENT_DTO: Dto = fragmentDto(
  `fragment ClientDocumentDto on ClientDocument { ${DOCUMENT_FIELDS} clientId }`,
);
export const TRANSFER_DOCUMENT_DTO: Dto = fragmentDto(
  `fragment TransferDocumentDto on TransferDocument { ${DOCUMENT_FIELDS} transferId }`,
);

/** Where an owner's documents are, who may use the path, and its GraphQL names. */
export interface DocumentOwnerPaths {
  /** `/internal/Clients/{clientId}/documents` */
  base: string;
  /** The owner's path parameter and GraphQL field: `clientId`, `client`. */
  param: "clientId" | "transferId";
  field: "client" | "transfer";
  /** `Client`, `Transfer`: the type names' stem. */
  type: "Client" | "Transfer";
  auth: RestRoute["auth"];
  tag: string;
  dto: Dto;
}

export const DOCUMENT_OWNERS: DocumentOwnerPaths[] = [
  {
    base: "/internal/Clients/{clientId}/documents",
    param: "clientId",
    field: "client",
    type: "Client",
    auth: "system",
    tag: "ClientProfile - System: Documents",
    dto: CLIENT_DOCUMENT_DTO,
  },
  {
    base: "/Transfers/{transferId}/documents",
    param: "transferId",
    field: "transfer",
    type: "Transfer",
    auth: "any",
    tag: "TransferOrchestrator - FrontOffice: Documents",
    dto: TRANSFER_DOCUMENT_DTO,
  },
  {
    base: "/internal/Transfers/{transferId}/documents",
    param: "transferId",
    field: "transfer",
    type: "Transfer",
    auth: "system",
    tag: "TransferOrchestrator - System: Documents",
    dto: TRANSFER_DOCUMENT_DTO,
  },
];

function routesOf(owner: DocumentOwnerPaths): RestRoute[] {
  const { base, param, field, type, auth, tag, dto } = owner;
  const scope = base.startsWith("/internal") ? "Internal" : "";
  const list: JsonSchema = { type: "array", items: dto.ref };
  return [
    {
      method: "get",
      path: base,
      summary: `The ${field}'s documents, oldest first (deleted ones with includeDeleted=true)`,
      tag,
      auth,
      input: {
        params: { [param]: param },
        query: {
          includeDeleted: { variable: "includeDeleted", description: "Also deleted documents' records." },
        },
      },
      operation: `query List${scope}${type}Documents($${param}: ID!, $includeDeleted: Boolean = false) {
        ${field}(id: $${param}) { documents(includeDeleted: $includeDeleted) { ...${dto.name} } } }
        ${dto.fragment}`,
      result: (data, schema) => {
        const ownerValue = data[field] as { documents?: unknown } | null;
        return ownerValue ? dto.toRest(ownerValue.documents ?? [], schema) : undefined;
      },
      resultSchema: () => list,
      notFoundCode: type === "Client" ? "CLIENT_NOT_FOUND" : "TRANSFER_NOT_FOUND",
    },
    {
      method: "get",
      path: `${base}/{documentId}`,
      summary: `One of the ${field}'s documents`,
      tag,
      auth,
      input: { params: { [param]: param, documentId: "documentId" } },
      operation: `query Get${scope}${type}Document($${param}: ID!, $documentId: ID!) {
        ${field}(id: $${param}) { document(id: $documentId) { ...${dto.name} } } }
        ${dto.fragment}`,
      result: (data, schema) => {
        const ownerValue = data[field] as { document?: unknown } | null;
        return ownerValue?.document ? dto.toRest(ownerValue.document, schema) : undefined;
      },
      resultSchema: () => dto.ref,
      notFoundCode: "DOCUMENT_NOT_FOUND",
    },
    {
      method: "delete",
      path: `${base}/{documentId}`,
      summary: `Deletes one of the ${field}'s documents: the record stays, the bytes go after the retention`,
      tag,
      auth,
      input: {
        params: { [param]: param, documentId: "documentId" },
        query: { reason: { variable: "reason", description: "Why it is deleted; kept with the record." } },
      },
      operation: `mutation Delete${scope}${type}Document($${param}: ID, $documentId: ID!, $reason: String!) {
        delete${type}Document(id: $documentId, ownerId: $${param}, reason: $reason) { ...${dto.name} } }
        ${dto.fragment}`,
      result: (data, schema) => dto.toRest(data[`delete${type}Document`], schema),
      resultSchema: () => dto.ref,
    },
  ];
}

export const documentRoutes: RestRoute[] = DOCUMENT_OWNERS.flatMap(routesOf);

export function documentComponentSchemas(schema: GraphQLSchema): Record<string, JsonSchema> {
  return { ...CLIENT_DOCUMENT_DTO.component(schema), ...TRANSFER_DOCUMENT_DTO.component(schema) };
}
