/**
 * The explorer and the dashboard over HTTP: a browser's GET of /graphql or / gets GraphiQL (never
 * Apollo's landing page) while GraphQL clients get Apollo as before; the pages load only files of
 * this origin, the npm packages' own, cached for a year; the saved operations run on the supergraph;
 * the development token is prefilled only while developing; in production the explorer, the
 * dashboard and introspection follow their settings. (What a browser does with them: test/browser.)
 */
import fs from "node:fs";
import http from "node:http";
import { buildClientSchema, getIntrospectionQuery, parse, validate } from "graphql";
import { createClient } from "graphql-ws";
import WebSocket from "ws";
import { TokenVerifier, mintToken } from "../../common/auth/tokens";
import { loadConfig } from "../../common/config";
import { startGateway, type GatewayServer } from "../../gateway/server";
import { EXAMPLE_TABS, FEDERATED_QUERY } from "../../gateway/explorer/examples";
import { fund, openAccount } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { key } from "../helpers/transfers";

const BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

async function page(baseUrl: string, path: string) {
  const response = await fetch(`${baseUrl}${path}`, { headers: { accept: BROWSER_ACCEPT } });
  return { response, body: await response.text() };
}

/** The JSON the server put in the page's settings block. */
function settingsOf(html: string): any {
  const match = /<script id="settings" type="application\/json">([\s\S]*?)<\/script>/.exec(html);
  if (!match) throw new Error("the page has no settings block");
  return JSON.parse(match[1]);
}

/** Every script and stylesheet the page loads. */
function resourcesOf(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
}

describe("the explorer", () => {
  it("When a browser opens /graphql or /, then it gets GraphiQL with the saved operations and a development system token, from this origin only", async () => {
    for (const path of ["/graphql", "/"]) {
      const { response, body } = await page(stack.gateway.baseUrl, path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toMatch(/^text\/html/);
      expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
      expect(response.headers.get("cache-control")).toBe("no-store");
      expect(body).not.toMatch(/apollo|sandbox|embeddable/i);
      expect(resourcesOf(body)).toEqual([
        expect.stringMatching(/^\/assets\/graphiql@3\.\d+\.\d+\/graphiql\.min\.css$/),
        expect.stringMatching(/^\/assets\/react@18\.[\d.]+\/react\.production\.min\.js$/),
        expect.stringMatching(/^\/assets\/react-dom@18\.[\d.]+\/react-dom\.production\.min\.js$/),
        expect.stringMatching(/^\/assets\/graphql-ws@[\d.]+\/graphql-ws\.min\.js$/),
        expect.stringMatching(/^\/assets\/graphiql@3\.\d+\.\d+\/graphiql\.min\.js$/),
        "/explorer/explorer.js",
      ]);

      const settings = settingsOf(body);
      expect(settings.tabs.map((tab: any) => tab.query)).toEqual(EXAMPLE_TABS.map((tab) => tab.query));
      const { Authorization } = JSON.parse(settings.headers);
      expect(settings.tabs.every((tab: any) => tab.headers === settings.headers)).toBe(true);
      const caller = await new TokenVerifier(stack.config.auth).callerFromHeader(Authorization);
      expect(caller).toEqual({ kind: "system", subject: "dev-explorer" });
    }
  });

  it("When a page is opened on this machine, then its development token expires within hours", async () => {
    for (const path of ["/graphql", "/dashboard"]) {
      const settings = settingsOf((await page(stack.gateway.baseUrl, path)).body);
      const token: string =
        settings.token ?? JSON.parse(settings.headers).Authorization.slice("Bearer ".length);
      const claims = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString());
      expect(claims.exp - claims.iat).toBeLessThanOrEqual(2 * 3600);
      expect(claims.kind).toBe("system");
    }
  });

  it.each([
    ["x-forwarded-for", "203.0.113.7"],
    ["forwarded", "for=203.0.113.7"],
  ])(
    "When a page request was relayed by a proxy (%s), then the page carries no token",
    async (header, value) => {
      const headers = { accept: BROWSER_ACCEPT, [header]: value };
      const explorer = await fetch(`${stack.gateway.baseUrl}/graphql`, { headers });
      expect(JSON.parse(settingsOf(await explorer.text()).headers)).toEqual({ Authorization: "Bearer " });
      const dashboard = await fetch(`${stack.gateway.baseUrl}/dashboard`, { headers });
      expect(settingsOf(await dashboard.text())).toEqual({ token: null });
    },
  );

  it("When a page request names another site as its Host (DNS rebinding), then it is refused without a token", async () => {
    for (const path of ["/graphql", "/dashboard"]) {
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const request = http.get(
          `${stack.gateway.baseUrl}${path}`,
          { headers: { accept: BROWSER_ACCEPT, host: "rebind.attacker.example:4000" } },
          (response) => {
            let body = "";
            response.on("data", (chunk: Buffer) => (body += chunk.toString()));
            response.on("end", () => resolve({ status: response.statusCode ?? 0, body }));
          },
        );
        request.on("error", reject);
      });
      expect(answer.status).toBe(403);
      expect(answer.body).not.toMatch(/Bearer ey/);
    }
  });

  it("When a GraphQL client GETs or POSTs /graphql, then Apollo answers as before the explorer", async () => {
    const auth = { authorization: `Bearer ${stack.systemToken}` };
    const posted = await stack.graphql(`{ __typename }`);
    expect(posted.data).toEqual({ __typename: "Query" });

    const got = await fetch(`${stack.gateway.url}?query=${encodeURIComponent("{ __typename }")}`, {
      headers: { ...auth, accept: "application/json", "apollo-require-preflight": "true" },
    });
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({ data: { __typename: "Query" } });

    // curl's `Accept: */*` is no browser: Apollo's answer, not a page.
    const bare = await fetch(stack.gateway.url, { headers: { ...auth, accept: "*/*" } });
    expect(bare.headers.get("content-type")).toMatch(/json/);
    const root = await fetch(`${stack.gateway.baseUrl}/`, { headers: { accept: "application/json" } });
    expect(root.status).toBe(404);
  });

  it("When the page's files are fetched, then each is the installed package's file, kept a year; the page's own script is revalidated", async () => {
    const { body } = await page(stack.gateway.baseUrl, "/graphql");
    for (const resource of resourcesOf(body)) {
      const response = await fetch(`${stack.gateway.baseUrl}${resource}`);
      expect(response.status).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      if (resource.startsWith("/assets/")) {
        expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
        const [, pkg, file] = /^\/assets\/([^@]+)@[^/]+\/(.+)$/.exec(resource)!;
        const local = [`node_modules/${pkg}/${file}`, `node_modules/${pkg}/umd/${file}`].find(fs.existsSync)!;
        expect(bytes.equals(fs.readFileSync(local))).toBe(true);
      } else {
        expect(response.headers.get("cache-control")).toBe("no-cache");
      }
      expect(response.headers.get("content-type")).toMatch(/javascript|css/);
    }
    // Only the listed files: no folder of node_modules is reachable.
    expect((await fetch(`${stack.gateway.baseUrl}/assets/react@18.3.1/package.json`)).status).toBe(404);
  });

  it("When the saved operations are checked, then the query reads all three subgraphs and every one validates against the supergraph", async () => {
    const clientId = await importClient(stack);
    const debit = await openAccount(stack, { clientId });
    const credit = await openAccount(stack, { clientId });
    await fund(stack, debit.id, "50.00");
    const moved = await stack.graphql(
      `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id } }`,
      { input: { debitAccountId: debit.id, creditAccountId: credit.id, amount: "20.00" }, key: key() },
    );
    expect(moved.errors).toBeUndefined();

    const result = await stack.graphql(FEDERATED_QUERY);
    expect(result.errors).toBeUndefined();
    const client = result.data!.clients.nodes.find((node: any) => node.id === clientId);
    expect(client).toMatchObject({
      firstName: "Ann",
      accounts: [{ balance: { available: "30.00" } }, { balance: { available: "20.00" } }],
      transfers: { nodes: [{ kind: "INTERNAL", status: "COMPLETED", amount: "20.00" }] },
    });

    const introspection = await stack.graphql(getIntrospectionQuery());
    const schema = buildClientSchema(introspection.data as never);
    for (const tab of EXAMPLE_TABS) expect(validate(schema, parse(tab.query))).toEqual([]);
  });
});

describe("the dashboard", () => {
  it("When a browser opens /dashboard, then it gets the page with graphql-ws from this origin and a development system token", async () => {
    const { response, body } = await page(stack.gateway.baseUrl, "/dashboard");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(resourcesOf(body)).toEqual([
      expect.stringMatching(/^\/assets\/graphql-ws@[\d.]+\/graphql-ws\.min\.js$/),
      "/dashboard/dashboard.js",
    ]);
    const { token } = settingsOf(body);
    const caller = await new TokenVerifier(stack.config.auth).verify(token);
    expect(caller).toEqual({ kind: "system", subject: "dev-dashboard" });
    expect((await fetch(`${stack.gateway.baseUrl}/dashboard/dashboard.js`)).status).toBe(200);
  });
});

describe("in production", () => {
  const gateways: GatewayServer[] = [];
  afterAll(() => Promise.all(gateways.map((gateway) => gateway.stop())));

  async function productionGateway(env: Record<string, string> = {}) {
    const config = loadConfig({
      NODE_ENV: "production",
      JWT_SECRET: "a-production-secret-for-this-test",
      HOST: "127.0.0.1",
      PORT: "0",
      ...env,
    });
    const gateway = await startGateway(config, {
      subgraphUrls: { client: stack.client.url, ledger: stack.ledger.url, transfer: stack.transfer.url },
    });
    gateways.push(gateway);
    const token = await mintToken(config.auth, { kind: "system", subject: "operator" });
    return { gateway, token };
  }

  const INTROSPECT = `{ __schema { queryType { name } } }`;

  it("When nothing is set, then there is no explorer, no dashboard, no landing page and no introspection, over HTTP or graphql-ws", async () => {
    const { gateway, token } = await productionGateway();
    const explorer = await page(gateway.baseUrl, "/graphql");
    expect(explorer.response.headers.get("content-type")).not.toMatch(/html/);
    expect(explorer.body).not.toMatch(/<html|sandbox|embeddable|graphiql/i); // Apollo's JSON, no landing page
    expect((await page(gateway.baseUrl, "/")).response.status).toBe(404);
    expect((await page(gateway.baseUrl, "/dashboard")).response.status).toBe(404);
    expect((await fetch(`${gateway.baseUrl}/explorer/explorer.js`)).status).toBe(404);

    const overHttp = await stack.graphql(INTROSPECT, {}, { url: gateway.url, token });
    expect(overHttp.errors?.[0]).toMatchObject({
      message: expect.stringMatching(/introspection is not allowed/i),
      extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
    });

    const ws = createClient({
      url: gateway.url.replace(/^http/, "ws"),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      retryAttempts: 0,
    });
    try {
      const overWs = await new Promise<any>((resolve) => {
        ws.subscribe({ query: INTROSPECT }, { next: resolve, error: resolve, complete: () => undefined });
      });
      const errors = Array.isArray(overWs) ? overWs : overWs.errors;
      expect(errors[0].message).toMatch(/introspection is not allowed/i);
    } finally {
      await ws.dispose();
    }
  });

  it("When EXPLORER, DASHBOARD and INTROSPECTION are on, then the pages are served without a token and introspection answers", async () => {
    const { gateway, token } = await productionGateway({
      EXPLORER: "on",
      DASHBOARD: "on",
      INTROSPECTION: "on",
    });
    const explorer = settingsOf((await page(gateway.baseUrl, "/graphql")).body);
    expect(JSON.parse(explorer.headers)).toEqual({ Authorization: "Bearer " });
    expect(settingsOf((await page(gateway.baseUrl, "/dashboard")).body)).toEqual({ token: null });

    const introspection = await stack.graphql(INTROSPECT, {}, { url: gateway.url, token });
    expect(introspection.data).toEqual({ __schema: { queryType: { name: "Query" } } });
  });
});
