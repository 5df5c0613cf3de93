/**
 * The OpenAPI entries of the streaming document routes (`gateway/documents/rest.ts`), which are
 * not in the route table: multipart request bodies, a binary download, and the error statuses
 * of the GraphQL steps they run (`routeErrorCodes` of the same operations).
 */
import type { GraphQLSchema } from "graphql";
import type { RestRoute } from "../rest/route";
import { DOCUMENT_OWNERS, type DocumentOwnerPaths } from "../rest/routes/documents";

/** What the route's answer is, and which operation its error codes come from. */
interface StreamRoute {
  method: "post" | "get";
  path: string;
  summary: string;
  operationId: string;
  route: RestRoute;
  multipart?: { files: "one" | "many" };
}

export function documentStreamRoutes(): StreamRoute[] {
  return DOCUMENT_OWNERS.flatMap((owner) => {
    const scope = owner.base.startsWith("/internal") ? "Internal" : "";
    const create = `mutation($input: Create${owner.type}DocumentUploadInput!) { create${owner.type}DocumentUpload(input: $input) { id } }`;
    const read = `query($id: ID!) { ${owner.field}(id: $id) { id } }`;
    const route = (operation: string, list: boolean): RestRoute => ({
      method: "post",
      path: owner.base,
      summary: "",
      tag: owner.tag,
      auth: owner.auth,
      input: { params: { [owner.param]: owner.param } },
      operation,
      result: () => undefined,
      resultSchema: () => (list ? { type: "array", items: owner.dto.ref } : owner.dto.ref),
      notFoundCode: "DOCUMENT_NOT_FOUND",
    });
    return [
      {
        method: "post",
        path: owner.base,
        summary: `Uploads one document of the ${owner.field} (multipart/form-data: \`file\`, \`category\`)`,
        operationId: `Upload${scope}${owner.type}Document`,
        route: route(create, false),
        multipart: { files: "one" },
      },
      {
        method: "post",
        path: `${owner.base}/bulk`,
        summary: `Uploads several documents of the ${owner.field} at once, all or none (a result per file in \`errors\`)`,
        operationId: `BulkUpload${scope}${owner.type}Documents`,
        route: route(create, true),
        multipart: { files: "many" },
      },
      {
        method: "get",
        path: `${owner.base}/{documentId}/download`,
        summary: `Streams the bytes of one of the ${owner.field}'s documents`,
        operationId: `Download${scope}${owner.type}Document`,
        route: { ...route(read, false), method: "get" },
      },
    ] satisfies StreamRoute[];
  });
}

function multipartBody(owner: DocumentOwnerPaths, files: "one" | "many") {
  const file = { type: "string", format: "binary" };
  return {
    required: true,
    content: {
      "multipart/form-data": {
        schema: {
          type: "object",
          required: ["category", files === "one" ? "file" : "files"],
          properties: {
            category: {
              type: "string",
              description: `The ${owner.type}DocumentCategory, in the documented spelling (e.g. \`proofOfAddress\`, \`invoice\`).`,
            },
            ...(files === "one" ? { file } : { files: { type: "array", items: file, maxItems: 20 } }),
          },
        },
      },
    },
  };
}

/** The path entries, built with the table routes' own `responses` builder. */
export function documentStreamPaths(
  schema: GraphQLSchema,
  responsesOf: (route: RestRoute, schema: GraphQLSchema) => Record<string, unknown>,
): Record<string, Record<string, unknown>> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const stream of documentStreamRoutes()) {
    const owner = DOCUMENT_OWNERS.find((o) => stream.path.startsWith(o.base))!;
    const responses = responsesOf(stream.route, schema);
    if (!stream.multipart) {
      responses["200"] = {
        description: "The bytes, with the stored Content-Type, Content-Length and Content-Disposition",
        content: { "application/octet-stream": { schema: { type: "string", format: "binary" } } },
      };
    }
    const ids = [...stream.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string", format: "uuid" },
    }));
    paths[stream.path] ??= {};
    paths[stream.path][stream.method] = {
      operationId: stream.operationId,
      summary: stream.summary,
      tags: [owner.tag],
      security: [{ bearerAuth: [] }],
      parameters: ids,
      ...(stream.multipart ? { requestBody: multipartBody(owner, stream.multipart.files) } : {}),
      responses,
    };
  }
  return paths;
}
