/**
 * The REST shim as a whole: HTTP-level problems (unreadable, too large or non-JSON bodies, unknown
 * paths, broken escapes) are the caller's 4xx and never a 500, in either answer shape; the OpenAPI
 * document lists the route table and equals the committed one; Swagger UI is served locally.
 * The client routes serve as examples.
 */
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../common/paths";
import { documentStreamRoutes } from "../../gateway/documents/openapi";
import { restRoutes } from "../../gateway/rest/routes";
import { importRequest, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe("HTTP-level input errors never produce a 500", () => {
  it("When the body is not JSON, then 400 BAD_REQUEST", async () => {
    const response = await stack.rest("POST", "/integration/clients/individuals", { rawBody: "{not json" });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe("BAD_REQUEST");
  });

  it("When the content type is not JSON, then 415", async () => {
    const response = await stack.rest("POST", "/integration/clients/individuals", {
      rawBody: "externalId=1",
      contentType: "application/x-www-form-urlencoded",
    });
    expect(response.status).toBe(415);
    expect(response.body.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("When the body is larger than the limit, then 413 and nothing is stored", async () => {
    const request = importRequest({ padding: "x".repeat(200_000) });
    const response = await stack.rest("POST", "/integration/clients/individuals", { body: request });
    expect(response.status).toBe(413);
    expect(response.body.code).toBe("PAYLOAD_TOO_LARGE");
    const stored = await stack.graphql(
      `query($s: String) { clients(filter: { search: $s }) { totalCount } }`,
      {
        s: request.externalId,
      },
    );
    expect(stored.data!.clients.totalCount).toBe(0);
  });

  it.each([["[]"], ['"text"'], ["null"], ["42"]])(
    "When the body is %s, then 400 says the body must be an object",
    async (raw) => {
      const response = await stack.rest("POST", "/integration/clients/individuals", { rawBody: raw });
      expect(response.status).toBe(400);
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field: "body" }));
    },
  );

  it("When a path is unknown, then 404 NOT_FOUND (envelope under /internal)", async () => {
    const internal = await stack.rest("GET", "/internal/Nothing");
    expect(internal.status).toBe(404);
    expect(internal.body.errors[0].metadata.code).toBe("NOT_FOUND");
    const plain = await stack.rest("DELETE", "/integration/clients/individuals");
    expect(plain.status).toBe(404);
    expect(plain.body.code).toBe("NOT_FOUND");
  });
});

describe("OpenAPI and Swagger UI", () => {
  it("When /openapi.json is fetched, then it lists every route of the table and equals the committed document", async () => {
    const response = await stack.rest("GET", "/openapi.json", { token: null });
    expect(response.status).toBe(200);
    const document = response.body;
    expect(document.openapi).toBe("3.0.3");
    const listed = Object.entries(document.paths as Record<string, object>).flatMap(([p, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const routes = [...restRoutes, ...documentStreamRoutes()];
    expect(listed.sort()).toEqual(routes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort());
    const committed = JSON.parse(fs.readFileSync(path.join(projectRoot(), "schema/openapi.json"), "utf8"));
    expect(document).toEqual(committed);
  });

  it("When the import's body schema is read, then it requires the documented fields in the documented spelling", async () => {
    const document = (await stack.rest("GET", "/openapi.json", { token: null })).body;
    const body =
      document.paths["/integration/clients/individuals"].post.requestBody.content["application/json"].schema;
    expect(body.required.sort()).toEqual(
      [
        "address",
        "citizenshipCountry",
        "dateOfBirth",
        "email",
        "externalId",
        "firstName",
        "identificationDocument",
        "lastName",
        "phoneNumber",
        "residenceCountry",
        "riskLevel",
      ].sort(),
    );
    expect(body.properties.riskLevel.enum).toEqual(["low", "medium", "high", "prohibited"]);
    const status =
      document.paths["/internal/Clients/{clientId}"] &&
      document.paths["/internal/Clients/{clientId}/status"].put;
    expect(status.requestBody.content["application/json"].schema).toMatchObject({
      required: ["status"],
      properties: { status: { enum: ["inactive", "active", "blocked"] }, reason: { type: "string" } },
    });
    expect(body.properties.identificationDocument.properties.type.enum).toEqual([
      "passport",
      "driverLicense",
      "idCard",
      "other",
    ]);
  });

  it("When /docs is opened, then Swagger UI is served locally and points at /openapi.json", async () => {
    const page = await stack.rest("GET", "/docs/", { token: null });
    expect(page.status).toBe(200);
    expect(page.body).toContain("swagger-ui");
    const init = await stack.rest("GET", "/docs/swagger-initializer.js", { token: null });
    expect(init.body).toContain('url: "/openapi.json"');
    const bundle = await stack.rest("GET", "/docs/swagger-ui-bundle.js", { token: null });
    expect(bundle.status).toBe(200);
  });
});

describe("HTTP-level problems are the caller's 4xx, never a 500", () => {
  it("When a path has a malformed percent escape, then 400 BAD_REQUEST", async () => {
    const response = await stack.rest("GET", "/internal/Clients/%E0%A4%A");
    expect(response.status).toBe(400);
    expect(response.body.errors[0].metadata.code).toBe("BAD_REQUEST");
  });

  it("When a body claims gzip but is not, then 400 BAD_REQUEST", async () => {
    const response = await fetch(`${stack.gateway.baseUrl}/integration/clients/individuals`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${stack.systemToken}`,
        "content-type": "application/json",
        "content-encoding": "gzip",
      },
      body: "definitely not gzip",
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).code).toBe("BAD_REQUEST");
  });

  it("When a caller without a token sends a broken body, then 401 comes first", async () => {
    const response = await stack.rest("POST", "/integration/clients/individuals", {
      token: null,
      rawBody: "{oops",
    });
    expect(response.status).toBe(401);
    expect(response.body.code).toBe("UNAUTHENTICATED");
  });

  it("When /graphql gets a body that is not JSON or is too large, then 400 or 413 in the GraphQL error shape", async () => {
    const post = (body: string) =>
      fetch(stack.gateway.url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${stack.systemToken}` },
        body,
      });
    const bad = await post("{nope");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).errors[0].extensions.code).toBe("BAD_REQUEST");
    const big = await post(JSON.stringify({ query: `{ __typename }`, padding: "x".repeat(1_100_000) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as any).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });
});
