/**
 * The SQL of documents and their uploads in one subgraph's schema (tables of its migration
 * `1732320000000`): `document_upload`, `document` and, for the PostgreSQL storage,
 * `document_chunk`. The owner is a client (client subgraph) or a transfer (transfer subgraph).
 */
import type { DataSource, EntityManager } from "typeorm";
import { isUuid } from "../ids";
import { DocumentStatus, DocumentUploadStatus } from "./rules";

export interface DocumentRow {
  id: string;
  ownerId: string;
  category: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** The token subject that completed the upload. */
  uploadedBy: string;
  uploadedAt: Date;
  status: DocumentStatus;
  deletedBy: string | null;
  deletedAt: Date | null;
  deletionReason: string | null;
}

export interface UploadRow {
  id: string;
  ownerId: string;
  category: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  /** `callerKey` of the caller that created it: only it may send the bytes and complete it. */
  createdBy: string;
  status: DocumentUploadStatus;
  expiresAt: Date;
}

/** How long an upload that never finished is kept after its URL expired (a slow body may still be arriving). */
const ABANDONED_AFTER = "1 hour";

const DOCUMENT_COLUMNS = `id, owner_id AS "ownerId", category, file_name AS "fileName",
  content_type AS "contentType", size::int AS size, sha256, uploaded_by AS "uploadedBy",
  uploaded_at AS "uploadedAt", status, deleted_by AS "deletedBy", deleted_at AS "deletedAt",
  deletion_reason AS "deletionReason"`;
const UPLOAD_COLUMNS = `id, owner_id AS "ownerId", category, file_name AS "fileName",
  content_type AS "contentType", size::int AS size, sha256, created_by AS "createdBy", status,
  expires_at AS "expiresAt"`;

export class DocumentRepository {
  private readonly documents: string;
  private readonly uploads: string;

  constructor(
    private readonly db: DataSource,
    schema: string,
  ) {
    this.documents = `"${schema}".document`;
    this.uploads = `"${schema}".document_upload`;
  }

  async insertUpload(upload: Omit<UploadRow, "id" | "status">, requestId: string): Promise<UploadRow> {
    const [row] = await this.db.query(
      `INSERT INTO ${this.uploads}
         (owner_id, category, file_name, content_type, size, sha256, created_by, expires_at, request_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${UPLOAD_COLUMNS}`,
      [
        upload.ownerId,
        upload.category,
        upload.fileName,
        upload.contentType,
        upload.size,
        upload.sha256,
        upload.createdBy,
        upload.expiresAt,
        requestId,
      ],
    );
    return row as UploadRow;
  }

  async uploadById(id: string): Promise<UploadRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [row] = await this.db.query(`SELECT ${UPLOAD_COLUMNS} FROM ${this.uploads} WHERE id = $1`, [id]);
    return row as UploadRow | undefined;
  }

  /** Moves an upload `from` -> `to` if it is still in `from`: the one that wins; undefined otherwise. */
  async moveUpload(
    id: string,
    from: DocumentUploadStatus[],
    to: DocumentUploadStatus,
    failure: string | null = null,
  ): Promise<UploadRow | undefined> {
    if (!isUuid(id)) return undefined;
    const [rows] = await this.db.query(
      `UPDATE ${this.uploads} SET status = $3, failure = coalesce($4, failure), changed_at = now()
        WHERE id = $1 AND status = ANY($2) RETURNING ${UPLOAD_COLUMNS}`,
      [id, from, to, failure],
    );
    return (rows as UploadRow[])[0];
  }

  /**
   * In one transaction: locks the uploads, lets `check` refuse, then makes each a document
   * (same id) and marks it COMPLETED. All or none.
   */
  completeUploads(
    ids: string[],
    uploadedBy: string,
    requestId: string,
    check: (uploads: UploadRow[]) => void,
  ): Promise<DocumentRow[]> {
    return this.db.transaction(async (tx: EntityManager) => {
      const uploads: UploadRow[] = await tx.query(
        `SELECT ${UPLOAD_COLUMNS} FROM ${this.uploads} WHERE id = ANY($1) ORDER BY id FOR UPDATE`,
        [ids.filter(isUuid)],
      );
      check(uploads);
      await tx.query(`UPDATE ${this.uploads} SET status = $2, changed_at = now() WHERE id = ANY($1)`, [
        ids,
        DocumentUploadStatus.COMPLETED,
      ]);
      const rows: DocumentRow[] = await tx.query(
        `INSERT INTO ${this.documents}
           (id, owner_id, category, file_name, content_type, size, sha256, uploaded_by, request_id)
         SELECT id, owner_id, category, file_name, content_type, size, sha256, $2, $3
           FROM ${this.uploads} WHERE id = ANY($1)
         RETURNING ${DOCUMENT_COLUMNS}`,
        [ids, uploadedBy, requestId],
      );
      return ids.map((id) => rows.find((row) => row.id === id)!);
    });
  }

  async documentsByIds(ids: readonly string[]): Promise<DocumentRow[]> {
    return this.db.query(`SELECT ${DOCUMENT_COLUMNS} FROM ${this.documents} WHERE id = ANY($1)`, [
      ids.filter(isUuid),
    ]);
  }

  /** Every document of these owners, oldest first. */
  async documentsOfOwners(ownerIds: readonly string[]): Promise<DocumentRow[]> {
    return this.db.query(
      `SELECT ${DOCUMENT_COLUMNS} FROM ${this.documents} WHERE owner_id = ANY($1) ORDER BY uploaded_at, id`,
      [ownerIds.filter(isUuid)],
    );
  }

  async countActive(ownerId: string): Promise<number> {
    if (!isUuid(ownerId)) return 0;
    const [row] = await this.db.query(
      `SELECT count(*)::int AS n FROM ${this.documents} WHERE owner_id = $1 AND status = $2`,
      [ownerId, DocumentStatus.ACTIVE],
    );
    return (row as { n: number }).n;
  }

  /**
   * ACTIVE -> DELETED with who, when and why; undefined when it was not ACTIVE. `guard` runs
   * first in the same transaction (the owner's lock and check, see DocumentOwner.guardDelete).
   */
  async markDeleted(
    id: string,
    deletedBy: string,
    reason: string,
    guard?: (tx: EntityManager) => Promise<void>,
  ): Promise<DocumentRow | undefined> {
    if (!isUuid(id)) return undefined;
    return this.db.transaction(async (tx: EntityManager) => {
      await guard?.(tx);
      const [rows] = await tx.query(
        `UPDATE ${this.documents} SET status = $2, deleted_by = $3, deleted_at = now(), deletion_reason = $4
          WHERE id = $1 AND status = $5 RETURNING ${DOCUMENT_COLUMNS}`,
        [id, DocumentStatus.DELETED, deletedBy, reason, DocumentStatus.ACTIVE],
      );
      return (rows as DocumentRow[])[0];
    });
  }

  /** Uploads abandoned before completion (a crashed service, a caller that went away): marked FAILED. */
  async failAbandonedUploads(): Promise<string[]> {
    const [rows] = await this.db.query(
      `UPDATE ${this.uploads} SET status = $1, failure = 'ABANDONED', changed_at = now()
        WHERE status = ANY($2) AND expires_at < now() - interval '${ABANDONED_AFTER}' RETURNING id`,
      [
        DocumentUploadStatus.FAILED,
        [DocumentUploadStatus.PENDING, DocumentUploadStatus.RECEIVING, DocumentUploadStatus.RECEIVED],
      ],
    );
    return (rows as Array<{ id: string }>).map((row) => row.id);
  }

  /** Deleted documents whose bytes are past retention and still stored. */
  async bytesPastRetention(retentionDays: number): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.db.query(
      `SELECT id FROM ${this.documents} WHERE status = $1 AND bytes_removed_at IS NULL
          AND deleted_at <= now() - make_interval(days => $2)`,
      [DocumentStatus.DELETED, retentionDays],
    );
    return rows.map((row) => row.id);
  }

  async markBytesRemoved(id: string): Promise<void> {
    await this.db.query(`UPDATE ${this.documents} SET bytes_removed_at = now() WHERE id = $1`, [id]);
  }
}
