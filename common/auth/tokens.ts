/**
 * JWT bearer tokens. The gateway and every subgraph verify them with the same
 * {@link TokenVerifier}, so reaching a subgraph directly grants nothing.
 *
 * Claims: `sub` (who), `kind` (`system` | `client`), `clientId` (for `client`),
 * plus `iss`, `aud`, `exp`.
 */
import { createSecretKey, type KeyObject } from "node:crypto";
import { createRemoteJWKSet, jwtVerify, SignJWT, type JWTVerifyGetKey } from "jose";
import type { AuthConfig } from "../config";
import { AppError } from "../errors";
import { isUuid } from "../ids";
import type { Caller } from "./caller";

export class TokenVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;

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

  async verify(token: string): Promise<Caller> {
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
    const subject = typeof payload.sub === "string" ? payload.sub : "";
    if (payload.kind === "system" && subject) return { kind: "system", subject };
    if (payload.kind === "client" && subject && isUuid(payload.clientId)) {
      return { kind: "client", subject, clientId: payload.clientId.toLowerCase() };
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
