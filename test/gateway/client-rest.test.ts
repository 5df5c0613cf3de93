/**
 * The ClientProfile REST routes over real HTTP: the documented ClientDto in the result envelope,
 * lists with documented spellings in the query, status changes, and client input that must never
 * reach the database as a fault.
 */
import { randomUUID } from "node:crypto";
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

  it("When a refused status move is reported over REST, then from and to are in the documented spelling", async () => {
    const id = await importClient(stack);
    await stack.rest("POST", `/internal/Clients/${id}/block`);
    const response = await stack.rest("POST", `/internal/Clients/${id}/block`);
    expect(response.status).toBe(409);
    expect(response.body.errors[0].metadata).toMatchObject({ from: "blocked", to: "blocked" });
  });
});
