/**
 * JWT bearer tokens. The gateway and every subgraph verify them with the same
 * {@link TokenVerifier}, so reaching a subgraph directly grants nothing.
 *
 * Claims: `sub` (who), `kind` (`system` | `client`), `clientId` (for `client`),
 * plus `iss`, `aud`, `exp`.
 *
 * A token is verified once per process: its caller is kept until the token expires (at most
 * {@link CACHED_TOKENS} tokens, the oldest forgotten first), since a caller sends the same token
 * with every request and its signature cannot change. Refusals are not kept. See
 * docs/decisions/0031-cost-per-request-at-the-gateway.md.
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import type { AuthConfig } from "../config";
import { AppError } from "../errors";
import { isUuid } from "../ids";
import type { Caller } from "./caller";

/** How many verified tokens one process keeps (a few hundred bytes each). */
export const CACHED_TOKENS = 10_000;

export class TokenVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;
  /** Token -> its caller and expiry (ms); in insertion order, so the first is the oldest. */
  private readonly verified = new Map<string, { caller: Caller; expiresAt: number }>();

  constructor(private readonly config: AuthConfig) {
    this.key = config.jwksUrl
      ? createRemoteJWKSet(new URL(config.jwksUrl))
      : // A KeyObject made once: jose would otherwise import the raw secret on every verify.
        createSecretKey(Buffer.from(config.jwtSecret, "utf8"));
  }

  /** Verifies an `Authorization` header value; throws UNAUTHENTICATED for anything but a valid token. */
  async callerFromHeader(header: string | undefined): Promise<Caller> {
    const token = bearerToken(header);
    if (!token)
      throw new AppError("UNAUTHENTICATED", "A bearer token is required (Authorization: Bearer <jwt>)");
    return this.verify(token);
  }

  /**
   * The caller of an `Authorization` header value whose token was verified before and has not
   * expired, without waiting; undefined otherwise ({@link callerFromHeader} then tells).
   */
  knownCaller(header: string | undefined): Caller | undefined {
    const token = bearerToken(header);
    return token === undefined ? undefined : this.known(token);
  }

  /** The token's caller; throws UNAUTHENTICATED for anything but a valid, unexpired token. */
  async verify(token: string): Promise<Caller> {
    const known = this.known(token);
    if (known) return known;
    const { caller, expiresAt } = await this.verifyOnce(token);
    // Shared by every request with this token: nobody may change it.
    Object.freeze(caller);
    if (this.verified.size >= CACHED_TOKENS) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, { caller, expiresAt });
    return caller;
  }

  /** The caller of a token verified before, unless it has expired since (then it is forgotten). */
  private known(token: string): Caller | undefined {
    const known = this.verified.get(token);
    if (!known) return undefined;
    if (Date.now() < known.expiresAt) return known.caller;
    this.verified.delete(token);
    return undefined;
  }

  private async verifyOnce(token: string): Promise<{ caller: Caller; expiresAt: number }> {
    let payload: Record<string, unknown>;
    try {
      // A token must expire and name its subject; only the algorithms of the configured key type pass.
      const checks = {
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ["exp", "sub"],
      };
      const verified = await (typeof this.key === "function"
        ? jwtVerify(token, this.key, { ...checks, algorithms: ["RS256", "ES256"] })
        : jwtVerify(token, this.key, { ...checks, algorithms: ["HS256"] }));
      payload = verified.payload;
    } catch {
      // The reason (expired, bad signature...) is not echoed: it helps an attacker more than a caller.
      throw new AppError("UNAUTHENTICATED", "The bearer token is invalid or expired");
    }
    // `exp` is required above and jose has checked it is a number in the future.
    const expiresAt = (payload.exp as number) * 1000;
    const subject = typeof payload.sub === "string" ? payload.sub : "";
    if (payload.kind === "system" && subject) return { caller: { kind: "system", subject }, expiresAt };
    if (payload.kind === "client" && subject && isUuid(payload.clientId)) {
      return { caller: { kind: "client", subject, clientId: payload.clientId.toLowerCase() }, expiresAt };
    }
    throw new AppError(
      "UNAUTHENTICATED",
      "The bearer token does not name a caller kind (system, or client with clientId)",
    );
  }
}

/** Mints an HS256 token for development and tests. Production tokens come from the identity provider. */
export async function mintToken(config: AuthConfig, caller: Caller, expiresIn = "12h"): Promise<string> {
  const claims =
    caller.kind === "client" ? { kind: caller.kind, clientId: caller.clientId } : { kind: caller.kind };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(caller.subject)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(config.jwtSecret));
}

/** The token of a `Bearer <token>` value (an Authorization header), or undefined. */
export function bearerToken(value: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(value ?? "")?.[1];
}
