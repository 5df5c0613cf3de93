/**
 * A subgraph's document endpoints, reached through the gateway's `/files/<service>/...`
 * (decision 0034): `PUT .../uploads/:id` takes an upload's bytes, streamed; `GET
 * .../documents/:id` streams a document's. Both want the signed URL's `expires` and
 * `signature` and the caller's bearer token, and answer errors as RFC 9457 problem details.
 */
import type { IncomingMessage } from "node:http";
import { pipeline } from "node:stream/promises";
import { type Request, type Response, Router } from "express";
import type { TokenVerifier } from "../auth/tokens";
import { AppError, ERROR_CODES, statusOf } from "../errors";
import { isUuid } from "../ids";
import { publicDetails } from "../graphql/errors";
import { log } from "../log";
import { requestIdFrom } from "../request-id";
import { contentDisposition } from "./rules";
import { type DocumentDeps, DocumentService } from "./service";
import { endpointPath } from "./signed-url";

/** The endpoints of subgraph `service`, over the deps `prepareDocuments` made (`deps()` once it has). */
export function documentEndpoints(
  service: string,
  verifier: TokenVerifier,
  deps: () => DocumentDeps,
): Router {
  const router = Router();
  const serviceOf = async (req: Request) => {
    const requestId = requestIdFrom(req.headers["x-request-id"]);
    const caller = await verifier.callerFromHeader(req.headers.authorization);
    return new DocumentService(deps(), caller, requestId);
  };

  router.put(endpointPath(service, "upload"), (req: Request, res: Response) => {
    const run = async () => {
      const id = String(req.params.id).toLowerCase();
      const documents = await serviceOf(req);
      if (!isUuid(id)) throw new AppError("DOCUMENT_UPLOAD_NOT_FOUND", `No document upload ${id}`);
      const upload = await documents.receive(id, req.query, req, contentLengthOf(req));
      res
        .status(200)
        .json({ id: upload.id, status: upload.status, size: upload.size, sha256: upload.sha256 });
    };
    run().catch((error: unknown) => sendProblem(req, res, error));
  });

  router.get(endpointPath(service, "download"), (req: Request, res: Response) => {
    const run = async () => {
      const id = String(req.params.id).toLowerCase();
      const documents = await serviceOf(req);
      if (!isUuid(id)) throw new AppError("DOCUMENT_NOT_FOUND", `No document ${id}`);
      const { document, bytes } = await documents.openDownload(id, req.query);
      res.status(200).set({
        "content-type": document.contentType,
        "content-length": String(document.size),
        "content-disposition": contentDisposition(document.fileName),
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "cache-control": "private, no-store",
        etag: `"${document.sha256}"`,
        "repr-digest": `sha-256=:${Buffer.from(document.sha256, "hex").toString("base64")}:`,
      });
      // A storage failure half-way cuts the connection: the length tells the client it is short.
      await pipeline(bytes, res).catch((error: unknown) => {
        log.error({ err: error, documentId: id }, "document download broke off");
        res.destroy();
      });
    };
    run().catch((error: unknown) => sendProblem(req, res, error));
  });
  return router;
}

function contentLengthOf(req: IncomingMessage): number | undefined {
  const value = Number(req.headers["content-length"]);
  return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/**
 * An error as problem details (the REST shim's shape for paths outside `/internal`). A body not
 * read to its end is not read further: the connection closes after the answer.
 */
function sendProblem(req: Request, res: Response, error: unknown): void {
  const requestId = requestIdFrom(req.headers["x-request-id"]);
  if (!(error instanceof AppError))
    log.error({ err: error, requestId, path: req.path }, "document endpoint failed");
  if (res.headersSent || res.destroyed) return void res.destroy();
  const code = error instanceof AppError ? error.code : "INTERNAL_SERVER_ERROR";
  const message = error instanceof AppError ? error.message : "Internal server error";
  // RFC 9457's `status` is the HTTP status; an upload's state is `currentStatus` (as in the REST shim).
  const {
    code: _code,
    status: currentStatus,
    ...details
  } = publicDetails(error instanceof AppError ? { ...error.details } : {});
  if (!req.complete) res.setHeader("connection", "close");
  res
    .status(statusOf(code))
    .type("application/problem+json")
    .json({
      type: `urn:core-banking:error:${code}`,
      title: ERROR_CODES[code].description,
      status: statusOf(code),
      detail: message,
      code,
      ...details,
      ...(currentStatus === undefined ? {} : { currentStatus }),
      requestId,
    });
}
