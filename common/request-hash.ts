/**
 * What an idempotency key is checked against: the same key with another hash is another
 * request (IDEMPOTENCY_KEY_REUSED). The request is hashed as JSON with sorted keys, so equal
 * requests hash equally whatever their key order; an array of plain values hashes as its
 * `JSON.stringify`, so hashes kept before this module existed still match.
 */
import { createHash } from "node:crypto";

export function requestHash(request: unknown): string {
  return createHash("sha256").update(canonicalJson(request)).digest("hex");
}

/** JSON with sorted keys (`undefined` as `null`), so equal values give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value ?? null);
}
