/**
 * The document use cases, shared by the client and transfer subgraphs (decision 0034): the
 * staged upload (create -> one signed PUT -> complete), reading, signed downloads and deletion.
 * One instance per request; what differs per subgraph is who may reach an owner's documents
 * ({@link DocumentOwner}). Every upload, download and deletion is logged with the request id and
 * the caller, never the bytes or the file name (it may name a person).
 */
import type { EntityManager } from "typeorm";
import type { Readable } from "node:stream";
import DataLoader from "dataloader";
import type { Caller } from "../auth/caller";
import { AppError, validationError } from "../errors";
import { log } from "../log";
import { inspected, type ReceivedFile } from "./inspect";
import type { DocumentRepository, DocumentRow, UploadRow } from "./repository";
import {
  assertDeclaredAllowed,
  type DeclaredFile,
  type DocumentLimits,
  DocumentStatus,
  DocumentUploadStatus,
  MAX_UPLOADS_AT_ONCE,
  sanitizeFileName,
  tooLarge,
} from "./rules";
import { callerKey, type UrlSigner } from "./signed-url";
import type { DocumentStorage } from "./storage";

export type DocumentAction = "read" | "upload" | "delete";

/** Who may reach the documents of an owner (a client, a transfer). */
export interface DocumentOwner {
  /** `client` or `transfer`: the owner's name in logs. */
  kind: string;
  /** Refuses `caller` the `action` on `ownerId`'s documents (FORBIDDEN, or the owner's NOT_FOUND code). */
  authorize(caller: Caller, ownerId: string, action: DocumentAction): Promise<void>;
  /**
   * Runs in the deletion's transaction, before the document is marked deleted: an owner whose
   * rule depends on its own state locks and checks it here, so that a change of that state
   * (a transfer being confirmed) cannot pass the check in between.
   */
  guardDelete?(tx: EntityManager, caller: Caller, ownerId: string): Promise<void>;
}

/** What the service works with, made once per process. */
export interface DocumentDeps {
  repository: DocumentRepository;
  storage: DocumentStorage;
  signer: UrlSigner;
  limits: DocumentLimits;
  retentionDays: number;
  owner: DocumentOwner;
}

export interface NewUpload extends DeclaredFile {
  ownerId: string;
  category: string;
}

export class DocumentService {
  private readonly byOwner: DataLoader<string, DocumentRow[]>;

  constructor(
    private readonly deps: DocumentDeps,
    private readonly caller: Caller,
    private readonly requestId: string,
  ) {
    this.byOwner = new DataLoader(async (ownerIds) => {
      const rows = await deps.repository.documentsOfOwners(ownerIds);
      return ownerIds.map((id) => rows.filter((row) => row.ownerId === id));
    });
  }

  /**
   * Starts an upload: checks the declaration against the limits and returns the upload with its
   * signed, single-use PUT URL. DOCUMENT_TOO_LARGE, DOCUMENT_TYPE_NOT_ALLOWED, FORBIDDEN, owner's NOT_FOUND.
   */
  async createUpload(input: NewUpload): Promise<UploadRow & { uploadUrl: string }> {
    await this.deps.owner.authorize(this.caller, input.ownerId, "upload");
    assertDeclaredAllowed(input, this.deps.limits);
    await this.housekeeping();
    const expiresAt = this.deps.signer.expiry();
    const upload = await this.deps.repository.insertUpload(
      {
        ownerId: input.ownerId,
        category: input.category,
        fileName: sanitizeFileName(input.fileName),
        contentType: input.contentType.toLowerCase(),
        size: input.size,
        sha256: input.sha256.toLowerCase(),
        createdBy: callerKey(this.caller),
        expiresAt,
      },
      this.requestId,
    );
    const { url } = this.deps.signer.mint("upload", upload.id, this.caller, expiresAt);
    this.audit("document upload created", {
      uploadId: upload.id,
      ownerId: upload.ownerId,
      size: upload.size,
    });
    return { ...upload, uploadUrl: url };
  }

  /**
   * The upload URL's one PUT: the bytes stream through the checks into storage. Any failure
   * (a check, a dropped connection) removes what was written and fails the upload.
   * FORBIDDEN, DOCUMENT_URL_EXPIRED, DOCUMENT_UPLOAD_NOT_FOUND, DOCUMENT_UPLOAD_INVALID_STATE,
   * DOCUMENT_TOO_LARGE, DOCUMENT_TYPE_NOT_ALLOWED, DOCUMENT_SIZE_MISMATCH, DOCUMENT_CHECKSUM_MISMATCH.
   */
  async receive(
    uploadId: string,
    query: Record<string, unknown>,
    body: AsyncIterable<Buffer>,
    contentLength: number | undefined,
  ): Promise<UploadRow> {
    this.deps.signer.verify("upload", uploadId, this.caller, query);
    const upload = await this.deps.repository.moveUpload(
      uploadId,
      [DocumentUploadStatus.PENDING],
      DocumentUploadStatus.RECEIVING,
    );
    if (!upload) throw await this.uploadRefusal(uploadId);
    try {
      if (contentLength !== undefined && contentLength > upload.size) throw tooLarge(upload.size);
      const received: Partial<ReceivedFile> = {};
      await this.deps.storage.write(uploadId, inspected(body, upload, this.deps.limits, received));
      const moved = await this.deps.repository.moveUpload(
        uploadId,
        [DocumentUploadStatus.RECEIVING],
        DocumentUploadStatus.RECEIVED,
      );
      this.audit("document bytes received", { uploadId, size: received.size });
      return moved!;
    } catch (error) {
      await this.deps.storage.remove(uploadId);
      const code = error instanceof AppError ? error.code : "INTERRUPTED";
      await this.deps.repository.moveUpload(
        uploadId,
        [DocumentUploadStatus.RECEIVING],
        DocumentUploadStatus.FAILED,
        code,
      );
      this.audit("document upload failed", { uploadId, failure: code }, "warn");
      throw error;
    }
  }

  /**
   * Makes documents of received uploads, all or none, in one transaction. Only the caller that
   * created an upload may complete it. DOCUMENT_UPLOAD_NOT_FOUND, DOCUMENT_UPLOAD_INVALID_STATE, FORBIDDEN.
   */
  async complete(uploadIds: string[]): Promise<DocumentRow[]> {
    const ids = [...new Set(uploadIds)];
    if (ids.length > MAX_UPLOADS_AT_ONCE) {
      throw validationError([
        {
          field: "uploadIds",
          rule: "arrayMaxSize",
          message: `at most ${MAX_UPLOADS_AT_ONCE} uploads at once`,
        },
      ]);
    }
    const key = callerKey(this.caller);
    const documents = await this.deps.repository.completeUploads(
      ids,
      this.caller.subject,
      this.requestId,
      (uploads) => {
        for (const id of ids) {
          const upload = uploads.find((u) => u.id === id);
          if (!upload) throw uploadNotFound(id);
          if (upload.createdBy !== key)
            throw new AppError("FORBIDDEN", "Only the caller that created an upload may complete it");
          if (upload.status !== DocumentUploadStatus.RECEIVED) throw invalidState(upload);
        }
      },
    );
    for (const document of documents) {
      this.audit("document uploaded", {
        documentId: document.id,
        ownerId: document.ownerId,
        size: document.size,
      });
    }
    return documents;
  }

  /** Gives up an upload not yet completed; its bytes are removed. */
  async cancel(uploadId: string): Promise<UploadRow> {
    const upload = await this.deps.repository.uploadById(uploadId);
    if (!upload) throw uploadNotFound(uploadId);
    if (upload.createdBy !== callerKey(this.caller)) {
      throw new AppError("FORBIDDEN", "Only the caller that created an upload may cancel it");
    }
    const moved = await this.deps.repository.moveUpload(
      uploadId,
      [DocumentUploadStatus.PENDING, DocumentUploadStatus.RECEIVED],
      DocumentUploadStatus.CANCELLED,
    );
    if (!moved) throw invalidState(upload);
    await this.deps.storage.remove(uploadId);
    this.audit("document upload cancelled", { uploadId });
    return moved;
  }

  /** A document by id, or null; FORBIDDEN when the caller may not read its owner's documents. */
  async get(id: string): Promise<DocumentRow | null> {
    const [document] = await this.deps.repository.documentsByIds([id]);
    if (!document) return null;
    await this.deps.owner.authorize(this.caller, document.ownerId, "read");
    return document;
  }

  /** A document of `ownerId` by id, or null (also when it belongs to another owner). */
  async getOf(ownerId: string, id: string): Promise<DocumentRow | null> {
    await this.deps.owner.authorize(this.caller, ownerId, "read");
    const [document] = await this.deps.repository.documentsByIds([id]);
    return document?.ownerId === ownerId ? document : null;
  }

  /** Whether the owner has an ACTIVE document (a rule's question, asked for the use case: no access check). */
  async hasActive(ownerId: string): Promise<boolean> {
    return (await this.deps.repository.countActive(ownerId)) > 0;
  }

  /** An owner's documents, oldest first; deleted ones only when asked. */
  async listOf(ownerId: string, includeDeleted = false): Promise<DocumentRow[]> {
    await this.deps.owner.authorize(this.caller, ownerId, "read");
    const rows = await this.byOwner.load(ownerId);
    return includeDeleted ? rows : rows.filter((row) => row.status === DocumentStatus.ACTIVE);
  }

  /**
   * Deletes a document (of `ownerId`, when given): the record stays (who, when, why), the bytes
   * go after the retention. DOCUMENT_NOT_FOUND, FORBIDDEN.
   */
  async delete(id: string, reason: string, ownerId?: string | null): Promise<DocumentRow> {
    const [document] = await this.deps.repository.documentsByIds([id]);
    if (!document || (ownerId && document.ownerId !== ownerId)) throw documentNotFound(id);
    await this.deps.owner.authorize(this.caller, document.ownerId, "delete");
    const { owner } = this.deps;
    const guard =
      owner.guardDelete && ((tx: EntityManager) => owner.guardDelete!(tx, this.caller, document.ownerId));
    const deleted = await this.deps.repository.markDeleted(id, this.caller.subject, reason, guard);
    if (!deleted) throw documentNotFound(id);
    this.audit("document deleted", { documentId: id, ownerId: document.ownerId });
    await this.housekeeping();
    return deleted;
  }

  /** A signed download URL for this caller; null for a deleted document. */
  downloadUrl(document: Pick<DocumentRow, "id" | "status">): { url: string; expiresAt: Date } | null {
    if (document.status !== DocumentStatus.ACTIVE) return null;
    return this.deps.signer.mint("download", document.id, this.caller);
  }

  /** The download URL's GET: the document and its bytes. FORBIDDEN, DOCUMENT_URL_EXPIRED, DOCUMENT_NOT_FOUND. */
  async openDownload(
    id: string,
    query: Record<string, unknown>,
  ): Promise<{ document: DocumentRow; bytes: Readable }> {
    this.deps.signer.verify("download", id, this.caller, query);
    const [document] = await this.deps.repository.documentsByIds([id]);
    if (document?.status !== DocumentStatus.ACTIVE) throw documentNotFound(id);
    await this.deps.owner.authorize(this.caller, document.ownerId, "read");
    this.audit("document downloaded", { documentId: id, ownerId: document.ownerId, size: document.size });
    return { document, bytes: this.deps.storage.read(id) };
  }

  /**
   * Removes the bytes of uploads abandoned mid-way (a crash, a caller gone) and of deleted
   * documents past retention. Runs when the subgraph starts, and with each new upload and deletion.
   */
  async housekeeping(): Promise<void> {
    const { repository, storage, retentionDays } = this.deps;
    for (const id of await repository.failAbandonedUploads()) await storage.remove(id);
    for (const id of await repository.bytesPastRetention(retentionDays)) {
      await storage.remove(id);
      await repository.markBytesRemoved(id);
      this.audit("document bytes removed after retention", { documentId: id });
    }
  }

  private async uploadRefusal(uploadId: string): Promise<AppError> {
    const upload = await this.deps.repository.uploadById(uploadId);
    return upload ? invalidState(upload) : uploadNotFound(uploadId);
  }

  private audit(message: string, facts: Record<string, unknown>, level: "info" | "warn" = "info"): void {
    log[level](
      {
        ...facts,
        owner: this.deps.owner.kind,
        requestId: this.requestId,
        caller: { kind: this.caller.kind, subject: this.caller.subject },
      },
      message,
    );
  }
}

function uploadNotFound(uploadId: string): AppError {
  return new AppError("DOCUMENT_UPLOAD_NOT_FOUND", `No document upload ${uploadId}`, { uploadId });
}

function documentNotFound(documentId: string): AppError {
  return new AppError("DOCUMENT_NOT_FOUND", `No document ${documentId}`, { documentId });
}

function invalidState(upload: UploadRow): AppError {
  return new AppError(
    "DOCUMENT_UPLOAD_INVALID_STATE",
    `The upload is ${upload.status}: its URL works once, and only a RECEIVED upload can be completed or a PENDING or RECEIVED one cancelled`,
    { uploadId: upload.id, status: upload.status },
  );
}
