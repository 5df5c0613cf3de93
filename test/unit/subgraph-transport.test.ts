/**
 * The subgraph transport (common/graphql/subgraph-transport.ts) reads each answer whole through
 * undici's handler interface (decision 0047): the status and body as sent, whatever the status
 * and however the body is cut into chunks, and a stalled answer is SUBGRAPH_UNAVAILABLE with
 * `requestSent: true` (it may have been applied).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { GraphQLError } from "graphql";
import { SubgraphTransport, subgraphTarget } from "../../common/graphql/subgraph-transport";

const servers: http.Server[] = [];
const transport = new SubgraphTransport({
  idleTimeoutMs: 1_000,
  connectTimeoutMs: 1_000,
  timeoutMs: 300,
  maxConnections: 4,
});

afterAll(async () => {
  await transport.close();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A server on a free loopback port answering with `handler`; its GraphQL URL. */
async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

describe("the subgraph transport", () => {
  it("When an answer comes in several chunks with multi-byte characters cut between them, then the body is read whole", async () => {
    const text = JSON.stringify({ data: { name: "Zoë Müller – 東京 €" } });
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(Buffer.from("東")) + 1; // inside a three-byte character
    let received = "";
    const url = await serve((req, res) => {
      req.on("data", (chunk: Buffer) => (received += chunk.toString()));
      req.on("end", () => {
        res.writeHead(200, { "content-type": "application/json" });
        res.write(bytes.subarray(0, cut));
        setTimeout(() => res.end(bytes.subarray(cut)), 20);
      });
    });
    const answer = await transport.post(
      subgraphTarget("test", url),
      { "content-type": "application/json", authorization: "Bearer x" },
      '{"query":"{ name }"}',
    );
    expect(answer).toEqual({ status: 200, body: text });
    expect(received).toBe('{"query":"{ name }"}');
  });

  it("When a subgraph answers another status with a leading BOM, then status and body are passed on as body.text() read them", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"errors":[]}')]));
    });
    const answer = await transport.post(subgraphTarget("test", url), {}, "{}");
    expect(answer).toEqual({ status: 400, body: '{"errors":[]}' });
  });

  it("When a subgraph sends its headers and then stalls, then the call fails as not answered in time and possibly applied", async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.write('{"data":');
    });
    const failure = (await transport
      .post(subgraphTarget("slow", url), {}, "{}")
      .catch((e) => e)) as GraphQLError;
    expect(failure.extensions).toEqual({ code: "SUBGRAPH_UNAVAILABLE", requestSent: true });
    expect(failure.message).toMatch(/^The slow service did not answer in time/);
  });

  it("When a subgraph closes the connection without an answer, then the call fails as dropped and possibly applied", async () => {
    const url = await serve((req) => req.socket.destroy());
    const failure = (await transport
      .post(subgraphTarget("gone", url), {}, "{}")
      .catch((e) => e)) as GraphQLError;
    expect(failure.extensions).toEqual({ code: "SUBGRAPH_UNAVAILABLE", requestSent: true });
    expect(failure.message).toMatch(/^The gone service dropped the request/);
  });
});
