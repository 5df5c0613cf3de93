/**
 * ClientProfile - FrontOffice: `Query.me` and `GET /Clients/me` give a front-office caller its own
 * profile, without the bank's risk and compliance assessment (decision 0006).
 */
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe("the front-office caller's own profile", () => {
  it("When a front-office caller asks for me, then it gets its own profile, with its accounts", async () => {
    const clientId = await importClient(stack, { firstName: "Ann", lastName: "Lee", riskLevel: "high" });
    const token = await stack.clientToken(clientId);
    const result = await stack.graphql(
      `{ me { id firstName lastName status accounts { id } } }`,
      {},
      { token },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!.me).toEqual({
      id: clientId,
      firstName: "Ann",
      lastName: "Lee",
      status: "ACTIVE",
      accounts: [],
    });
  });

  it("When it selects the risk assessment, then those fields answer FORBIDDEN and null, the rest still answers", async () => {
    const clientId = await importClient(stack, { riskLevel: "high" });
    const token = await stack.clientToken(clientId);
    const result = await stack.graphql(
      `{ me { id riskLevel riskLevelCode isDefaultCompliant complianceEvaluation { reviewPeriodicity } } }`,
      {},
      { token },
    );
    expect(result.status).toBe(200);
    expect(result.data!.me).toEqual({
      id: clientId,
      riskLevel: null,
      riskLevelCode: null,
      isDefaultCompliant: null,
      complianceEvaluation: null,
    });
    expect(result.errors!.map((e) => e.extensions!.code)).toEqual(Array(4).fill("FORBIDDEN"));
  });

  it("When GET /Clients/me is called, then it answers the profile without riskLevel, isDefaultCompliant or complianceEvaluation", async () => {
    const clientId = await importClient(stack, { firstName: "Jo", riskLevel: "medium" });
    const token = await stack.clientToken(clientId);
    const response = await stack.rest("GET", "/Clients/me", { token });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      id: clientId,
      type: "individual",
      status: "active",
      firstName: "Jo",
      address: { city: "London", country: "GB" },
      identificationDocument: { type: "passport" },
    });
    for (const hidden of ["riskLevel", "riskLevelCode", "isDefaultCompliant", "complianceEvaluation"]) {
      expect(response.body).not.toHaveProperty(hidden);
    }
    const system = await stack.rest("GET", "/Clients/me");
    expect(system.status).toBe(403);
    expect(system.body.code).toBe("FORBIDDEN");
    expect((await stack.rest("GET", "/Clients/me", { token: null })).status).toBe(401);
  });
});
