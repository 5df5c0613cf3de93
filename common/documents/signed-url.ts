/**
 * Signed, short-lived URLs of the document endpoints (decision 0034). A URL names the subgraph,
 * the purpose (upload or download) and the upload or document id; its signature (HMAC-SHA256
 * under `DOCUMENTS_URL_SECRET`) binds those, the caller it was minted for and its expiry. The
 * endpoint also wants the caller's bearer token, so a leaked URL grants nothing by itself.
 */
import { createHmac, timingSafeEqual } from "node:crypto";
import type { Caller } from "../auth/caller";
import { AppError } from "../errors";

export type UrlPurpose = "upload" | "download";

/** The path segment of each purpose: `/files/<service>/uploads/<id>`, `/files/<service>/documents/<id>`. */
const SEGMENT: Record<UrlPurpose, string> = { upload: "uploads", download: "documents" };

/** The gateway forwards `/files/<service>/...` to that subgraph (gateway/documents/proxy.ts). */
export const FILES_PREFIX = "/files";

/** The express path of an endpoint, `:id` marking the id. */
export function endpointPath(service: string, purpose: UrlPurpose): string {
  return `${FILES_PREFIX}/${service}/${SEGMENT[purpose]}/:id`;
}

/** Who a URL is for: kind, subject and, for a front-office caller, its client. */
export function callerKey(caller: Caller): string {
  return caller.kind === "client"
    ? `client:${caller.subject}:${caller.clientId}`
    : `system:${caller.subject}`;
}

export class UrlSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    /** The subgraph's name, the second segment of its URLs. */
    readonly service: string,
  ) {}

  /** When a URL minted now stops working (whole seconds). */
  expiry(now = Date.now()): Date {
    return new Date((Math.floor(now / 1000) + this.ttlSeconds) * 1000);
  }

  /** A URL relative to the gateway's origin, and when it stops working. */
  mint(
    purpose: UrlPurpose,
    id: string,
    caller: Caller,
    expiresAt = this.expiry(),
  ): { url: string; expiresAt: Date } {
    const expires = Math.floor(expiresAt.getTime() / 1000);
    const signature = this.sign(purpose, id, caller, expires);
    const path = endpointPath(this.service, purpose).replace(":id", id);
    return { url: `${path}?expires=${expires}&signature=${signature}`, expiresAt };
  }

  /**
   * Refuses a URL not minted for this caller, purpose and id (FORBIDDEN, the same answer for a
   * forged one, so nothing is told), or past its expiry (DOCUMENT_URL_EXPIRED).
   */
  verify(
    purpose: UrlPurpose,
    id: string,
    caller: Caller,
    query: Record<string, unknown>,
    now = Date.now(),
  ): void {
    const expires = Number(query.expires);
    const given = typeof query.signature === "string" ? Buffer.from(query.signature) : Buffer.alloc(0);
    const expected = Buffer.from(
      Number.isSafeInteger(expires) ? this.sign(purpose, id, caller, expires) : "",
    );
    if (given.length !== expected.length || expected.length === 0 || !timingSafeEqual(given, expected)) {
      throw new AppError("FORBIDDEN", "This URL was not issued for this caller and document");
    }
    if (expires * 1000 <= now) {
      throw new AppError("DOCUMENT_URL_EXPIRED", "This URL has expired; ask for a new one", {
        expiresAt: new Date(expires * 1000).toISOString(),
      });
    }
  }

  private sign(purpose: UrlPurpose, id: string, caller: Caller, expires: number): string {
    return createHmac("sha256", this.secret)
      .update([purpose, this.service, id, callerKey(caller), expires].join("\n"))
      .digest("base64url");
  }
}
