/**
 * Who may do what: 401 without a valid token, 403 for the wrong kind of caller or another
 * client's data, and no data in either answer. Subgraphs check tokens themselves.
 */
import { SignJWT } from "jose";
import { mintToken } from "../../common/auth/tokens";
import { restRoutes } from "../../gateway/rest/routes";
import { asGraphQLInput, importClient, importRequest, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
let clientId: string;
let otherClientId: string;
let clientToken: string;
beforeAll(async () => {
  stack = await startStack();
  clientId = await importClient(stack);
  otherClientId = await importClient(stack);
  clientToken = await stack.clientToken(clientId);
});
afterAll(() => stack.stop());

function concretePath(path: string): string {
  return path.replace(/\{clientId\}/g, otherClientId);
}

function bodyFor(route: (typeof restRoutes)[number]): unknown {
  if (route.path === "/integration/clients/individuals") return importRequest();
  if (route.path.endsWith("/status")) return { status: "inactive" };
  return undefined;
}

describe("REST route auth", () => {
  const badTokens: Array<[string, () => Promise<string | null>]> = [
    ["no token", async () => null],
    [
      "a token signed with another secret",
      async () =>
        new SignJWT({ kind: "system" })
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("x")
          .setIssuer(stack.config.auth.issuer)
          .setAudience(stack.config.auth.audience)
          .setExpirationTime("1h")
          .sign(new TextEncoder().encode("another-secret")),
    ],
    ["an expired token", async () => mintToken(stack.config.auth, { kind: "system", subject: "x" }, "-1m")],
    [
      "a token for another audience",
      async () =>
        mintToken({ ...stack.config.auth, audience: "elsewhere" }, { kind: "system", subject: "x" }),
    ],
    [
      "a token that never expires",
      async () =>
        new SignJWT({ kind: "system" })
          .setProtectedHeader({ alg: "HS256" })
          .setSubject("x")
          .setIssuer(stack.config.auth.issuer)
          .setAudience(stack.config.auth.audience)
          .sign(new TextEncoder().encode(stack.config.auth.jwtSecret)),
    ],
    ["garbage", async () => "not.a.jwt"],
  ];

  describe.each(restRoutes.map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))(
    "%s",
    (_name, route) => {
      it.each(badTokens)(
        "When called with %s, then it answers 401 UNAUTHENTICATED with no data",
        async (_t, token) => {
          const response = await stack.rest(route.method.toUpperCase(), concretePath(route.path), {
            token: await token(),
            body: bodyFor(route),
          });
          expect(response.status).toBe(401);
          const code =
            route.style === "envelope" ? response.body.errors[0].metadata.code : response.body.code;
          expect(code).toBe("UNAUTHENTICATED");
          if (route.style === "envelope") expect(response.body.value).toBeNull();
        },
      );

      // Routes open to any caller serve a front-office token its own data; their 403s for another
      // client's data are tested per route (test/gateway/ledger-rest.test.ts).
      if (route.auth !== "system") return;
      it("When called with a front-office token, then it answers 403 FORBIDDEN and nothing changes", async () => {
        const body = bodyFor(route) as { externalId?: string } | undefined;
        const response = await stack.rest(route.method.toUpperCase(), concretePath(route.path), {
          token: clientToken,
          body,
        });
        expect(response.status).toBe(403);
        const code = route.style === "envelope" ? response.body.errors[0].metadata.code : response.body.code;
        expect(code).toBe("FORBIDDEN");
        expect(JSON.stringify(response.body)).not.toContain("Ann");
        const other = await stack.graphql(`query($id: ID!) { client(id: $id) { status } }`, {
          id: otherClientId,
        });
        expect(other.data!.client.status).toBe("ACTIVE");
        if (body?.externalId) {
          const search = await stack.graphql(
            `query($s: String) { clients(filter: { search: $s }) { totalCount } }`,
            {
              s: body.externalId,
            },
          );
          expect(search.data!.clients.totalCount).toBe(0);
        }
      });
    },
  );
});

describe("GraphQL auth", () => {
  it("When a request carries no token, then the gateway answers 401 UNAUTHENTICATED", async () => {
    const result = await stack.graphql(`{ client(id: "${clientId}") { id } }`, {}, { token: null });
    expect(result.status).toBe(401);
    expect(result.errors![0].extensions!.code).toBe("UNAUTHENTICATED");
    expect(result.data).toBeUndefined();
  });

  it("When a front-office user reads its own client, then it gets it", async () => {
    const result = await stack.graphql(
      `query($id: ID!) { client(id: $id) { id firstName } }`,
      { id: clientId },
      { token: clientToken },
    );
    expect(result.status).toBe(200);
    expect(result.data!.client).toEqual({ id: clientId, firstName: "Ann" });
  });

  it("When a front-office user reads another client, then it gets 403 FORBIDDEN and no data", async () => {
    const result = await stack.graphql(
      `query($id: ID!) { client(id: $id) { id firstName } }`,
      { id: otherClientId },
      { token: clientToken },
    );
    expect(result.status).toBe(403);
    expect(result.errors![0].extensions!.code).toBe("FORBIDDEN");
    expect(result.data).toEqual({ client: null });
  });

  it("When a front-office user lists clients or changes a status, then it gets 403 FORBIDDEN", async () => {
    const list = await stack.graphql(`{ clients { totalCount } }`, {}, { token: clientToken });
    expect(list.status).toBe(403);
    expect(list.errors![0].extensions!.code).toBe("FORBIDDEN");
    const mutations: Array<[string, Record<string, unknown>]> = [
      [`mutation($id: ID!) { blockClient(id: $id) { status } }`, { id: clientId }],
      [`mutation($id: ID!) { unblockClient(id: $id) { status } }`, { id: clientId }],
      [`mutation($id: ID!) { setClientStatus(id: $id, status: INACTIVE) { status } }`, { id: clientId }],
      [
        `mutation($input: ImportIndividualClientInput!) { importIndividualClient(input: $input) { clientId } }`,
        { input: asGraphQLInput(importRequest()) },
      ],
    ];
    for (const [mutation, variables] of mutations) {
      const result = await stack.graphql(mutation, variables, { token: clientToken });
      expect(result.status).toBe(403);
      expect(result.errors![0].extensions!.code).toBe("FORBIDDEN");
    }
    const own = await stack.graphql(`query($id: ID!) { client(id: $id) { status } }`, { id: clientId });
    expect(own.data!.client.status).toBe("ACTIVE");
  });

  it("When a subgraph is called directly without a token, then it answers 401 itself", async () => {
    const result = await stack.graphql(`{ _service { sdl } }`, {}, { token: null, url: stack.client.url });
    expect(result.status).toBe(401);
    expect(result.errors![0].extensions!.code).toBe("UNAUTHENTICATED");
  });

  it("When a subgraph is called directly with a front-office token for a system operation, then it refuses", async () => {
    const result = await stack.graphql(
      `{ clients { totalCount } }`,
      {},
      { token: clientToken, url: stack.client.url },
    );
    expect(result.errors![0].extensions!.code).toBe("FORBIDDEN");
    expect(result.data).toBeNull();
  });
});

describe("fields a customer must not see on its own record", () => {
  it("When a front-office user asks for risk, compliance or status history, then each is FORBIDDEN and null while the rest answers", async () => {
    const result = await stack.graphql(
      `query($id: ID!) { client(id: $id) { id firstName riskLevel riskLevelCode isDefaultCompliant complianceEvaluation { appliedLimits } statusHistory { reason } } }`,
      { id: clientId },
      { token: clientToken },
    );
    expect(result.data!.client).toEqual({
      id: clientId,
      firstName: "Ann",
      riskLevel: null,
      riskLevelCode: null,
      isDefaultCompliant: null,
      complianceEvaluation: null,
      statusHistory: null,
    });
    const refused = result.errors!.map((e) => [e.path!.join("."), e.extensions!.code]).sort();
    expect(refused).toEqual(
      ["complianceEvaluation", "isDefaultCompliant", "riskLevel", "riskLevelCode", "statusHistory"].map(
        (f) => [`client.${f}`, "FORBIDDEN"],
      ),
    );
  });

  it("When a system caller asks for the same fields, then it gets them", async () => {
    const result = await stack.graphql(
      `query($id: ID!) { client(id: $id) { riskLevel riskLevelCode isDefaultCompliant statusHistory { to } } }`,
      { id: clientId },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.client).toEqual({
      riskLevel: "LOW",
      riskLevelCode: 1,
      isDefaultCompliant: false,
      statusHistory: [{ to: "ACTIVE" }],
    });
  });
});
