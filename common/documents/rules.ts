/**
 * The rules of documents, without I/O (decision 0034): their states, what a declared upload may
 * be, how a file name is made safe to store and to send back, and which errors say so.
 */
import { AppError } from "../errors";

/** A document's life: ACTIVE until deleted; a DELETED one keeps its record for the audit trail. */
export enum DocumentStatus {
  ACTIVE = "ACTIVE",
  DELETED = "DELETED",
}

/**
 * An upload's life: PENDING (URL minted) -> RECEIVING (its one PUT began) -> RECEIVED (bytes
 * checked and stored) -> COMPLETED (a document); FAILED (a check or the connection broke) or
 * CANCELLED on the way, with its bytes removed.
 */
export enum DocumentUploadStatus {
  PENDING = "PENDING",
  RECEIVING = "RECEIVING",
  RECEIVED = "RECEIVED",
  COMPLETED = "COMPLETED",
  FAILED = "FAILED",
  CANCELLED = "CANCELLED",
}

/** Limits from the configuration. */
export interface DocumentLimits {
  maxBytes: number;
  contentTypes: readonly string[];
}

/** What the caller declares when it creates an upload. */
export interface DeclaredFile {
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
}

/** Uploads one request may complete together (a bulk upload's files). */
export const MAX_UPLOADS_AT_ONCE = 20;

/** Longest stored file name, in characters (file systems take 255 bytes; UTF-8 may need 4 per character). */
export const MAX_FILE_NAME_LENGTH = 120;

/**
 * A file name safe to keep and to send back in `Content-Disposition`: the last path segment
 * only, Unicode NFC, no control, quote, path or reserved characters, spaces collapsed, no leading
 * dots (hidden files) and at most {@link MAX_FILE_NAME_LENGTH} characters, the extension kept.
 * Nothing left: `document`.
 */
export function sanitizeFileName(name: string): string {
  const base = name.normalize("NFC").split(/[/\\]/).pop() ?? "";
  const cleaned = base
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f<>:"|?*;\u2028\u2029\u200e\u200f\u202a-\u202e]/g, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^[.\s]+/, "")
    .replace(/[.\s]+$/, "");
  const chars = [...cleaned];
  if (chars.length <= MAX_FILE_NAME_LENGTH) return cleaned || "document";
  const dot = cleaned.lastIndexOf(".");
  const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : "";
  return chars.slice(0, MAX_FILE_NAME_LENGTH - [...extension].length).join("") + extension;
}

/** Refuses a declared upload the limits do not allow: too large, or of a type not on the list. */
export function assertDeclaredAllowed(file: DeclaredFile, limits: DocumentLimits): void {
  if (file.size > limits.maxBytes) throw tooLarge(limits.maxBytes, file.size);
  if (!limits.contentTypes.includes(file.contentType.toLowerCase())) {
    throw typeNotAllowed(`contentType "${file.contentType}" is not accepted`, limits);
  }
}

/**
 * Refuses bytes whose own signature (`detected`, from `file-type`; undefined when it names none)
 * is not the declared type, or not on the list.
 */
export function assertSignatureMatches(
  declared: string,
  detected: string | undefined,
  limits: DocumentLimits,
): void {
  if (
    detected === undefined ||
    detected !== declared.toLowerCase() ||
    !limits.contentTypes.includes(detected)
  ) {
    throw typeNotAllowed(
      `the bytes are ${detected ? `"${detected}"` : "of no recognised type"}, not the declared "${declared}"`,
      limits,
    );
  }
}

export function tooLarge(max: number, actual?: number): AppError {
  return new AppError(
    "DOCUMENT_TOO_LARGE",
    actual === undefined
      ? `The body is longer than the size declared for the upload (at most ${max} bytes)`
      : `The document is ${actual} bytes; at most ${max} are accepted`,
    { limit: "size", max, ...(actual === undefined ? {} : { actual }) },
  );
}

function typeNotAllowed(why: string, limits: DocumentLimits): AppError {
  return new AppError(
    "DOCUMENT_TYPE_NOT_ALLOWED",
    `Document refused: ${why}; accepted types: ${limits.contentTypes.join(", ")}`,
    { field: "contentType" },
  );
}

/**
 * `Content-Disposition` for a download: `attachment` (never rendered inline, so a stored file
 * cannot run as a page of ours), an ASCII fallback name and the exact name in RFC 5987 form.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\%]/g, "_");
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}
