/**
 * The checks a document's bytes pass on their way to storage, as they stream (decision 0034):
 * never longer than declared, their signature (`file-type`, not the name or the declared type)
 * an accepted type equal to the declared one, and at the end exactly the declared size and
 * SHA-256. A check that fails throws inside the stream, so the storage write removes what it
 * wrote: nothing half-written stays.
 */
import { createHash } from "node:crypto";
import { fromBuffer } from "file-type";
import { AppError } from "../errors";
import { assertSignatureMatches, type DeclaredFile, type DocumentLimits, tooLarge } from "./rules";

/** Bytes `file-type` needs to recognise every type it knows. */
const SNIFF_BYTES = 4_100;

/** What arrived, once the stream has ended and every check held. */
export interface ReceivedFile {
  size: number;
  sha256: string;
  detectedType: string;
}

/**
 * `source` passed through the checks; `received` is filled in when it ends. The first
 * {@link SNIFF_BYTES} are held back until their type is known.
 */
export async function* inspected(
  source: AsyncIterable<Buffer | string>,
  declared: DeclaredFile,
  limits: DocumentLimits,
  received: Partial<ReceivedFile>,
): AsyncGenerator<Buffer> {
  const hash = createHash("sha256");
  let size = 0;
  let head: Buffer[] | undefined = [];
  for await (const piece of source) {
    const chunk = typeof piece === "string" ? Buffer.from(piece) : piece;
    size += chunk.length;
    if (size > declared.size) throw tooLarge(declared.size);
    hash.update(chunk);
    if (!head) {
      yield chunk;
      continue;
    }
    head.push(chunk);
    if (size >= SNIFF_BYTES) {
      yield await sniffed(head, declared, limits, received);
      head = undefined;
    }
  }
  if (head) yield await sniffed(head, declared, limits, received);
  if (size !== declared.size) {
    throw new AppError(
      "DOCUMENT_SIZE_MISMATCH",
      `The body has ${size} bytes; the upload declared ${declared.size}`,
      { field: "size", actual: size },
    );
  }
  const sha256 = hash.digest("hex");
  if (sha256 !== declared.sha256.toLowerCase()) {
    throw new AppError(
      "DOCUMENT_CHECKSUM_MISMATCH",
      "The body's SHA-256 is not the one the upload declared",
      {
        field: "sha256",
      },
    );
  }
  Object.assign(received, { size, sha256 });
}

/** The held-back head, once its signature is known to be an accepted type equal to the declared one. */
async function sniffed(
  head: Buffer[],
  declared: DeclaredFile,
  limits: DocumentLimits,
  received: Partial<ReceivedFile>,
): Promise<Buffer> {
  const bytes = Buffer.concat(head);
  const detected = (await fromBuffer(bytes))?.mime;
  assertSignatureMatches(declared.contentType, detected, limits);
  received.detectedType = detected;
  return bytes;
}
