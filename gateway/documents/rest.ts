/**
 * The REST shim's streaming document routes (decision 0034), for each owner of
 * `DOCUMENT_OWNERS`: `POST {base}` (multipart, one file and a `category` field), `POST
 * {base}/bulk` (several files, all or nothing, a result per file) and `GET
 * {base}/{documentId}/download`. Each runs the staged flow of the GraphQL API: create the upload,
 * PUT the spooled bytes to its signed URL (to the subgraph, streamed), complete; a failure cancels
 * what was started, so nothing is left.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import { type Request, type Response, Router } from "express";
import type { GraphQLSchema } from "graphql";
import type { TokenVerifier } from "../../common/auth/tokens";
import { toGraphQLEnumName } from "../../common/enum-spelling";
import { AppError, type FieldError, isErrorCode } from "../../common/errors";
import { isUuid } from "../../common/ids";
import { log } from "../../common/log";
import { requestIdFrom } from "../../common/request-id";
import type { GatewayContext } from "../context";
import { type RestError, restErrorOf, sendError, sendValue, styleOf } from "../rest/responses";
import { DOCUMENT_OWNERS, type DocumentOwnerPaths } from "../rest/routes/documents";
import type { ExecuteOperation } from "../subscriptions/relay";
import { readMultipart, type SpooledFile } from "./multipart";
import { FORWARDED_RESPONSE, type FileUpstream } from "./upstream";

export interface DocumentRestOptions {
  verifier: TokenVerifier;
  execute: ExecuteOperation;
  schema: () => GraphQLSchema;
  upstream: FileUpstream;
  maxBytes: number;
}

/** Files one bulk upload may carry (the GraphQL API completes as many at once). */
export const MAX_BULK_FILES = 20;

/** A refusal on the way, as the route answers it. */
class RouteError extends Error {
  constructor(readonly rest: RestError) {
    super(rest.message);
  }
}

export function documentRestRouter(options: DocumentRestOptions): Router {
  const router = Router();
  for (const owner of DOCUMENT_OWNERS) {
    const base = owner.base.replace(/\{(\w+)\}/g, ":$1");
    router.post(
      base,
      handler(owner, options, (ctx, req) => upload(ctx, req, owner, options, 1)),
    );
    router.post(
      `${base}/bulk`,
      handler(owner, options, (ctx, req) => upload(ctx, req, owner, options, MAX_BULK_FILES)),
    );
    router.get(
      `${base}/:documentId/download`,
      handler(owner, options, (ctx, req, res) => download(ctx, req, res, owner, options)),
    );
  }
  return router;
}

type Work = (context: GatewayContext, req: Request, res: Response) => Promise<unknown>;

/** Authenticates (401, 403 for a system path), checks the path's ids, runs `work` and answers its value or error. */
function handler(owner: DocumentOwnerPaths, options: DocumentRestOptions, work: Work) {
  return (req: Request, res: Response) => {
    const style = styleOf(req.path);
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    const run = async () => {
      const caller = await options.verifier.callerFromHeader(req.headers.authorization);
      if (owner.auth === "system" && caller.kind !== "system") {
        throw new AppError("FORBIDDEN", "This route is for system callers only");
      }
      for (const [name, value] of Object.entries(req.params)) {
        if (!isUuid(value)) throw invalid(name, "isUuid", `${name} must be a UUID`);
      }
      const value = await work(
        { caller, authorization: req.headers.authorization ?? "", requestId },
        req,
        res,
      );
      if (value !== undefined) sendValue(res, style, value);
    };
    run().catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      if (!req.complete) res.setHeader("connection", "close");
      const rest =
        error instanceof RouteError
          ? error.rest
          : error instanceof AppError
            ? {
                code: error.code,
                message: error.message,
                details: error.details,
                fields: error.details.fields as FieldError[] | undefined,
              }
            : undefined;
      if (!rest) log.error({ err: error, requestId, path: req.path }, "document route failed");
      if (!rest) {
        return sendError(
          res,
          style,
          { code: "INTERNAL_SERVER_ERROR", message: "Internal server error" },
          requestId,
        );
      }
      const { fields, ...details } = rest.details ?? {};
      sendError(
        res,
        style,
        { ...rest, details, fields: rest.fields ?? (fields as FieldError[] | undefined) },
        requestId,
      );
    });
  };
}

function invalid(field: string, rule: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", `Invalid input: ${field} (${rule})`, {
    fields: [{ field, rule, message }],
  });
}

/** Runs a GraphQL operation as the caller; its first error becomes the route's. */
async function run(
  options: DocumentRestOptions,
  context: GatewayContext,
  query: string,
  variables: Record<string, unknown>,
) {
  const result = await options.execute({ query, operationName: undefined, variables }, context);
  if (result.errors?.length) throw new RouteError(restErrorOf(result.errors, (field) => field));
  return result.data as Record<string, any>;
}

async function upload(
  context: GatewayContext,
  req: Request,
  owner: DocumentOwnerPaths,
  options: DocumentRestOptions,
  maxFiles: number,
): Promise<unknown> {
  const directory = await fs.promises.mkdtemp(path.join(os.tmpdir(), "documents-"));
  try {
    const { fields, files } = await readMultipart(req, directory, { maxFiles, maxBytes: options.maxBytes });
    if (!files.length) throw invalid("file", "required", "a file is required");
    if (!fields.category) throw invalid("category", "required", "category is required");
    const ownerId = String(req.params[owner.param]).toLowerCase();
    const category = toGraphQLEnumName(fields.category);
    const uploads: string[] = [];
    const failures: FieldError[] = [];
    let first: RestError | undefined;
    for (const file of files) {
      try {
        uploads.push(await stage(context, owner, options, ownerId, category, file));
      } catch (error) {
        const rest = error instanceof RouteError ? error.rest : undefined;
        if (!rest) {
          await Promise.all(uploads.map((id) => cancel(context, owner, options, id)));
          throw error;
        }
        first ??= rest;
        failures.push({
          field: `files[${file.index}]`,
          rule: rest.code,
          message: `${file.fileName}: ${rest.message}`,
        });
      }
    }
    if (first) {
      await Promise.all(uploads.map((id) => cancel(context, owner, options, id)));
      throw new RouteError({ ...first, fields: maxFiles > 1 ? failures : first.fields });
    }
    const type = owner.type;
    const data = await run(
      options,
      context,
      `mutation($ids: [ID!]!) { complete${type}DocumentUploads(uploadIds: $ids) { ...${owner.dto.name} } } ${owner.dto.fragment}`,
      { ids: uploads },
    );
    const documents = owner.dto.toRest(data[`complete${type}DocumentUploads`], options.schema()) as unknown[];
    return maxFiles > 1 ? documents : documents[0];
  } finally {
    await fs.promises.rm(directory, { recursive: true, force: true });
  }
}

/** Creates the upload and PUTs the spooled bytes to its signed URL: the upload's id, or its refusal. */
async function stage(
  context: GatewayContext,
  owner: DocumentOwnerPaths,
  options: DocumentRestOptions,
  ownerId: string,
  category: string,
  file: SpooledFile,
): Promise<string> {
  const data = await run(
    options,
    context,
    `mutation($input: Create${owner.type}DocumentUploadInput!) { create${owner.type}DocumentUpload(input: $input) { id uploadUrl } }`,
    {
      input: {
        [owner.param]: ownerId,
        category,
        fileName: file.fileName,
        contentType: file.contentType,
        size: file.size,
        sha256: file.sha256,
      },
    },
  );
  const created = data[`create${owner.type}DocumentUpload`] as { id: string; uploadUrl: string };
  const answer = await options.upstream.request(
    "PUT",
    created.uploadUrl,
    {
      authorization: context.authorization,
      "x-request-id": context.requestId,
      "content-length": String(file.size),
    },
    fs.createReadStream(file.path),
  );
  const chunks: Buffer[] = [];
  for await (const chunk of answer) chunks.push(chunk as Buffer);
  if (answer.statusCode === 200) return created.id;
  const problem = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { code?: string; detail?: string };
  throw new RouteError({
    code: isErrorCode(problem.code) ? problem.code : "INTERNAL_SERVER_ERROR",
    message: problem.detail ?? "The upload failed",
  });
}

async function cancel(
  context: GatewayContext,
  owner: DocumentOwnerPaths,
  options: DocumentRestOptions,
  id: string,
) {
  await options.execute(
    {
      query: `mutation($id: ID!) { cancel${owner.type}DocumentUpload(uploadId: $id) { id } }`,
      operationName: undefined,
      variables: { id },
    },
    context,
  );
}

/** The document's signed URL, asked as the caller, then its bytes streamed from the subgraph. */
async function download(
  context: GatewayContext,
  req: Request,
  res: Response,
  owner: DocumentOwnerPaths,
  options: DocumentRestOptions,
): Promise<undefined> {
  const data = await run(
    options,
    context,
    `query($owner: ID!, $id: ID!) { ${owner.field}(id: $owner) { document(id: $id) { downloadUrl } } }`,
    { owner: req.params[owner.param], id: req.params.documentId },
  );
  const url = data[owner.field]?.document?.downloadUrl as string | undefined;
  if (!url) throw new AppError("DOCUMENT_NOT_FOUND", `No document ${req.params.documentId}`);
  const answer = await options.upstream.request("GET", url, {
    authorization: context.authorization,
    "x-request-id": context.requestId,
  });
  if (answer.statusCode !== 200) {
    const chunks: Buffer[] = [];
    for await (const chunk of answer) chunks.push(chunk as Buffer);
    const problem = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { code?: string; detail?: string };
    throw new RouteError({
      code: isErrorCode(problem.code) ? problem.code : "INTERNAL_SERVER_ERROR",
      message: problem.detail ?? "",
    });
  }
  res.status(200);
  for (const name of FORWARDED_RESPONSE) {
    const value = answer.headers[name];
    if (value !== undefined) res.setHeader(name, value);
  }
  await pipeline(answer, res);
  return undefined;
}
