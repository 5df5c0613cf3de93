/**
 * What the gateway sends to subgraphs: the caller's token and the request id, and a
 * mutation exactly once even when the subgraph connection fails.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mintToken } from "../../common/auth/tokens";
import { type GatewayServer, startGateway } from "../../gateway/server";
import { testConfig } from "../helpers/stack";

interface Seen {
  headers: http.IncomingHttpHeaders;
  body: string;
}

let fake: http.Server;
let gateway: GatewayServer;
let token: string;
const seen: Seen[] = [];
let behaviour: "drop" | "answer" = "answer";

beforeAll(async () => {
  fake = http.createServer((req, res) => {
    let body = "";
    req.on("data", (chunk) => (body += chunk));
    req.on("end", () => {
      seen.push({ headers: req.headers, body });
      if (behaviour === "drop") {
        req.socket.destroy();
        return;
      }
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ data: { blockClient: { status: "BLOCKED" } } }));
    });
  });
  await new Promise<void>((resolve) => fake.listen(0, "127.0.0.1", resolve));
  const config = testConfig();
  const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/graphql`;
  gateway = await startGateway(config, { subgraphUrls: { client: url } });
  token = await mintToken(config.auth, { kind: "system", subject: "transport-test" });
});
afterAll(async () => {
  await gateway.stop();
  await new Promise((resolve) => fake.close(resolve));
});

async function block(requestId: string) {
  const response = await fetch(gateway.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${token}`,
      "x-request-id": requestId,
    },
    body: JSON.stringify({
      query: `mutation { blockClient(id: "00000000-0000-4000-8000-000000000001") { status } }`,
    }),
  });
  return (await response.json()) as { data?: any; errors?: any[] };
}

describe("gateway -> subgraph transport", () => {
  it("When a request is relayed, then the subgraph receives the caller's token and the request id", async () => {
    seen.length = 0;
    behaviour = "answer";
    const result = await block("transport-req-1");
    expect(result.data).toEqual({ blockClient: { status: "BLOCKED" } });
    expect(seen).toHaveLength(1);
    expect(seen[0].headers.authorization).toBe(`Bearer ${token}`);
    expect(seen[0].headers["x-request-id"]).toBe("transport-req-1");
  });

  it("When the subgraph drops the connection during a mutation, then the gateway does not send it again", async () => {
    seen.length = 0;
    behaviour = "drop";
    const result = await block("transport-req-2");
    expect(result.errors?.length).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toHaveLength(1);
  });

  it.each([
    [
      "an operation name the document lacks",
      { query: "query A { __typename }", operationName: "B" },
      'no operation named "B"',
    ],
    [
      "two operations and no name",
      { query: "query A { __typename } query B { __typename }" },
      "operationName",
    ],
  ])("When the request names %s, then it is a 400 saying so, not a 500", async (_, body, message) => {
    const response = await fetch(gateway.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(400);
    const answer = (await response.json()) as {
      errors: Array<{ message: string; extensions: { code: string } }>;
    };
    expect(answer.errors[0].message).toContain(message);
  });
});
