/**
 * A subgraph's `/graphql` over plain node:http (common/graphql/lean-endpoint.ts): what a caller
 * sees is what the express chain answered, and a list counts only when `totalCount` is asked.
 */
import "reflect-metadata";
import { randomUUID } from "node:crypto";
import { mintToken } from "../../common/auth/tokens";
import { type ClientSubgraph, startClientSubgraph } from "../../subgraphs/client/server";
import { captureLogs } from "../helpers/ops";
import pg from "pg";
import { suiteDatabase, testConfig } from "../helpers/stack";

const LIST = `query HttpPathClients { clients(first: 2) { nodes { id } pageInfo { hasNextPage } } }`;
const COUNTED = `query HttpPathCount { clients(first: 2) { nodes { id } totalCount } }`;

describe("A subgraph's /graphql over node:http", () => {
  let subgraph: ClientSubgraph;
  let token: string;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const config = testConfig();
    const database = await suiteDatabase();
    drop = database.drop;
    subgraph = await startClientSubgraph(config, database.url);
    token = await mintToken(config.auth, { kind: "system", subject: "test-system" });
    const db = new pg.Client({ connectionString: database.url });
    await db.connect();
    await db.query(`
      INSERT INTO client.client (type, status, risk_level, address_street_line1, address_city, address_zip,
                                 address_country, phone_number, legal_name)
      SELECT 'company', 'active', 'low', 'Main Street 1', 'Berlin', '10115', 'DE', '+4930123456', 'Firm ' || n
        FROM generate_series(1, 3) AS n`);
    await db.end();
  });
  afterAll(async () => {
    await subgraph.stop();
    await drop();
  });

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(subgraph.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
      body,
    });

  it("When a JSON request carries x-request-id, then the answer and the request's log line carry it", async () => {
    const sent = `http-${randomUUID()}`;
    const capture = captureLogs();
    try {
      const response = await post(JSON.stringify({ query: LIST }), { "x-request-id": sent });
      expect(response.status).toBe(200);
      expect(response.headers.get("x-request-id")).toBe(sent);
      expect(response.headers.get("content-type")).toMatch(/^application\/json/);
      const body = (await response.json()) as { data: { clients: { nodes: unknown[] } } };
      expect(body.data.clients.nodes).toHaveLength(2);
      expect(capture.lines.filter((line) => line.msg === "graphql request")).toEqual([
        expect.objectContaining({
          service: "client",
          requestId: sent,
          operation: "HttpPathClients",
          outcome: "ok",
        }),
      ]);
    } finally {
      capture.stop();
    }
  });

  it("When a request has no usable x-request-id, then the subgraph makes one and answers it", async () => {
    const response = await post(JSON.stringify({ query: LIST }), { "x-request-id": "not plain <id>" });
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("When the body is not JSON (or not an object), then 400 BAD_REQUEST in the GraphQL error shape", async () => {
    for (const body of ["{not json", '"a string"', ""]) {
      const response = await post(body);
      expect(response.status).toBe(400);
      expect(response.headers.get("x-request-id")).toEqual(expect.any(String));
      expect(((await response.json()) as any).errors[0].extensions.code).toBe("BAD_REQUEST");
    }
  });

  it("When the body is over 2 MB, then 413 PAYLOAD_TOO_LARGE", async () => {
    const response = await post(JSON.stringify({ query: LIST, padding: "x".repeat(2 * 1024 * 1024) }));
    expect(response.status).toBe(413);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
  });

  it("When the body is in a charset other than UTF-8, then the express chain answers 415 as before", async () => {
    const response = await post(JSON.stringify({ query: LIST }), {
      "content-type": "application/json; charset=latin1",
    });
    expect(response.status).toBe(415);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe("UNSUPPORTED_MEDIA_TYPE");
  });

  it("When no token is sent, then 401 UNAUTHENTICATED", async () => {
    const response = await post(JSON.stringify({ query: LIST }), { authorization: "" });
    expect(response.status).toBe(401);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe("UNAUTHENTICATED");
  });

  it("When a list is asked without totalCount, then one statement reads it; with totalCount, a second counts", async () => {
    const before = subgraph.statements.count;
    expect((await post(JSON.stringify({ query: LIST }))).status).toBe(200);
    expect(subgraph.statements.count - before).toBe(1);
    const counted = (await (await post(JSON.stringify({ query: COUNTED }))).json()) as any;
    expect(counted.data.clients.totalCount).toBeGreaterThanOrEqual(3);
    expect(subgraph.statements.count - before).toBe(3);
  });
});
