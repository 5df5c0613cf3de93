/**
 * The documented import (seed 000_842ccd0ae63067ae): every rule has a case, run through
 * GraphQL and through the REST route, and both must name the same field and rule.
 */
import { Client } from "pg";
import {
  asGraphQLInput,
  IMPORT_MUTATION,
  importRequest,
  type Stack,
  startStack,
  daysFromToday,
  DOCUMENT_EXPIRES,
  DOCUMENT_ISSUED,
} from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const long = (n: number, char = "a") => char.repeat(n);
const addDays = daysFromToday;
const doc = (changes: Record<string, unknown>) => ({
  identificationDocument: { ...importRequest().identificationDocument, ...changes },
});
const address = (changes: Record<string, unknown>) => ({
  address: { ...importRequest().address, ...changes },
});

/** [case, request overrides, field, rule] for rules checked by the subgraph (VALIDATION_FAILED). */
const RULE_CASES: Array<[string, Record<string, unknown>, string, string]> = [
  ["externalId empty", { externalId: "" }, "externalId", "minLength"],
  ["externalId over 100", { externalId: long(101) }, "externalId", "maxLength"],
  ["streetLine1 empty", address({ streetLine1: "" }), "address.streetLine1", "minLength"],
  ["streetLine1 over 255", address({ streetLine1: long(256) }), "address.streetLine1", "maxLength"],
  ["streetLine1 pattern", address({ streetLine1: "1 High Street!" }), "address.streetLine1", "matches"],
  ["streetLine2 over 255", address({ streetLine2: long(256) }), "address.streetLine2", "maxLength"],
  ["city empty", address({ city: "" }), "address.city", "minLength"],
  ["city over 255", address({ city: long(256) }), "address.city", "maxLength"],
  ["city pattern", address({ city: "Zürich" }), "address.city", "matches"],
  ["state over 255", address({ state: long(256) }), "address.state", "maxLength"],
  ["zip empty", address({ zip: "" }), "address.zip", "minLength"],
  ["zip over 255", address({ zip: long(256, "1") }), "address.zip", "maxLength"],
  ["country 3 letters", address({ country: "GBR" }), "address.country", "isLength"],
  ["country not a country", address({ country: "XX" }), "address.country", "isISO31661Alpha2"],
  ["email with half a surrogate pair", { email: "a\ud83db@example.com" }, "email", "wellFormedUnicode"],
  ["firstName with half a surrogate pair", { firstName: "Ann\udc00" }, "firstName", "wellFormedUnicode"],
  ["phoneNumber under 5", { phoneNumber: "1234" }, "phoneNumber", "minLength"],
  ["phoneNumber over 17", { phoneNumber: long(18, "1") }, "phoneNumber", "maxLength"],
  // 9 digits, each with a variation selector: 18 characters for PostgreSQL's varchar(17).
  [
    "phoneNumber over 17 counted as PostgreSQL counts",
    { phoneNumber: "1\uFE0F".repeat(9) },
    "phoneNumber",
    "maxLength",
  ],
  ["email not an email", { email: "not-an-email" }, "email", "isEmail"],
  ["email under 5", { email: "a@b" }, "email", "minLength"],
  ["email over 64", { email: `${long(60)}@example.com` }, "email", "maxLength"],
  ["firstName empty", { firstName: "" }, "firstName", "minLength"],
  ["firstName over 255", { firstName: long(256) }, "firstName", "maxLength"],
  ["firstName pattern", { firstName: "Ann3" }, "firstName", "matches"],
  ["lastName empty", { lastName: "" }, "lastName", "minLength"],
  ["lastName over 255", { lastName: long(256) }, "lastName", "maxLength"],
  ["lastName pattern", { lastName: "Lee_" }, "lastName", "matches"],
  ["citizenshipCountry 1 letter", { citizenshipCountry: "G" }, "citizenshipCountry", "isLength"],
  [
    "citizenshipCountry not a country",
    { citizenshipCountry: "QQ" },
    "citizenshipCountry",
    "isISO31661Alpha2",
  ],
  ["residenceCountry 3 letters", { residenceCountry: "GBR" }, "residenceCountry", "isLength"],
  ["residenceCountry not a country", { residenceCountry: "ZZ" }, "residenceCountry", "isISO31661Alpha2"],
  ["issuedBy empty", doc({ issuedBy: "" }), "identificationDocument.issuedBy", "minLength"],
  ["issuedBy over 100", doc({ issuedBy: long(101) }), "identificationDocument.issuedBy", "maxLength"],
  ["number empty", doc({ number: "" }), "identificationDocument.number", "minLength"],
  ["number over 30", doc({ number: long(31, "1") }), "identificationDocument.number", "maxLength"],
  [
    "issuedCountryCode 3 letters",
    doc({ issuedCountryCode: "GBR" }),
    "identificationDocument.issuedCountryCode",
    "isLength",
  ],
  [
    "issuedCountryCode not a country",
    doc({ issuedCountryCode: "XX" }),
    "identificationDocument.issuedCountryCode",
    "isISO31661Alpha2",
  ],
  [
    "expirationDate not a date",
    doc({ expirationDate: "2030-13-01" }),
    "identificationDocument.expirationDate",
    "isDateOnly",
  ],
  [
    "issuedDate not a date",
    doc({ issuedDate: "yesterday" }),
    "identificationDocument.issuedDate",
    "isDateOnly",
  ],
  ["dateOfBirth not a date", { dateOfBirth: "1990-02-30" }, "dateOfBirth", "isDateOnly"],
  ["dateOfBirth with a time", { dateOfBirth: "1990-02-03T00:00:00Z" }, "dateOfBirth", "isDateOnly"],
  // Checks a bank adds to the documented ones.
  [
    "document expired before it was issued",
    doc({ issuedDate: "2024-05-01", expirationDate: "2024-04-30" }),
    "identificationDocument.expirationDate",
    "isAfterIssuedDate",
  ],
  [
    "document already expired",
    doc({ issuedDate: "2010-01-01", expirationDate: addDays(-1) }),
    "identificationDocument.expirationDate",
    "isNotExpired",
  ],
  [
    "document issued in the future",
    doc({ issuedDate: addDays(2), expirationDate: addDays(3650) }),
    "identificationDocument.issuedDate",
    "isNotInFuture",
  ],
  ["birth date in the future", { dateOfBirth: addDays(2) }, "dateOfBirth", "isNotInFuture"],
];

/** [case, request overrides, field, rule] for rules GraphQL itself checks (type, required, enum). */
const SHAPE_CASES: Array<[string, Record<string, unknown>, string, string]> = [
  ["externalId missing", { externalId: undefined }, "externalId", "required"],
  ["riskLevel missing", { riskLevel: undefined }, "riskLevel", "required"],
  ["riskLevel not in the enum", { riskLevel: "extreme" }, "riskLevel", "enum"],
  ["address missing", { address: undefined }, "address", "required"],
  ["streetLine1 missing", address({ streetLine1: undefined }), "address.streetLine1", "required"],
  ["city missing", address({ city: undefined }), "address.city", "required"],
  ["zip missing", address({ zip: undefined }), "address.zip", "required"],
  ["country missing", address({ country: undefined }), "address.country", "required"],
  ["phoneNumber missing", { phoneNumber: undefined }, "phoneNumber", "required"],
  ["email missing", { email: undefined }, "email", "required"],
  ["firstName missing", { firstName: undefined }, "firstName", "required"],
  ["lastName missing", { lastName: undefined }, "lastName", "required"],
  ["citizenshipCountry missing", { citizenshipCountry: undefined }, "citizenshipCountry", "required"],
  [
    "identificationDocument missing",
    { identificationDocument: undefined },
    "identificationDocument",
    "required",
  ],
  ["document type not in the enum", doc({ type: "libraryCard" }), "identificationDocument.type", "enum"],
  ["document type missing", doc({ type: undefined }), "identificationDocument.type", "required"],
  ["document issuedBy missing", doc({ issuedBy: undefined }), "identificationDocument.issuedBy", "required"],
  ["document number missing", doc({ number: undefined }), "identificationDocument.number", "required"],
  [
    "document expirationDate missing",
    doc({ expirationDate: undefined }),
    "identificationDocument.expirationDate",
    "required",
  ],
  [
    "document issuedDate missing",
    doc({ issuedDate: undefined }),
    "identificationDocument.issuedDate",
    "required",
  ],
  [
    "document issuedCountryCode missing",
    doc({ issuedCountryCode: undefined }),
    "identificationDocument.issuedCountryCode",
    "required",
  ],
  ["residenceCountry missing", { residenceCountry: undefined }, "residenceCountry", "required"],
  ["dateOfBirth missing", { dateOfBirth: undefined }, "dateOfBirth", "required"],
  ["phoneNumber a number", { phoneNumber: 442071234567 }, "phoneNumber", "type"],
  ["unknown field", { nickname: "Annie" }, "nickname", "unknownField"],
];

/** graphql-js names a missing field by its parent's path and its own name, anything else by its full path. */
function expectCoercionMessageNames(message: string, field: string, rule: string): void {
  const parts = field.split(".");
  const last = parts.pop()!;
  const parent = parts.length ? `at "input.${parts.join(".")}"` : "";
  if (rule === "required") {
    expect(message).toContain(`Field "${last}" of required type`);
    if (parent) expect(message).toContain(parent);
  } else if (rule === "unknownField") {
    expect(message).toContain(`Field "${last}" is not defined by type`);
  } else {
    expect(message).toContain(`at "input.${field}"`);
  }
}

async function countByExternalId(externalId: string): Promise<number> {
  const db = new Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query("SELECT count(*)::int AS n FROM client.client WHERE external_id = $1", [
      externalId,
    ]);
    return rows[0].n as number;
  } finally {
    await db.end();
  }
}

describe("importIndividualClient", () => {
  it("When the request is valid, then the client is stored with every field and the documented answer comes back", async () => {
    const request = importRequest();
    const result = await stack.graphql(IMPORT_MUTATION, { input: asGraphQLInput(request) });
    expect(result.errors).toBeUndefined();
    const { clientId, externalId } = result.data!.importIndividualClient;
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(externalId).toBe(request.externalId);

    const read = await stack.graphql(
      `query($id: ID!) { client(id: $id) { id type status riskLevel riskLevelCode externalId firstName lastName email phoneNumber
        dateOfBirth citizenshipCountry residenceCountry address { streetLine1 streetLine2 city state zip country }
        identificationDocument { type number issuedBy issuedCountryCode issuedDate expirationDate }
        statusHistory { from to changedBy } } }`,
      { id: clientId },
    );
    expect(read.data!.client).toEqual({
      id: clientId,
      type: "INDIVIDUAL",
      status: "ACTIVE",
      riskLevel: "LOW",
      riskLevelCode: 1,
      externalId: request.externalId,
      firstName: "Ann",
      lastName: "Lee",
      email: "ann.lee@example.com",
      phoneNumber: "+442071234567",
      dateOfBirth: "1990-02-03",
      citizenshipCountry: "GB",
      residenceCountry: "GB",
      address: {
        streetLine1: "1 High Street",
        streetLine2: null,
        city: "London",
        state: null,
        zip: "E1 6AN",
        country: "GB",
      },
      identificationDocument: {
        type: "PASSPORT",
        number: "P1234567",
        issuedBy: "HM Passport Office",
        issuedCountryCode: "GB",
        issuedDate: DOCUMENT_ISSUED,
        expirationDate: DOCUMENT_EXPIRES,
      },
      statusHistory: [{ from: null, to: "ACTIVE", changedBy: "test-system" }],
    });
  });

  it("When the REST route gets a valid request, then it answers 200 with {clientId, externalId}", async () => {
    const request = importRequest({
      riskLevel: "prohibited",
      identificationDocument: { ...importRequest().identificationDocument, type: "driverLicense" },
    });
    const response = await stack.rest("POST", "/integration/clients/individuals", { body: request });
    expect(response.status).toBe(200);
    expect(Object.keys(response.body).sort()).toEqual(["clientId", "externalId"]);
    expect(response.body.externalId).toBe(request.externalId);

    const read = await stack.rest("GET", `/internal/Clients/${response.body.clientId}`);
    expect(read.body.value).toMatchObject({
      status: "blocked",
      riskLevel: 4,
      identificationDocument: { type: "driverLicense" },
    });
  });

  describe.each(RULE_CASES)("When %s", (_case, overrides, field, rule) => {
    it(`then GraphQL answers VALIDATION_FAILED naming ${field} and ${rule}, and nothing is stored`, async () => {
      const request = importRequest(overrides);
      const result = await stack.graphql(IMPORT_MUTATION, { input: asGraphQLInput(request) });
      expect(result.data).toBeNull();
      expect(result.errors![0].extensions!.code).toBe("VALIDATION_FAILED");
      expect(result.errors![0].extensions!.fields).toContainEqual(expect.objectContaining({ field, rule }));
      expect(await countByExternalId(String(request.externalId))).toBe(0);
    });

    it(`then REST answers 400 naming ${field} and ${rule}`, async () => {
      const response = await stack.rest("POST", "/integration/clients/individuals", {
        body: importRequest(overrides),
      });
      expect(response.status).toBe(400);
      expect(response.contentType).toContain("application/problem+json");
      expect(response.body.code).toBe("VALIDATION_FAILED");
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
    });
  });

  describe.each(SHAPE_CASES)("When %s", (_case, overrides, field, rule) => {
    it(`then GraphQL refuses it with BAD_USER_INPUT naming input.${field}`, async () => {
      const result = await stack.graphql(IMPORT_MUTATION, {
        input: asGraphQLInput(importRequest(overrides)),
      });
      expect(result.status).toBe(400);
      expect(result.errors![0].extensions!.code).toBe("BAD_USER_INPUT");
      expectCoercionMessageNames(result.errors![0].message, field, rule);
    });

    it(`then REST answers 400 naming ${field} and ${rule}`, async () => {
      const response = await stack.rest("POST", "/integration/clients/individuals", {
        body: importRequest(overrides),
      });
      expect(response.status).toBe(400);
      expect(response.body.code).toBe("VALIDATION_FAILED");
      expect(response.body.errors).toContainEqual(expect.objectContaining({ field, rule }));
    });
  });

  it("When the same externalId is imported twice, then the second gets CLIENT_ALREADY_EXISTS (409) naming the first client", async () => {
    const request = importRequest();
    const first = await stack.rest("POST", "/integration/clients/individuals", { body: request });
    expect(first.status).toBe(200);

    const viaRest = await stack.rest("POST", "/integration/clients/individuals", {
      body: { ...request, firstName: "Other" },
    });
    expect(viaRest.status).toBe(409);
    expect(viaRest.body).toMatchObject({ code: "CLIENT_ALREADY_EXISTS", clientId: first.body.clientId });

    const viaGraphQL = await stack.graphql(IMPORT_MUTATION, { input: asGraphQLInput(request) });
    expect(viaGraphQL.errors![0].extensions).toMatchObject({
      code: "CLIENT_ALREADY_EXISTS",
      clientId: first.body.clientId,
    });
    expect(await countByExternalId(request.externalId)).toBe(1);
  });

  it("When several imports of one externalId arrive at the same instant, then exactly one wins and the rest get 409", async () => {
    const request = importRequest();
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        stack.rest("POST", "/integration/clients/individuals", { body: request }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409, 409, 409, 409, 409]);
    const winner = responses.find((r) => r.status === 200)!;
    for (const loser of responses.filter((r) => r.status === 409)) {
      expect(loser.body.clientId).toBe(winner.body.clientId);
    }
    expect(await countByExternalId(request.externalId)).toBe(1);
  });
});
