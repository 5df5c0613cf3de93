/** Listing, filtering, cursor pagination and status changes of clients. */
import { randomUUID } from "node:crypto";
import { Client as PgClient } from "pg";
import { importClient, type Stack, startStack } from "../helpers/stack";
import { sql } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const LIST = `query($filter: ClientFilterInput, $first: Int, $after: String) {
  clients(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id externalId status riskLevel type }
    edges { cursor node { id } }
  }
}`;

async function insertCompany(tag: string): Promise<string> {
  const [row] = await sql<{ id: string }>(
    stack,
    `INSERT INTO client.client (type, external_id, status, risk_level, legal_name, company_type, industry, turnover,
       address_street_line1, address_city, address_zip, address_country, phone_number, pay_ins_countries)
     VALUES ('company', $1, 'inactive', 'medium', 'Acme Ltd', 'private', 'it', 'between100KAnd500KEur',
       '2 Dock Road', 'London', 'E14', 'GB', '+442070000000', ARRAY['uk','eea'])
     RETURNING id`,
    [`${tag}-company`],
  );
  return row.id;
}

describe("clients(filter, first, after)", () => {
  it("When paging through a filtered list, then every client comes once, in creation order, with the total", async () => {
    const tag = `page-${randomUUID()}`;
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await importClient(stack, { externalId: `${tag}-${i}` }));

    const seen: string[] = [];
    const pages: Array<{ size: number; hasNextPage: boolean }> = [];
    let after: string | null = null;
    do {
      const result: any = await stack.graphql(LIST, { filter: { search: tag }, first: 3, after });
      const page = result.data.clients;
      expect(page.totalCount).toBe(7);
      expect(page.edges.map((e: any) => e.node.id)).toEqual(page.nodes.map((n: any) => n.id));
      seen.push(...page.nodes.map((n: any) => n.id));
      pages.push({ size: page.nodes.length, hasNextPage: page.pageInfo.hasNextPage });
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);

    expect(pages).toEqual([
      { size: 3, hasNextPage: true },
      { size: 3, hasNextPage: true },
      { size: 1, hasNextPage: false },
    ]);
    expect(seen).toEqual(ids);
  });

  it("When filtering by status, type and risk level, then only matching clients come back", async () => {
    const tag = `filter-${randomUUID()}`;
    const low = await importClient(stack, { externalId: `${tag}-low` });
    const high = await importClient(stack, { externalId: `${tag}-high`, riskLevel: "high" });
    const company = await insertCompany(tag);
    await stack.graphql(`mutation($id: ID!) { blockClient(id: $id, reason: "fraud check") { id } }`, {
      id: low,
    });

    const ids = async (filter: Record<string, unknown>) => {
      const result: any = await stack.graphql(LIST, { filter: { search: tag, ...filter } });
      return result.data.clients.nodes.map((n: any) => n.id);
    };
    expect(await ids({ status: "BLOCKED" })).toEqual([low]);
    expect(await ids({ status: "ACTIVE" })).toEqual([high]);
    expect(await ids({ riskLevel: "HIGH" })).toEqual([high]);
    expect(await ids({ type: "COMPANY" })).toEqual([company]);
    expect(await ids({ type: "INDIVIDUAL" })).toEqual([low, high]);
  });

  it("When a company is read over REST, then its documented enums come back in the documented spelling", async () => {
    const company = await insertCompany(`dto-${randomUUID()}`);
    const response = await stack.rest("GET", `/internal/Clients/${company}`);
    expect(response.status).toBe(200);
    expect(response.body.value).toMatchObject({
      type: "company",
      status: "inactive",
      riskLevel: 2,
      legalName: "Acme Ltd",
      companyType: "private",
      industry: "it",
      turnover: "between100KAnd500KEur",
      payInsCountries: ["uk", "eea"],
      identificationDocument: null,
      relatedIndividuals: [],
      customOptions: null,
    });
  });

  it("When the search is part of a full name, a legal name or an email, then it finds the client, through the trigram index", async () => {
    // Letters only: names take no digits.
    const tag = randomUUID()
      .slice(0, 8)
      .replace(/[0-9]/g, (digit) => "ghijklmnop"[Number(digit)]);
    const person = await importClient(stack, {
      externalId: `name-${randomUUID()}`,
      firstName: `Ada${tag}`,
      lastName: `Lovelace${tag}`,
      email: `countess-${tag}@example.com`,
    });
    const company = await insertCompany(`legal-${tag}`);
    await sql(stack, `UPDATE client.client SET legal_name = $2 WHERE id = $1`, [
      company,
      `Analytical ${tag} Ltd`,
    ]);
    const indexes = await sql<{ indexname: string }>(
      stack,
      `SELECT indexname FROM pg_indexes WHERE schemaname = 'client' AND indexname LIKE '%trgm%' ORDER BY 1`,
    );
    expect(indexes.map((row) => row.indexname)).toEqual(["client_search_text_trgm_idx"]);
    const found = async (search: string) => {
      const result: any = await stack.graphql(LIST, { filter: { search } });
      return { ids: result.data.clients.nodes.map((n: any) => n.id), total: result.data.clients.totalCount };
    };
    expect(await found(`${tag} lovelace${tag.toUpperCase()}`)).toEqual({ ids: [person], total: 1 });
    expect(await found(`countess-${tag}@`)).toEqual({ ids: [person], total: 1 });
    expect(await found(`analytical ${tag}`)).toEqual({ ids: [company], total: 1 });
    expect(await found(`${tag} ltd`)).toEqual({ ids: [company], total: 1 });
  });

  it("When a search matches more clients than its count's cap, then totalCount stops at 1,000 and says it is not exact, over GraphQL and REST", async () => {
    const tag = `cap${randomUUID().slice(0, 8)}`;
    const insert = (first: number, last: number) =>
      sql(
        stack,
        `INSERT INTO client.client (type, external_id, status, risk_level, first_name, last_name, date_of_birth,
           address_street_line1, address_city, address_zip, address_country, phone_number)
         SELECT 'individual', $1 || '-' || n, 'active', 'low', 'Ada', 'Lovelace', date '1980-01-01',
                'Main Street 1', 'Berlin', '10115', 'DE', '+4930123456'
           FROM generate_series($2::int, $3::int) AS n`,
        [tag, first, last],
      );
    const COUNT = `query($filter: ClientFilterInput) { clients(filter: $filter, first: 1) { totalCount totalCountIsExact } }`;
    const counted = async (filter: Record<string, unknown>) =>
      ((await stack.graphql(COUNT, { filter })) as any).data.clients;

    await insert(1, 1000);
    expect(await counted({ search: tag.toUpperCase() })).toEqual({
      totalCount: 1000,
      totalCountIsExact: true,
    });
    await insert(1001, 1001);
    expect(await counted({ search: tag })).toEqual({ totalCount: 1000, totalCountIsExact: false });
    // Narrower searches and the counted filters stay exact.
    expect(await counted({ search: `${tag}-100` })).toEqual({ totalCount: 3, totalCountIsExact: true });
    expect((await counted({ status: "ACTIVE" })).totalCountIsExact).toBe(true);

    const page = await stack.rest("GET", `/internal/Clients?search=${tag}&first=2`);
    expect(page.status).toBe(200);
    expect(page.body.value).toMatchObject({ totalCount: 1000, totalCountIsExact: false });
    expect(page.body.value.items).toHaveLength(2);
  });

  it("When the search has LIKE wildcards, then they match literally", async () => {
    const tag = `wild-${randomUUID()}`;
    await importClient(stack, { externalId: `${tag}-a` });
    const result: any = await stack.graphql(LIST, { filter: { search: `${tag.slice(0, 5)}%` } });
    expect(result.data.clients.totalCount).toBe(0);
  });

  it.each([
    [{ first: 0 }, "first", "range"],
    [{ first: 101 }, "first", "range"],
    [{ after: "not-a-cursor" }, "after", "isCursor"],
    [{ filter: { search: "x".repeat(101) } }, "search", "maxLength"],
    // The separator of the columns in search_text (decision 0063) cannot be searched for.
    [{ filter: { search: "Ada\u001fLovelace" } }, "search", "noControlCharacters"],
  ])("When asked for %p, then VALIDATION_FAILED names %s", async (variables, field, rule) => {
    const result = await stack.graphql(LIST, variables);
    expect(result.errors![0].extensions).toMatchObject({ code: "VALIDATION_FAILED" });
    expect(result.errors![0].extensions!.fields).toContainEqual(expect.objectContaining({ field, rule }));
  });
});

describe("client status changes", () => {
  const STATUS = `status statusHistory { from to reason changedBy requestId }`;

  it("When a client is blocked, unblocked and deactivated, then each allowed move is applied and recorded with who and which request", async () => {
    const id = await importClient(stack);
    const headers = { "x-request-id": `req-${randomUUID()}` };
    const blocked = await stack.graphql(
      `mutation($id: ID!) { blockClient(id: $id, reason: "kyc refresh") { ${STATUS} } }`,
      { id },
      { headers },
    );
    expect(blocked.data!.blockClient.status).toBe("BLOCKED");

    const again = await stack.graphql(`mutation($id: ID!) { blockClient(id: $id) { status } }`, { id });
    expect(again.errors![0].extensions).toMatchObject({
      code: "CLIENT_INVALID_STATUS_TRANSITION",
      from: "BLOCKED",
      to: "BLOCKED",
    });

    const toInactive = await stack.graphql(
      `mutation($id: ID!) { setClientStatus(id: $id, status: INACTIVE) { status } }`,
      { id },
    );
    expect(toInactive.errors![0].extensions).toMatchObject({
      code: "CLIENT_INVALID_STATUS_TRANSITION",
      from: "BLOCKED",
      to: "INACTIVE",
    });

    const unblocked = await stack.graphql(`mutation($id: ID!) { unblockClient(id: $id) { status } }`, { id });
    expect(unblocked.data!.unblockClient.status).toBe("ACTIVE");
    const unblockAgain = await stack.graphql(`mutation($id: ID!) { unblockClient(id: $id) { status } }`, {
      id,
    });
    expect(unblockAgain.errors![0].extensions!.code).toBe("CLIENT_INVALID_STATUS_TRANSITION");

    const inactive = await stack.graphql(
      `mutation($id: ID!) { setClientStatus(id: $id, status: INACTIVE, reason: "dormant") { ${STATUS} } }`,
      { id },
    );
    expect(inactive.data!.setClientStatus.status).toBe("INACTIVE");
    expect(inactive.data!.setClientStatus.statusHistory).toEqual([
      {
        from: null,
        to: "ACTIVE",
        reason: "imported",
        changedBy: "test-system",
        requestId: expect.any(String),
      },
      {
        from: "ACTIVE",
        to: "BLOCKED",
        reason: "kyc refresh",
        changedBy: "test-system",
        requestId: headers["x-request-id"],
      },
      {
        from: "BLOCKED",
        to: "ACTIVE",
        reason: null,
        changedBy: "test-system",
        requestId: expect.any(String),
      },
      {
        from: "ACTIVE",
        to: "INACTIVE",
        reason: "dormant",
        changedBy: "test-system",
        requestId: expect.any(String),
      },
    ]);
  });

  it("When two blocks of one client race, then exactly one wins and one history entry is written", async () => {
    const id = await importClient(stack);
    const results = await Promise.all(
      [1, 2, 3].map(() => stack.graphql(`mutation($id: ID!) { blockClient(id: $id) { status } }`, { id })),
    );
    expect(results.filter((r) => r.data?.blockClient?.status === "BLOCKED")).toHaveLength(1);
    expect(
      results.filter((r) => r.errors?.[0].extensions?.code === "CLIENT_INVALID_STATUS_TRANSITION"),
    ).toHaveLength(2);
    const read = await stack.graphql(`query($id: ID!) { client(id: $id) { statusHistory { to } } }`, { id });
    expect(read.data!.client.statusHistory).toEqual([{ to: "ACTIVE" }, { to: "BLOCKED" }]);
  });

  it("When the client does not exist, then CLIENT_NOT_FOUND; a malformed id reads as not found", async () => {
    const missing = await stack.graphql(`mutation($id: ID!) { blockClient(id: $id) { status } }`, {
      id: randomUUID(),
    });
    expect(missing.errors![0].extensions!.code).toBe("CLIENT_NOT_FOUND");
    const malformed = await stack.graphql(`query { client(id: "nope") { id } }`);
    expect(malformed.errors).toBeUndefined();
    expect(malformed.data!.client).toBeNull();
  });

  it("When someone tries to rewrite status history in the database, then PostgreSQL refuses", async () => {
    const id = await importClient(stack);
    const db = new PgClient({ connectionString: stack.databaseUrl });
    await db.connect();
    try {
      await expect(
        db.query("UPDATE client.client_status_change SET reason = 'x' WHERE client_id = $1", [id]),
      ).rejects.toThrow(/append-only/);
      await expect(
        db.query("DELETE FROM client.client_status_change WHERE client_id = $1", [id]),
      ).rejects.toThrow(/append-only/);
    } finally {
      await db.end();
    }
  });
});
