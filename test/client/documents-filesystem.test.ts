/**
 * The filesystem storage (DOCUMENTS_STORAGE=filesystem) through the gateway: a document's bytes
 * are one file under DOCUMENTS_DIR/client, a failed upload leaves no file (not even a part), and
 * with DOCUMENTS_RETENTION_DAYS=0 a deletion removes the bytes at once while the record stays.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  createUpload,
  DELETE_DOCUMENT,
  leftovers,
  pdfBytes,
  send,
  sha256,
  uploadDocument,
} from "../helpers/documents";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { sql } from "../helpers/transfers";

const directory = fs.mkdtempSync(path.join(os.tmpdir(), "documents-test-"));
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({
    DOCUMENTS_STORAGE: "filesystem",
    DOCUMENTS_DIR: directory,
    DOCUMENTS_RETENTION_DAYS: "0",
  });
});
afterAll(async () => {
  await stack.stop();
  fs.rmSync(directory, { recursive: true, force: true });
});

const stored = () => fs.readdirSync(path.join(directory, "client")).sort();

describe("filesystem document storage", () => {
  it("When a document is uploaded, downloaded and deleted, then its file appears, streams back and goes; failures leave no file", async () => {
    const clientId = await importClient(stack);
    const bytes = pdfBytes(700_000);
    const document = await uploadDocument(stack, { owner: "client", ownerId: clientId, bytes });
    expect(stored()).toEqual([document.id]);
    expect(fs.readFileSync(path.join(directory, "client", document.id)).equals(bytes)).toBe(true);
    const download = await send(stack, "GET", document.downloadUrl, stack.systemToken);
    expect(download.body.equals(bytes)).toBe(true);

    const upload = await createUpload(stack, {
      owner: "client",
      ownerId: clientId,
      bytes,
      declare: { sha256: sha256(pdfBytes(700_000, 9)) },
    });
    const put = await send(stack, "PUT", upload.uploadUrl, stack.systemToken, bytes);
    expect(put.json().code).toBe("DOCUMENT_CHECKSUM_MISMATCH");
    expect(stored()).toEqual([document.id]);
    expect((await leftovers(stack, "client", upload.id)).status).toBe("FAILED");

    const deleted = await stack.graphql(DELETE_DOCUMENT("client"), {
      id: document.id,
      reason: "retention test",
    });
    expect(deleted.data!.deleteClientDocument.status).toBe("DELETED");
    expect(stored()).toEqual([]);
    const [row] = await sql(stack, `SELECT bytes_removed_at, deleted_by FROM client.document WHERE id = $1`, [
      document.id,
    ]);
    expect(row.bytes_removed_at).not.toBeNull();
    expect(row.deleted_by).toBe("test-system");
  });
});
