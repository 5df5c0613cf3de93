/** A token is verified once per process and its caller kept until the token expires (common/auth/tokens.ts). */
import { setTimeout as sleep } from "node:timers/promises";
import { SignJWT } from "jose";
import { CACHED_TOKENS, mintToken, TokenVerifier } from "../../common/auth/tokens";
import { loadConfig } from "../../common/config";

const config = loadConfig({ NODE_ENV: "test" });
const clientId = "0b0f4a6e-8d7c-4d55-9f6a-1c2b3d4e5f60";

describe("verified tokens", () => {
  it("When the same token comes again, then the caller is the one verified the first time", async () => {
    const verifier = new TokenVerifier(config.auth);
    const token = await mintToken(config.auth, { kind: "client", subject: "user-1", clientId });
    const first = await verifier.verify(token);
    expect(first).toEqual({ kind: "client", subject: "user-1", clientId });
    // The very object: no signature was checked again.
    expect(await verifier.callerFromHeader(`Bearer ${token}`)).toBe(first);
  });

  it("When a header's token was verified before, then its caller is known without waiting; before that, never", async () => {
    const verifier = new TokenVerifier(config.auth);
    const token = await mintToken(config.auth, { kind: "system", subject: "ops" });
    const tampered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    expect(verifier.knownCaller(`Bearer ${token}`)).toBeUndefined();
    for (const header of [undefined, "", "Basic x", `Bearer ${tampered}`]) {
      await verifier.callerFromHeader(header).catch(() => undefined);
      expect(verifier.knownCaller(header)).toBeUndefined();
    }
    const caller = await verifier.callerFromHeader(`Bearer ${token}`);
    expect(verifier.knownCaller(`bearer  ${token}`)).toBe(caller);
  });

  it("When a kept token expires, then it is refused like any expired token", async () => {
    const verifier = new TokenVerifier(config.auth);
    const token = await new SignJWT({ kind: "system" })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("short-lived")
      .setIssuer(config.auth.issuer)
      .setAudience(config.auth.audience)
      .setExpirationTime(Math.floor(Date.now() / 1000) + 1)
      .sign(new TextEncoder().encode(config.auth.jwtSecret));
    await expect(verifier.verify(token)).resolves.toEqual({ kind: "system", subject: "short-lived" });
    expect(verifier.knownCaller(`Bearer ${token}`)).toEqual({ kind: "system", subject: "short-lived" });
    await sleep(1_100);
    expect(verifier.knownCaller(`Bearer ${token}`)).toBeUndefined();
    await expect(verifier.verify(token)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
  });

  it("When a token is refused, then it is refused again (refusals are not kept as callers)", async () => {
    const verifier = new TokenVerifier(config.auth);
    const token = await mintToken(config.auth, { kind: "system", subject: "ops" });
    const tampered = `${token.slice(0, -2)}${token.endsWith("AA") ? "BB" : "AA"}`;
    await expect(verifier.verify(tampered)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(verifier.verify(tampered)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    await expect(verifier.verify(token)).resolves.toEqual({ kind: "system", subject: "ops" });
  });

  it("When more tokens than the cache holds are seen, then the oldest is forgotten and verified again", async () => {
    const verifier = new TokenVerifier(config.auth);
    const tokens = await Promise.all(
      Array.from({ length: CACHED_TOKENS + 1 }, (_, i) =>
        mintToken(config.auth, { kind: "system", subject: `caller-${i}` }),
      ),
    );
    const oldest = await verifier.verify(tokens[0]);
    for (const token of tokens.slice(1, CACHED_TOKENS)) await verifier.verify(token);
    // Still held: the cache is full but not over.
    expect(await verifier.verify(tokens[0])).toBe(oldest);
    await verifier.verify(tokens[CACHED_TOKENS]);
    const again = await verifier.verify(tokens[0]);
    expect(again).toEqual(oldest);
    expect(again).not.toBe(oldest);
  });
});
