/** The REST shim: documented answers, envelope, HTTP-level errors, OpenAPI and Swagger UI. */
import fs from "node:fs";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { projectRoot } from "../../common/paths";
import { restRoutes } from "../../gateway/rest/routes";
import { importClient, importRequest, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const ENVELOPE_KEYS = ["errors", "isFailed", "isSuccess", "reasons", "successes", "value", "valueOrDefault"];

describe("GET /internal/Clients/{clientId}", () => {
  it("When the client exists, then the envelope says success and carries the ClientDto", async () => {
    const id = await importClient(stack, { riskLevel: "medium" });
    const response = await stack.rest("GET", `/internal/Clients/${id}`);
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(response.body).toMatchObject({
      isFailed: false,
      isSuccess: true,
      errors: [],
      reasons: [],
      successes: [],
    });
    expect(response.body.value).toEqual(response.body.valueOrDefault);
    expect(response.body.value).toMatchObject({
      id,
      type: "individual",
      status: "active",
      riskLevel: 2,
      firstName: "Ann",
      address: { streetLine1: "1 High Street", city: "London", country: "GB" },
      identificationDocument: { type: "passport", number: "P1234567" },
      created: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      customOptions: null,
    });
    expect(response.body.value).not.toHaveProperty("riskLevelCode");
  });

  it("When the client does not exist, then 404 with a failed envelope naming CLIENT_NOT_FOUND", async () => {
    const response = await stack.rest("GET", `/internal/Clients/${randomUUID()}`);
    expect(response.status).toBe(404);
    expect(Object.keys(response.body).sort()).toEqual(ENVELOPE_KEYS);
    expect(response.body).toMatchObject({
      isFailed: true,
      isSuccess: false,
      value: null,
      valueOrDefault: null,
    });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors[0].metadata.code).toBe("CLIENT_NOT_FOUND");
  });

  it("When the id is not a UUID, then 400 names clientId and isUuid", async () => {
    const response = await stack.rest("GET", "/internal/Clients/42");
    expect(response.status).toBe(400);
    expect(response.body.errors[0].metadata).toMatchObject({
      code: "VALIDATION_FAILED",
      field: "clientId",
      rule: "isUuid",
    });
  });
});

describe("ClientProfile System routes", () => {
  it("When listing with documented spellings in the query, then the page and the total come back", async () => {
    const tag = `rest-${randomUUID()}`;
    const first = await importClient(stack, { externalId: `${tag}-1`, riskLevel: "high" });
    await importClient(stack, { externalId: `${tag}-2`, riskLevel: "high" });
    await importClient(stack, { externalId: `${tag}-3`, riskLevel: "low" });

    const page = await stack.rest("GET", `/internal/Clients?search=${tag}&riskLevel=high&first=1`);
    expect(page.status).toBe(200);
    expect(page.body.value.totalCount).toBe(2);
    expect(page.body.value.items.map((c: any) => c.id)).toEqual([first]);
    expect(page.body.value.pageInfo.hasNextPage).toBe(true);

    const next = await stack.rest(
      "GET",
      `/internal/Clients?search=${tag}&riskLevel=high&first=1&after=${page.body.value.pageInfo.endCursor}`,
    );
    expect(next.body.value.items).toHaveLength(1);
    expect(next.body.value.pageInfo.hasNextPage).toBe(false);
  });

  it.each([
    ["status=frozen", "status", "enum"],
    ["first=ten", "first", "type"],
    ["first=500", "first", "range"],
  ])("When the query has %s, then 400 names %s and %s", async (query, field, rule) => {
    const response = await stack.rest("GET", `/internal/Clients?${query}`);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].metadata).toMatchObject({ code: "VALIDATION_FAILED", field, rule });
  });

  it("When blocking, unblocking and setting status, then each answers the updated ClientDto or 409 for a refused move", async () => {
    const id = await importClient(stack);
    const blocked = await stack.rest("POST", `/internal/Clients/${id}/block`, {
      body: { reason: "sanctions hit" },
    });
    expect(blocked.status).toBe(200);
    expect(blocked.body.value.status).toBe("blocked");

    const refused = await stack.rest("PUT", `/internal/Clients/${id}/status`, {
      body: { status: "inactive" },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.errors[0].metadata).toMatchObject({
      code: "CLIENT_INVALID_STATUS_TRANSITION",
      from: "blocked",
      to: "inactive",
    });

    const unblocked = await stack.rest("POST", `/internal/Clients/${id}/unblock`);
    expect(unblocked.body.value.status).toBe("active");
    const inactive = await stack.rest("PUT", `/internal/Clients/${id}/status`, {
      body: { status: "inactive" },
    });
    expect(inactive.body.value.status).toBe("inactive");

    const missing = await stack.rest("POST", `/internal/Clients/${randomUUID()}/block`);
    expect(missing.status).toBe(404);
    expect(missing.body.errors[0].metadata.code).toBe("CLIENT_NOT_FOUND");

    const badStatus = await stack.rest("PUT", `/internal/Clients/${id}/status`, { body: { status: "gone" } });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.errors[0].metadata).toMatchObject({ field: "status", rule: "enum" });
    expect(badStatus.body.errors[0].message).toBe("status must be one of: inactive, active, blocked");
  });
});

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
    expect(listed.sort()).toEqual(restRoutes.map((r) => `${r.method.toUpperCase()} ${r.path}`).sort());
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

describe("input that must never reach the database as a fault", () => {
  it.each([
    [
      "a forged id",
      Buffer.from(JSON.stringify(["2026-01-01T00:00:00.000Z", "x' OR 1=1"])).toString("base64url"),
    ],
    [
      "an impossible date",
      Buffer.from(JSON.stringify(["+010000-01-01T00:00:00.000Z", randomUUID()])).toString("base64url"),
    ],
  ])("When a cursor carries %s, then 400 names after", async (_case, cursor) => {
    const response = await stack.rest("GET", `/internal/Clients?after=${cursor}`);
    expect(response.status).toBe(400);
    expect(response.body.errors[0].metadata).toMatchObject({ field: "after", rule: "isCursor" });
  });

  it("When a text field holds a NUL character, then 400 names it and nothing is stored", async () => {
    const request = importRequest({ phoneNumber: "+44207\u0000123" });
    const response = await stack.rest("POST", "/integration/clients/individuals", { body: request });
    expect(response.status).toBe(400);
    expect(response.body.errors).toContainEqual(
      expect.objectContaining({ field: "phoneNumber", rule: "noControlCharacters" }),
    );
  });

  it("When a block reason holds a NUL or is over 500 characters, then 400 names reason", async () => {
    const id = await importClient(stack);
    for (const reason of ["bad\u0000reason", "x".repeat(501)]) {
      const response = await stack.rest("POST", `/internal/Clients/${id}/block`, { body: { reason } });
      expect(response.status).toBe(400);
      expect(response.body.errors[0].metadata.field).toBe("reason");
    }
    const read = await stack.rest("GET", `/internal/Clients/${id}`);
    expect(read.body.value.status).toBe("active");
  });

  it("When a status body has an unknown field, then 400 names it", async () => {
    const id = await importClient(stack);
    const response = await stack.rest("PUT", `/internal/Clients/${id}/status`, {
      body: { state: "inactive" },
    });
    expect(response.status).toBe(400);
    expect(response.body.errors[0].metadata).toMatchObject({ field: "state", rule: "unknownField" });
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

  it("When a refused status move is reported over REST, then from and to are in the documented spelling", async () => {
    const id = await importClient(stack);
    await stack.rest("POST", `/internal/Clients/${id}/block`);
    const response = await stack.rest("POST", `/internal/Clients/${id}/block`);
    expect(response.status).toBe(409);
    expect(response.body.errors[0].metadata).toMatchObject({ from: "blocked", to: "blocked" });
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
});
