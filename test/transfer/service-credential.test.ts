/**
 * Under JWT_JWKS_URL the identity provider issues every token, also the orchestrator's own:
 * it gets one with OAuth 2.0 client credentials, reuses it until shortly before it expires,
 * and a refused credential leaves the transfer to be continued rather than failing it.
 */
import "reflect-metadata";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { loadConfig } from "../../common/config";
import { startLedgerSubgraph, type LedgerSubgraph } from "../../subgraphs/ledger/server";
import { startTransferSubgraph, type TransferSubgraph } from "../../subgraphs/transfer/server";
import { suiteDatabase } from "../helpers/stack";

let idp: http.Server;
let idpUrl: string;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>["privateKey"];
const tokenRequests: string[] = [];
let database: Awaited<ReturnType<typeof suiteDatabase>>;
let ledger: LedgerSubgraph;
let transfer: TransferSubgraph;

function sign(claims: Record<string, unknown>, subject: string, lifetime = "5m") {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: "idp-key" })
    .setSubject(subject)
    .setIssuer("https://idp.example")
    .setAudience("core-banking-api")
    .setExpirationTime(lifetime)
    .sign(privateKey);
}

function config(secret = "orchestrator-secret") {
  return loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    LEDGER_SUBGRAPH_PORT: "0",
    TRANSFER_SUBGRAPH_PORT: "0",
    LEDGER_CURRENCIES: "EUR",
    TRANSFER_WORKER: "off",
    JWT_JWKS_URL: `${idpUrl}/jwks`,
    JWT_ISSUER: "https://idp.example",
    SERVICE_TOKEN_URL: `${idpUrl}/token`,
    SERVICE_CLIENT_ID: "transfer-orchestrator",
    SERVICE_CLIENT_SECRET: secret,
  });
}

beforeAll(async () => {
  const keys = await generateKeyPair("RS256");
  privateKey = keys.privateKey;
  const jwk = { ...(await exportJWK(keys.publicKey)), kid: "idp-key", alg: "RS256", use: "sig" };
  // A small identity provider: its keys, and a token endpoint for client credentials.
  idp = http.createServer((req, res) => {
    res.setHeader("content-type", "application/json");
    if (req.url === "/jwks") return res.end(JSON.stringify({ keys: [jwk] }));
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString()));
    req.on("end", () => {
      const credentials = Buffer.from(
        (req.headers.authorization ?? "").replace(/^Basic /, ""),
        "base64",
      ).toString();
      tokenRequests.push(credentials);
      const form = new URLSearchParams(body);
      if (
        credentials !== "transfer-orchestrator:orchestrator-secret" ||
        form.get("grant_type") !== "client_credentials"
      ) {
        res.statusCode = 401;
        return res.end(JSON.stringify({ error: "invalid_client" }));
      }
      void sign({ kind: "system" }, "transfer-orchestrator").then((token) =>
        res.end(JSON.stringify({ access_token: token, token_type: "Bearer", expires_in: 300 })),
      );
    });
  });
  await new Promise<void>((resolve) => idp.listen(0, "127.0.0.1", resolve));
  idpUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  database = await suiteDatabase();
  ledger = await startLedgerSubgraph(config(), database.url);
  transfer = await startTransferSubgraph(config(), database.url, ledger.url);
});
afterAll(async () => {
  await transfer.stop();
  await ledger.stop();
  await database.drop();
  await new Promise((resolve) => idp.close(resolve));
});

async function call(url: string, query: string, variables: Record<string, unknown>) {
  const token = await sign({ kind: "system" }, "operator-1");
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: Array<{ extensions: Record<string, unknown> }> };
}

async function account(): Promise<string> {
  const opened = await call(ledger.url, `mutation($i: OpenAccountInput!) { openAccount(input: $i) { id } }`, {
    i: { clientId: randomUUID(), currency: "EUR", name: "Current" },
  });
  return opened.data.openAccount.id as string;
}

const CREATE = `mutation($input: InternalTransferInput!, $key: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $key) { id status statusHistory { changedBy } }
}`;

describe("the orchestrator's credential under JWKS", () => {
  it("When transfers call the ledger, then the orchestrator uses one client-credentials token for all of them", async () => {
    const settlement = await call(ledger.url, `{ settlementAccount(currency: "EUR") { id } }`, {});
    const from = await account();
    const to = await account();
    await call(
      ledger.url,
      `mutation($input: PaymentInput!, $key: String!) { createPayment(input: $input, idempotencyKey: $key) { id } }`,
      {
        input: {
          debitAccountId: settlement.data.settlementAccount.id,
          creditAccountId: from,
          amount: "10.00",
          description: "deposit",
        },
        key: randomUUID(),
      },
    );
    const before = tokenRequests.length;
    for (let i = 0; i < 3; i++) {
      const result = await call(transfer.url, CREATE, {
        input: { debitAccountId: from, creditAccountId: to, amount: "1.00" },
        key: randomUUID(),
      });
      expect(result.data!.createInternalTransfer).toMatchObject({ status: "COMPLETED" });
    }
    expect(tokenRequests.length - before).toBeLessThanOrEqual(1);
    const payment = await call(ledger.url, `query($id: ID!) { account(id: $id) { balance { posted } } }`, {
      id: to,
    });
    expect(payment.data.account.balance.posted).toBe("3.00");
  });

  it("When the identity provider refuses the credential, then the request is 503 and the same request later goes through once", async () => {
    const refused = await startTransferSubgraph(config("wrong-secret"), database.url, ledger.url);
    const input = { debitAccountId: await account(), creditAccountId: await account(), amount: "1.00" };
    const key = randomUUID();
    try {
      const result = await call(refused.url, CREATE, { input, key });
      expect(result.errors![0].extensions).toMatchObject({ code: "LEDGER_UNAVAILABLE" });
    } finally {
      await refused.stop();
    }
    // Nothing was recorded: the same request through a working instance is refused only by the ledger (no funds).
    const retried = await call(transfer.url, CREATE, { input, key });
    expect(retried.errors![0].extensions).toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    const listed = await call(
      transfer.url,
      `query($a: ID!) { transfers(filter: { accountId: $a }) { totalCount } }`,
      {
        a: input.debitAccountId,
      },
    );
    expect(listed.data.transfers.totalCount).toBe(1);
  });

  it("When JWKS is set without a service credential, then the transfer subgraph refuses to start and says what is missing", async () => {
    const incomplete = loadConfig({ ...process.env, JWT_JWKS_URL: `${idpUrl}/jwks`, SERVICE_TOKEN_URL: "" });
    await expect(startTransferSubgraph(incomplete, database.url, ledger.url)).rejects.toThrow(
      /SERVICE_TOKEN_URL/,
    );
  });
});
