/**
 * Client documents through the gateway (real HTTP, real PostgreSQL): the staged upload, list,
 * signed download, deletion, for system and front-office callers; another client's documents and
 * URLs are FORBIDDEN; a failed upload of any kind leaves nothing behind.
 */
import { UrlSigner } from "../../common/documents/signed-url";
import {
  COMPLETE_UPLOAD,
  createUpload,
  DELETE_DOCUMENT,
  eventually,
  interruptedPut,
  leftovers,
  pdfBytes,
  pngBytes,
  programBytes,
  READ_DOCUMENT,
  send,
  sha256,
  tryCreateUpload,
  uploadDocument,
} from "../helpers/documents";
import { captureLogs } from "../helpers/ops";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { sql } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ DOCUMENTS_MAX_BYTES: "200000" });
});
afterAll(() => stack.stop());

const LIST = `query($id: ID!, $all: Boolean!) { client(id: $id) { documents(includeDeleted: $all) { id status fileName } } }`;

describe("client documents", () => {
  it("When a system caller uploads, lists, downloads and deletes, then the bytes and headers come back identical and the record stays", async () => {
    const clientId = await importClient(stack);
    const bytes = pdfBytes(150_000);
    const document = await uploadDocument(stack, {
      owner: "client",
      ownerId: clientId,
      bytes,
      fileName: "../../etc/Pässe   2024.pdf",
    });
    expect(document).toMatchObject({
      clientId,
      category: "IDENTITY",
      fileName: "Pässe 2024.pdf",
      contentType: "application/pdf",
      size: bytes.length,
      sha256: sha256(bytes),
      uploadedBy: "test-system",
      status: "ACTIVE",
      deletedAt: null,
    });
    const listed = await stack.graphql(LIST, { id: clientId, all: false });
    expect(listed.data!.client.documents).toEqual([
      { id: document.id, status: "ACTIVE", fileName: "Pässe 2024.pdf" },
    ]);

    const download = await send(stack, "GET", document.downloadUrl, stack.systemToken);
    expect(download.status).toBe(200);
    expect(download.body.equals(bytes)).toBe(true);
    expect(download.headers.get("content-type")).toBe("application/pdf");
    expect(download.headers.get("content-length")).toBe(String(bytes.length));
    expect(download.headers.get("content-disposition")).toBe(
      `attachment; filename="P_sse 2024.pdf"; filename*=UTF-8''P%C3%A4sse%202024.pdf`,
    );
    expect(download.headers.get("x-content-type-options")).toBe("nosniff");

    const deleted = await stack.graphql(DELETE_DOCUMENT("client"), {
      id: document.id,
      reason: "expired passport",
    });
    expect(deleted.data!.deleteClientDocument).toMatchObject({
      status: "DELETED",
      deletedBy: "test-system",
      deletionReason: "expired passport",
      downloadUrl: null,
    });
    expect((await stack.graphql(LIST, { id: clientId, all: false })).data!.client.documents).toEqual([]);
    expect((await stack.graphql(LIST, { id: clientId, all: true })).data!.client.documents).toHaveLength(1);
    const after = await send(stack, "GET", document.downloadUrl, stack.systemToken);
    expect([after.status, after.json().code]).toEqual([404, "DOCUMENT_NOT_FOUND"]);
    // Kept for the retention (30 days by default), then removed; the record is never deleted.
    expect((await leftovers(stack, "client", document.id)).chunks).toBeGreaterThan(0);
    await expect(sql(stack, `DELETE FROM client.document WHERE id = $1`, [document.id])).rejects.toThrow(
      "never deleted",
    );
  });

  it("When a front-office caller uses its own client's documents, then it may upload, list and download but never delete", async () => {
    const clientId = await importClient(stack);
    const token = await stack.clientToken(clientId);
    const bytes = pngBytes(20_000);
    const document = await uploadDocument(stack, {
      owner: "client",
      ownerId: clientId,
      token,
      bytes,
      contentType: "image/png",
      fileName: "utility-bill.png",
      category: "PROOF_OF_ADDRESS",
    });
    expect(document).toMatchObject({ uploadedBy: `user-${clientId}`, category: "PROOF_OF_ADDRESS" });
    const listed = await stack.graphql(LIST, { id: clientId, all: false }, { token });
    expect(listed.data!.client.documents.map((d: any) => d.id)).toEqual([document.id]);
    const download = await send(stack, "GET", document.downloadUrl, token);
    expect(download.body.equals(bytes)).toBe(true);
    const refused = await stack.graphql(
      DELETE_DOCUMENT("client"),
      { id: document.id, reason: "mine" },
      { token },
    );
    expect(refused.errors![0].extensions!.code).toBe("FORBIDDEN");
  });

  it("When another client's caller tries any step, including the signed URLs, then it is FORBIDDEN", async () => {
    const a = await importClient(stack);
    const b = await importClient(stack);
    const [tokenA, tokenB] = [await stack.clientToken(a), await stack.clientToken(b)];
    const document = await uploadDocument(stack, { owner: "client", ownerId: a, token: tokenA });

    const create = await tryCreateUpload(stack, { owner: "client", ownerId: a, token: tokenB });
    expect(create.errors![0].extensions!.code).toBe("FORBIDDEN");
    const read = await stack.graphql(READ_DOCUMENT("client"), { id: document.id }, { token: tokenB });
    expect(read.errors![0].extensions!.code).toBe("FORBIDDEN");
    const list = await stack.graphql(LIST, { id: a, all: false }, { token: tokenB });
    expect(list.errors![0].extensions!.code).toBe("FORBIDDEN");
    // A's download URL, with B's token (or none).
    const download = await send(stack, "GET", document.downloadUrl, tokenB);
    expect([download.status, download.json().code]).toEqual([403, "FORBIDDEN"]);
    expect((await send(stack, "GET", document.downloadUrl, null)).status).toBe(401);
    // A's upload URL, with B's token; then A's completion by B.
    const bytes = pdfBytes(5_000);
    const upload = await createUpload(stack, { owner: "client", ownerId: a, token: tokenA, bytes });
    const put = await send(stack, "PUT", upload.uploadUrl, tokenB, bytes);
    expect([put.status, put.json().code]).toEqual([403, "FORBIDDEN"]);
    expect((await send(stack, "PUT", upload.uploadUrl, tokenA, bytes)).status).toBe(200);
    const complete = await stack.graphql(COMPLETE_UPLOAD("client"), { id: upload.id }, { token: tokenB });
    expect(complete.errors![0].extensions!.code).toBe("FORBIDDEN");
  });

  it("When a signed URL has expired, is forged, or an upload URL is used twice, then it does not work", async () => {
    const clientId = await importClient(stack);
    const bytes = pdfBytes(5_000);
    const upload = await createUpload(stack, { owner: "client", ownerId: clientId, bytes });
    const expired = new UrlSigner(stack.config.documents.urlSecret, -10, "client").mint("upload", upload.id, {
      kind: "system",
      subject: "test-system",
    });
    const late = await send(stack, "PUT", expired.url, stack.systemToken, bytes);
    expect([late.status, late.json().code]).toEqual([410, "DOCUMENT_URL_EXPIRED"]);
    const forged = await send(
      stack,
      "PUT",
      // Its first character changed (to another one: a signature may start with any).
      upload.uploadUrl.replace(
        /signature=(.)/,
        (_all: string, first: string) => `signature=${first === "x" ? "y" : "x"}`,
      ),
      stack.systemToken,
      bytes,
    );
    expect(forged.status).toBe(403);
    expect((await send(stack, "PUT", upload.uploadUrl, stack.systemToken, bytes)).status).toBe(200);
    const twice = await send(stack, "PUT", upload.uploadUrl, stack.systemToken, bytes);
    expect([twice.status, twice.json().code, twice.json().currentStatus]).toEqual([
      409,
      "DOCUMENT_UPLOAD_INVALID_STATE",
      "RECEIVED",
    ]);
    const document = await stack.graphql(COMPLETE_UPLOAD("client"), { id: upload.id });
    const downloadExpired = new UrlSigner(stack.config.documents.urlSecret, -10, "client").mint(
      "download",
      document.data!.completeClientDocumentUpload.id,
      { kind: "system", subject: "test-system" },
    );
    expect((await send(stack, "GET", downloadExpired.url, stack.systemToken)).status).toBe(410);
  });

  it("When the checksum is wrong, the body too large, the type disguised or the upload cut off, then nothing is left behind", async () => {
    const clientId = await importClient(stack);
    const bytes = pdfBytes(50_000);
    const failures: Array<[string, Buffer, Record<string, any>, number, string]> = [
      [
        "wrong checksum",
        bytes,
        { declare: { sha256: sha256(pdfBytes(50_000, 2)) } },
        400,
        "DOCUMENT_CHECKSUM_MISMATCH",
      ],
      ["longer than declared", bytes, { declare: { size: 40_000 } }, 413, "DOCUMENT_TOO_LARGE"],
      ["shorter than declared", bytes, { declare: { size: 60_000 } }, 400, "DOCUMENT_SIZE_MISMATCH"],
      [
        "a program named .pdf",
        programBytes(50_000),
        { fileName: "invoice.pdf" },
        415,
        "DOCUMENT_TYPE_NOT_ALLOWED",
      ],
    ];
    for (const [, body, options, status, code] of failures) {
      const upload = await createUpload(stack, {
        owner: "client",
        ownerId: clientId,
        bytes: body,
        ...options,
      });
      const put = await send(stack, "PUT", upload.uploadUrl, stack.systemToken, body);
      expect([put.status, put.json().code]).toEqual([status, code]);
      expect(await leftovers(stack, "client", upload.id)).toEqual({
        status: "FAILED",
        failure: code,
        chunks: 0,
        documents: 0,
      });
      const complete = await stack.graphql(COMPLETE_UPLOAD("client"), { id: upload.id });
      expect(complete.errors![0].extensions!.code).toBe("DOCUMENT_UPLOAD_INVALID_STATE");
    }
    const tooLarge = await tryCreateUpload(stack, {
      owner: "client",
      ownerId: clientId,
      declare: { size: 200_001 },
    });
    expect(tooLarge.errors![0].extensions).toMatchObject({ code: "DOCUMENT_TOO_LARGE", max: 200_000 });
    const wrongType = await tryCreateUpload(stack, {
      owner: "client",
      ownerId: clientId,
      contentType: "text/html",
    });
    expect(wrongType.errors![0].extensions!.code).toBe("DOCUMENT_TYPE_NOT_ALLOWED");

    const big = pdfBytes(180_000);
    const upload = await createUpload(stack, { owner: "client", ownerId: clientId, bytes: big });
    await interruptedPut(stack, upload.uploadUrl, stack.systemToken, big, 100_000);
    const left = await eventually(
      () => leftovers(stack, "client", upload.id),
      (l) => l.status === "FAILED",
    );
    expect(left).toMatchObject({ status: "FAILED", chunks: 0, documents: 0 });
    expect((await stack.graphql(LIST, { id: clientId, all: true })).data!.client.documents).toEqual([]);
  });

  it("When a document is uploaded, downloaded and deleted, then each is logged with the request id and the caller, never the file name", async () => {
    const clientId = await importClient(stack);
    const logs = captureLogs();
    try {
      const document = await uploadDocument(stack, {
        owner: "client",
        ownerId: clientId,
        fileName: "Ann_Lee_passport.pdf",
      });
      await send(stack, "GET", document.downloadUrl, stack.systemToken);
      await stack.graphql(DELETE_DOCUMENT("client"), { id: document.id, reason: "test" });
      for (const msg of [
        "document bytes received",
        "document uploaded",
        "document downloaded",
        "document deleted",
      ]) {
        const line = logs.lines.find((l) => l.msg === msg);
        expect(line).toMatchObject({
          requestId: expect.any(String),
          caller: { kind: "system", subject: "test-system" },
        });
      }
      expect(logs.lines.find((l) => l.msg === "document downloaded")).toMatchObject({
        documentId: document.id,
        ownerId: clientId,
      });
      expect(logs.raw.join("")).not.toContain("Ann_Lee");
    } finally {
      logs.stop();
    }
  });
});
