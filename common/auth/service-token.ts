/**
 * A service's own credential for calling another service (the orchestrator calling the
 * ledger): never the end user's token. With HS256 the service signs a short-lived system token
 * itself; under JWKS it asks the identity provider with OAuth 2.0 client credentials
 * (`SERVICE_TOKEN_URL`). Either way the token is reused until shortly before it expires.
 */
import type { AuthConfig } from "../config";
import { mintToken } from "./tokens";

/** Seconds before expiry at which a token is renewed. */
const RENEW_MARGIN = 60;

export function serviceTokenSource(auth: AuthConfig, subject: string): () => Promise<string> {
  if (auth.jwksUrl && !auth.serviceClient) {
    throw new Error(
      "JWT_JWKS_URL is set, so the identity provider issues every token: set SERVICE_TOKEN_URL (and SERVICE_CLIENT_ID, SERVICE_CLIENT_SECRET) for the transfer subgraph's ledger credential",
    );
  }
  let cached: { value: string; renewAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<{ value: string; lifetime: number }> => {
    if (!auth.jwksUrl) {
      return { value: await mintToken(auth, { kind: "system", subject }, "15m"), lifetime: 15 * 60 };
    }
    const client = auth.serviceClient!;
    const response = await fetch(client.tokenUrl, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
      },
      body: new URLSearchParams({ grant_type: "client_credentials", audience: auth.audience }).toString(),
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!response.ok || typeof body.access_token !== "string") {
      throw new Error(`the identity provider refused the service credential (HTTP ${response.status})`);
    }
    return { value: body.access_token, lifetime: Number(body.expires_in) || 300 };
  };
  return async () => {
    if (cached && Date.now() < cached.renewAt) return cached.value;
    // Concurrent callers share one request for a new token.
    pending ??= fetchToken()
      .then(({ value, lifetime }) => {
        cached = { value, renewAt: Date.now() + Math.max(lifetime - RENEW_MARGIN, lifetime / 2) * 1000 };
        return value;
      })
      .finally(() => (pending = undefined));
    return pending;
  };
}
