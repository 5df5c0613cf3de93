/** Tokens from an identity provider: verified against its JWKS endpoint (here a local one). */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { TokenVerifier } from "../../common/auth/tokens";
import { loadConfig } from "../../common/config";

let server: http.Server;
let jwksUrl: string;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];

beforeAll(async () => {
  const keys = await generateKeyPair("RS256");
  privateKey = keys.privateKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "test-key", alg: "RS256", use: "sig" };
  server = http.createServer((_req, res) => {
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

function sign(claims: Record<string, unknown>, alg = "RS256") {
  return new SignJWT(claims)
    .setProtectedHeader({ alg, kid: "test-key" })
    .setSubject("user-1")
    .setIssuer("https://idp.example")
    .setAudience("core-banking-api")
    .setExpirationTime("5m");
}

describe("JWKS verification", () => {
  it("When JWT_JWKS_URL is set, then a token signed by the provider's key is accepted and an HS256 one is not", async () => {
    const config = loadConfig({ JWT_JWKS_URL: jwksUrl, JWT_ISSUER: "https://idp.example" });
    const verifier = new TokenVerifier(config.auth);
    const clientId = "9d322407-0266-4106-803f-895b3575eb2d";
    const token = await sign({ kind: "client", clientId }).sign(privateKey);
    await expect(verifier.verify(token)).resolves.toEqual({ kind: "client", subject: "user-1", clientId });

    const hs256 = await sign({ kind: "system" }, "HS256").sign(
      new TextEncoder().encode(config.auth.jwtSecret),
    );
    await expect(verifier.verify(hs256)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const wrongIssuer = await sign({ kind: "system" }).setIssuer("https://other.example").sign(privateKey);
    await expect(verifier.verify(wrongIssuer)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });
});
