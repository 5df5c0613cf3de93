/** Document test helpers: sample files by signature, the staged upload through the gateway, raw PUTs and GETs. */
import { createHash } from "node:crypto";
import http from "node:http";
import type { Stack } from "./stack";
import { sql } from "./transfers";

/** `size` bytes that file-type reads as a PDF. */
export function pdfBytes(size = 10_000, seed = 1): Buffer {
  const bytes = Buffer.alloc(size, 0x20 + (seed % 90));
  Buffer.from("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "latin1").copy(bytes);
  return bytes;
}

/** A PNG signature and padding. */
export function pngBytes(size = 5_000): Buffer {
  const bytes = Buffer.alloc(size, 7);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes);
  return bytes;
}

/** A Windows program (PE, `MZ`): what a disguised `.pdf` really is. */
export function programBytes(size = 5_000): Buffer {
  const bytes = Buffer.alloc(size, 0);
  Buffer.from("MZ\x90\x00\x03\x00\x00\x00", "latin1").copy(bytes);
  return bytes;
}

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export type Owner = "client" | "transfer";

const UPLOAD_FIELDS = "id status uploadUrl expiresAt fileName contentType size sha256 category";
export const DOCUMENT_FIELDS =
  "id fileName contentType size sha256 uploadedBy uploadedAt status deletedBy deletedAt deletionReason category downloadUrl";

const NAMES = {
  client: { Type: "Client", owner: "clientId" },
  transfer: { Type: "Transfer", owner: "transferId" },
};

export const CREATE_UPLOAD = (owner: Owner) =>
  `mutation($input: Create${NAMES[owner].Type}DocumentUploadInput!) { create${NAMES[owner].Type}DocumentUpload(input: $input) { ${UPLOAD_FIELDS} ${NAMES[owner].owner} } }`;
export const COMPLETE_UPLOAD = (owner: Owner) =>
  `mutation($id: ID!) { complete${NAMES[owner].Type}DocumentUpload(uploadId: $id) { ${DOCUMENT_FIELDS} ${NAMES[owner].owner} } }`;
export const DELETE_DOCUMENT = (owner: Owner) =>
  `mutation($id: ID!, $reason: String!) { delete${NAMES[owner].Type}Document(id: $id, reason: $reason) { ${DOCUMENT_FIELDS} } }`;
export const READ_DOCUMENT = (owner: Owner) =>
  `query($id: ID!) { ${owner}Document(id: $id) { ${DOCUMENT_FIELDS} ${NAMES[owner].owner} } }`;

export interface UploadOptions {
  owner: Owner;
  ownerId: string;
  token?: string;
  bytes?: Buffer;
  fileName?: string;
  contentType?: string;
  category?: string;
  /** Declared values, when they should differ from the bytes'. */
  declare?: { size?: number; sha256?: string };
}

/** Creates an upload (GraphQL through the gateway); throws when refused. */
export async function createUpload(stack: Stack, options: UploadOptions): Promise<Record<string, any>> {
  const result = await tryCreateUpload(stack, options);
  if (result.errors) throw new Error(`create upload failed: ${JSON.stringify(result.errors)}`);
  return result.data![`create${NAMES[options.owner].Type}DocumentUpload`];
}

export function tryCreateUpload(stack: Stack, options: UploadOptions) {
  const bytes = options.bytes ?? pdfBytes();
  return stack.graphql(
    CREATE_UPLOAD(options.owner),
    {
      input: {
        [NAMES[options.owner].owner]: options.ownerId,
        category: options.category ?? (options.owner === "client" ? "IDENTITY" : "INVOICE"),
        fileName: options.fileName ?? "passport.pdf",
        contentType: options.contentType ?? "application/pdf",
        size: options.declare?.size ?? bytes.length,
        sha256: options.declare?.sha256 ?? sha256(bytes),
      },
    },
    { token: options.token ?? stack.systemToken },
  );
}

export interface RawAnswer {
  status: number;
  headers: Headers;
  body: Buffer;
  json(): any;
}

/** A request at the gateway's origin (a signed URL), the caller's token, a raw body. */
export async function send(
  stack: Stack,
  method: string,
  url: string,
  token: string | null,
  body?: Buffer,
): Promise<RawAnswer> {
  const response = await fetch(`${stack.gateway.baseUrl}${url}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      "content-type": "application/octet-stream",
    },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    body: bytes,
    json: () => JSON.parse(bytes.toString("utf8")),
  };
}

/** Create, PUT, complete: the stored document. */
export async function uploadDocument(stack: Stack, options: UploadOptions): Promise<Record<string, any>> {
  const bytes = options.bytes ?? pdfBytes();
  const token = options.token ?? stack.systemToken;
  const upload = await createUpload(stack, { ...options, bytes, token });
  const put = await send(stack, "PUT", upload.uploadUrl, token, bytes);
  if (put.status !== 200) throw new Error(`PUT failed: ${put.status} ${put.body.toString()}`);
  const completed = await stack.graphql(COMPLETE_UPLOAD(options.owner), { id: upload.id }, { token });
  if (completed.errors) throw new Error(`complete failed: ${JSON.stringify(completed.errors)}`);
  return completed.data![`complete${NAMES[options.owner].Type}DocumentUpload`];
}

/** Sends the headers and `sent` bytes of a body announced as `total` bytes, then cuts the connection. */
export function interruptedPut(
  stack: Stack,
  url: string,
  token: string,
  bytes: Buffer,
  sent: number,
): Promise<void> {
  return new Promise((resolve) => {
    const request = http.request(`${stack.gateway.baseUrl}${url}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-length": String(bytes.length) },
    });
    request.on("error", () => resolve());
    request.write(bytes.subarray(0, sent), () => setTimeout(() => request.destroy(), 100));
    request.on("close", () => resolve());
  });
}

/** What a failed or abandoned upload left: its status and its stored chunks (none is right). */
export async function leftovers(stack: Stack, schema: Owner, uploadId: string) {
  const [upload] = await sql(stack, `SELECT status, failure FROM ${schema}.document_upload WHERE id = $1`, [
    uploadId,
  ]);
  const [chunks] = await sql(
    stack,
    `SELECT count(*)::int AS n FROM ${schema}.document_chunk WHERE blob_id = $1`,
    [uploadId],
  );
  const [documents] = await sql(stack, `SELECT count(*)::int AS n FROM ${schema}.document WHERE id = $1`, [
    uploadId,
  ]);
  return { status: upload?.status, failure: upload?.failure, chunks: chunks.n, documents: documents.n };
}

/** Waits until `check` holds (the subgraph notices a cut connection a moment later). */
export async function eventually<T>(
  read: () => Promise<T>,
  check: (value: T) => boolean,
  ms = 5_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
