/**
 * Reads a multipart/form-data body with busboy, each file streamed to a private temporary file
 * while its size and SHA-256 are counted (memory stays flat), so the staged upload can declare
 * them before the bytes are sent on. Text fields are kept; the caller removes `directory`.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import type { IncomingMessage } from "node:http";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";
import { AppError } from "../../common/errors";

export interface SpooledFile {
  /** Position in the body, from 0. */
  index: number;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  path: string;
}

export interface MultipartLimits {
  maxFiles: number;
  maxBytes: number;
}

export async function readMultipart(
  req: IncomingMessage,
  directory: string,
  limits: MultipartLimits,
): Promise<{ fields: Record<string, string>; files: SpooledFile[] }> {
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: req.headers,
      limits: { files: limits.maxFiles, fileSize: limits.maxBytes, fields: 20, fieldSize: 1_000 },
    });
  } catch {
    throw new AppError("UNSUPPORTED_MEDIA_TYPE", "The request body must be multipart/form-data");
  }
  const fields: Record<string, string> = {};
  const writes: Array<Promise<SpooledFile>> = [];
  let refusal: AppError | undefined;
  parser.on("field", (name, value) => (fields[name] = value));
  parser.on("filesLimit", () => {
    refusal ??= new AppError("VALIDATION_FAILED", `At most ${limits.maxFiles} files`, {
      fields: [{ field: "files", rule: "arrayMaxSize", message: `at most ${limits.maxFiles} files` }],
    });
  });
  parser.on("file", (_name, stream, info) => {
    const index = writes.length;
    const target = path.join(directory, String(index));
    const hash = createHash("sha256");
    let size = 0;
    const count = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        size += chunk.length;
        hash.update(chunk);
        done(null, chunk);
      },
    });
    stream.on("limit", () => {
      refusal ??= new AppError(
        "DOCUMENT_TOO_LARGE",
        `${info.filename}: larger than ${limits.maxBytes} bytes`,
        {
          limit: "size",
          max: limits.maxBytes,
        },
      );
    });
    writes.push(
      pipeline(stream, count, fs.createWriteStream(target, { mode: 0o600 })).then(() => ({
        index,
        fileName: info.filename ?? "document",
        contentType: info.mimeType,
        size,
        sha256: hash.digest("hex"),
        path: target,
      })),
    );
  });
  try {
    await pipeline(req, parser);
  } catch {
    // A body cut off mid-file: busboy destroys the open file stream, so its write rejects too;
    // wait for every write before refusing, or that rejection would go unhandled (fatal).
    await Promise.allSettled(writes);
    throw new AppError("BAD_REQUEST", "The multipart body could not be read");
  }
  const files = await Promise.all(writes);
  if (refusal) throw refusal;
  return { fields, files };
}
