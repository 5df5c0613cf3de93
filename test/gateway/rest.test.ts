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
      from: "BLOCKED",
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
