import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * Documents of clients (KYC files) (decision 0034): staged uploads, the documents they become, and the
 * bytes of the PostgreSQL storage in 256 KiB chunks. A document row is never deleted nor
 * rewritten; only its deletion (who, when, why) and the removal of its bytes are recorded.
 */
export class ClientDocuments1732320000000 implements MigrationInterface {
  name = "ClientDocuments1732320000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE client.document_upload (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_id uuid NOT NULL REFERENCES client.client (id),
        category text NOT NULL,
        file_name text NOT NULL,
        content_type text NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        sha256 char(64) NOT NULL,
        created_by text NOT NULL,
        status text NOT NULL DEFAULT 'PENDING'
          CHECK (status IN ('PENDING', 'RECEIVING', 'RECEIVED', 'COMPLETED', 'FAILED', 'CANCELLED')),
        failure text,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        changed_at timestamptz NOT NULL DEFAULT now(),
        request_id text
      )`);
    await db.query(`
      CREATE INDEX document_upload_open ON client.document_upload (expires_at)
        WHERE status IN ('PENDING', 'RECEIVING', 'RECEIVED')`);
    await db.query(`
      CREATE TABLE client.document (
        id uuid PRIMARY KEY REFERENCES client.document_upload (id),
        owner_id uuid NOT NULL REFERENCES client.client (id),
        category text NOT NULL,
        file_name text NOT NULL,
        content_type text NOT NULL,
        size bigint NOT NULL CHECK (size > 0),
        sha256 char(64) NOT NULL,
        uploaded_by text NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        request_id text,
        status text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'DELETED')),
        deleted_by text,
        deleted_at timestamptz,
        deletion_reason text,
        bytes_removed_at timestamptz,
        CHECK ((status = 'DELETED') = (deleted_at IS NOT NULL AND deleted_by IS NOT NULL)),
        CHECK (bytes_removed_at IS NULL OR status = 'DELETED')
      )`);
    await db.query(`CREATE INDEX document_owner ON client.document (owner_id, uploaded_at)`);
    await db.query(`
      CREATE INDEX document_bytes_kept ON client.document (deleted_at)
        WHERE status = 'DELETED' AND bytes_removed_at IS NULL`);
    // The record an auditor reads: what was uploaded never changes, a deletion is final.
    await db.query(`
      CREATE FUNCTION client.document_guard() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' THEN
          RAISE EXCEPTION 'a document record is never deleted; mark it DELETED';
        END IF;
        IF (NEW.id, NEW.owner_id, NEW.category, NEW.file_name, NEW.content_type, NEW.size, NEW.sha256,
            NEW.uploaded_by, NEW.uploaded_at, NEW.request_id)
           IS DISTINCT FROM (OLD.id, OLD.owner_id, OLD.category, OLD.file_name, OLD.content_type, OLD.size,
            OLD.sha256, OLD.uploaded_by, OLD.uploaded_at, OLD.request_id)
           OR (OLD.status = 'DELETED' AND (NEW.status, NEW.deleted_by, NEW.deleted_at, NEW.deletion_reason)
               IS DISTINCT FROM (OLD.status, OLD.deleted_by, OLD.deleted_at, OLD.deletion_reason)) THEN
          RAISE EXCEPTION 'a document record changes only by its deletion and the removal of its bytes';
        END IF;
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
      END $$`);
    await db.query(`
      CREATE TRIGGER document_guard BEFORE UPDATE OR DELETE ON client.document
        FOR EACH ROW EXECUTE FUNCTION client.document_guard()`);
    await db.query(`
      CREATE TABLE client.document_chunk (
        blob_id uuid NOT NULL,
        seq integer NOT NULL CHECK (seq >= 0),
        data bytea NOT NULL,
        PRIMARY KEY (blob_id, seq)
      )`);
    // PDFs and images are compressed already: store chunks out of line without trying again.
    await db.query(`ALTER TABLE client.document_chunk ALTER COLUMN data SET STORAGE EXTERNAL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE client.document_chunk`);
    await db.query(`DROP TABLE client.document`);
    await db.query(`DROP FUNCTION client.document_guard()`);
    await db.query(`DROP TABLE client.document_upload`);
  }
}
