/**
 * The edge between the gateway and its subgraphs, with the subgraphs in processes of their own:
 * bursts separated by idle gaps around a subgraph's keep-alive timeout never fail; a stopped
 * subgraph answers SUBGRAPH_UNAVAILABLE (503) for queries, mutations and REST alike; a request
 * that never left is sent once more, anything else never; slow clients are cut off; a default
 * start listens on loopback only; /metrics and /readyz's details are closed outside development.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { mintToken } from "../../common/auth/tokens";
import { loadConfig } from "../../common/config";
import { startGateway, type GatewayServer } from "../../gateway/server";
import { CREATE_PAYMENT, paymentInput } from "../helpers/ledger";
import { type ServiceProcess, startServiceProcess } from "../helpers/processes";
import { suiteDatabase, testConfig } from "../helpers/stack";

const COUNT_CLIENTS = `query CountClients { clients(first: 1) { totalCount } }`;
const COUNT_ACCOUNTS = `query CountAccounts { accounts(first: 1) { totalCount } }`;

/** The subgraphs' keep-alive in this suite: short, so that the race it invites is quick to provoke. */
const SUBGRAPH_KEEPALIVE_MS = 2_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A subgraph's own `main.ts` in a process of its own, on a free port of loopback, over the suite's database. */
function subgraphProcess(name: "client" | "ledger", env: Record<string, string> = {}) {
  return startServiceProcess(`subgraphs/${name}/main.ts`, {
    DATABASE_URL: database.url,
    HOST: "127.0.0.1",
    [`${name.toUpperCase()}_SUBGRAPH_PORT`]: "0",
    LEDGER_CURRENCIES: "EUR,USD,JPY,BHD",
    ...env,
  });
}

let database: { url: string; drop: () => Promise<void> };
let client: ServiceProcess;
let ledger: ServiceProcess;
let gateway: GatewayServer;
let token: string;

beforeAll(async () => {
  database = await suiteDatabase();
  const env = { HTTP_KEEPALIVE_TIMEOUT_MS: String(SUBGRAPH_KEEPALIVE_MS) };
  [client, ledger] = await Promise.all([subgraphProcess("client", env), subgraphProcess("ledger", env)]);
  const config = testConfig();
  gateway = await startGateway(config, { subgraphUrls: { client: client.url, ledger: ledger.url } });
  token = await mintToken(config.auth, { kind: "system", subject: "edge-test" });
}, 60_000);
afterAll(async () => {
  await gateway.stop();
  await Promise.all([client.kill(), ledger.kill()]);
  await database.drop();
});

async function post(url: string, query: string, variables: Record<string, unknown> = {}) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  return {
    status: response.status,
    retryAfter: response.headers.get("retry-after"),
    body: (await response.json()) as { data?: any; errors?: Array<{ message: string; extensions?: any }> },
  };
}

describe("gateway -> subgraph connections", () => {
  it("When bursts are separated by idle gaps around the subgraph's keep-alive timeout, then not one request fails", async () => {
    const failures: unknown[] = [];
    const burst = async (size: number) => {
      const answers = await Promise.all(Array.from({ length: size }, () => post(gateway.url, COUNT_CLIENTS)));
      for (const answer of answers) {
        if (answer.status !== 200 || answer.body.errors) failures.push(answer.body.errors ?? answer.status);
      }
      return answers.length;
    };
    let sent = await burst(60);
    // The gaps straddle the moment the subgraph closes an idle connection.
    for (const gap of [1_900, 1_950, 2_000, 2_020, 2_050, 2_100, 2_200]) {
      await sleep(gap);
      sent += await burst(30);
    }
    expect(sent).toBe(270);
    expect(failures).toEqual([]);
  }, 60_000);

  it("When a request cannot connect at first but the subgraph listens a moment later, then it is sent once more and answers", async () => {
    const port = await freePort();
    let received = 0;
    const standIn = http.createServer((req, res) => {
      received++;
      req.resume();
      res
        .setHeader("content-type", "application/json")
        .end(JSON.stringify({ data: { clients: { totalCount: 7 } } }));
    });
    const late = await startGateway(testConfig(), {
      subgraphUrls: { client: `http://127.0.0.1:${port}/graphql`, ledger: ledger.url },
    });
    try {
      const answer = post(late.url, COUNT_CLIENTS);
      setTimeout(() => standIn.listen(port, "127.0.0.1"), 30);
      expect((await answer).body).toEqual({ data: { clients: { totalCount: 7 } } });
      expect(received).toBe(1);
    } finally {
      await late.stop();
      await new Promise((resolve) => standIn.close(resolve));
    }
  });

  it("When a subgraph takes a mutation and drops the connection, then it is not sent again and the caller gets SUBGRAPH_UNAVAILABLE", async () => {
    let received = 0;
    const dropper = http.createServer((req) => {
      received++;
      req.resume();
      req.on("end", () => req.socket.destroy());
    });
    await new Promise<void>((resolve) => dropper.listen(0, "127.0.0.1", resolve));
    const port = (dropper.address() as AddressInfo).port;
    const dropping = await startGateway(testConfig(), {
      subgraphUrls: { client: client.url, ledger: `http://127.0.0.1:${port}/graphql` },
    });
    try {
      const answer = await post(dropping.url, CREATE_PAYMENT, {
        input: paymentInput(randomUUID(), randomUUID(), "1.00"),
        key: randomUUID(),
      });
      await sleep(300);
      expect(received).toBe(1);
      expect(answer.status).toBe(503);
      // It may have been applied: said so, and no invitation to repeat it as it is.
      expect(answer.retryAfter).toBeNull();
      expect(answer.body.errors).toEqual([
        {
          message: expect.stringMatching(/^The ledger service dropped the request; it may have been applied/),
          extensions: { code: "SUBGRAPH_UNAVAILABLE", requestSent: true },
        },
      ]);
    } finally {
      await dropping.stop();
      await new Promise((resolve) => dropper.close(resolve));
    }
  });

  it("When a connection to a subgraph that announces no keep-alive has been idle for SUBGRAPH_IDLE_TIMEOUT_MS, then the gateway closes it and connects anew", async () => {
    const sockets: net.Socket[] = [];
    const standIn = http.createServer((req, res) => {
      if (!sockets.includes(req.socket)) sockets.push(req.socket);
      req.resume();
      res
        .setHeader("content-type", "application/json")
        .end(JSON.stringify({ data: { clients: { totalCount: 1 } } }));
    });
    standIn.keepAliveTimeout = 0; // never closes an idle connection, and so announces no timeout
    await new Promise<void>((resolve) => standIn.listen(0, "127.0.0.1", resolve));
    const { port } = standIn.address() as AddressInfo;
    const idling = await startGateway(
      { ...testConfig(), upstream: { ...testConfig().upstream, idleTimeoutMs: 300 } },
      { subgraphUrls: { client: `http://127.0.0.1:${port}/graphql`, ledger: ledger.url } },
    );
    try {
      await post(idling.url, COUNT_CLIENTS);
      await sleep(100);
      await post(idling.url, COUNT_CLIENTS);
      expect(sockets).toHaveLength(1); // reused within the idle timeout
      await sleep(700);
      expect(sockets[0].destroyed).toBe(true); // closed by the gateway: the stand-in never closes one
      await post(idling.url, COUNT_CLIENTS);
      expect(sockets).toHaveLength(2);
    } finally {
      await idling.stop();
      standIn.closeAllConnections();
      await new Promise((resolve) => standIn.close(resolve));
    }
  });

  it("When more requests run at once than a subgraph takes connections, then they wait in the gateway's pool and none fails", async () => {
    const capped = await subgraphProcess("client", { HTTP_MAX_CONNECTIONS: "5" });
    const pooled = await startGateway(
      { ...testConfig(), upstream: { ...testConfig().upstream, maxConnections: 4 } },
      { subgraphUrls: { client: capped.url, ledger: ledger.url } },
    );
    try {
      const answers = await Promise.all(Array.from({ length: 40 }, () => post(pooled.url, COUNT_CLIENTS)));
      expect(answers.filter((answer) => answer.status !== 200 || answer.body.errors)).toEqual([]);
    } finally {
      await pooled.stop();
      await capped.kill();
    }
  });
});

describe("a subgraph that is down", () => {
  let stopped: ServiceProcess;
  let partial: GatewayServer;
  beforeAll(async () => {
    stopped = await subgraphProcess("ledger");
    partial = await startGateway(testConfig(), { subgraphUrls: { client: client.url, ledger: stopped.url } });
    expect((await post(partial.url, COUNT_ACCOUNTS)).status).toBe(200);
    await stopped.kill();
  });
  afterAll(() => partial.stop());

  it("When a query or a mutation needs it, then the answer is 503 SUBGRAPH_UNAVAILABLE naming it, with Retry-After", async () => {
    const query = await post(partial.url, COUNT_ACCOUNTS);
    const mutation = await post(partial.url, CREATE_PAYMENT, {
      input: paymentInput(randomUUID(), randomUUID(), "1.00"),
      key: randomUUID(),
    });
    for (const answer of [query, mutation]) {
      expect(answer.status).toBe(503);
      expect(answer.retryAfter).toBe("1");
      expect(answer.body.errors).toEqual([
        {
          message: "The ledger service could not be reached; nothing was applied, retry after a moment",
          extensions: { code: "SUBGRAPH_UNAVAILABLE", requestSent: false },
        },
      ]);
    }
  });

  it("When a REST route needs it, then it answers 503 with the same code", async () => {
    const response = await fetch(`${partial.baseUrl}/Accounts`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(503);
    const body = (await response.json()) as any;
    expect(JSON.stringify(body)).toContain("SUBGRAPH_UNAVAILABLE");
  });

  it("When a query needs only the subgraphs that are up, then it answers as usual", async () => {
    const answer = await post(partial.url, COUNT_CLIENTS);
    expect(answer.status).toBe(200);
    expect(answer.body.data?.clients.totalCount).toEqual(expect.any(Number));
  });
});

describe("slow clients", () => {
  let server: GatewayServer;
  beforeAll(async () => {
    const config = loadConfig({
      NODE_ENV: "test",
      HOST: "127.0.0.1",
      PORT: "0",
      HTTP_HEADERS_TIMEOUT_MS: "500",
      HTTP_REQUEST_TIMEOUT_MS: "1000",
      HTTP_MAX_CONNECTIONS: "50",
      WS_MAX_CONNECTIONS: "10",
    });
    server = await startGateway(config, { subgraphUrls: { client: client.url, ledger: ledger.url } });
  });
  afterAll(() => server.stop());

  /** Opens `count` connections that each run `trickle` on their socket; resolves with when each closed. */
  async function trickling(count: number, trickle: (socket: net.Socket) => void) {
    const started = Date.now();
    return Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<number>((resolve) => {
            const socket = net.connect({ host: "127.0.0.1", port: server.port }, () => trickle(socket));
            const timer = setInterval(() => {
              if (!socket.destroyed) socket.write(" ");
            }, 200);
            socket.on("error", () => undefined);
            socket.on("close", () => {
              clearInterval(timer);
              resolve(Date.now() - started);
            });
            setTimeout(() => socket.destroy(), 5_000).unref(); // a bound for the test itself
          }),
      ),
    );
  }

  it("When clients send their headers a few bytes at a time, then each is cut off at the headers timeout", async () => {
    const closedAfter = await trickling(20, (socket) =>
      socket.write("POST /graphql HTTP/1.1\r\nHost: x\r\nX-Slow:"),
    );
    for (const ms of closedAfter) expect(ms).toBeLessThan(2_500);
  });

  it("When clients trickle a body, then each is cut off at the request timeout", async () => {
    const closedAfter = await trickling(20, (socket) =>
      socket.write(
        "POST /graphql HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{",
      ),
    );
    for (const ms of closedAfter) expect(ms).toBeLessThan(3_000);
  });

  it("When more connections are opened than the server takes, then the extra ones are closed at once", async () => {
    const sockets: net.Socket[] = [];
    let closed = 0;
    for (let i = 0; i < 70; i++) {
      const socket = net.connect({ host: "127.0.0.1", port: server.port });
      socket.on("error", () => undefined);
      socket.on("close", () => closed++);
      sockets.push(socket);
    }
    await sleep(300);
    // 50 HTTP connections plus the 10 WebSocket ones the gateway makes room for.
    expect(closed).toBe(10);
    for (const socket of sockets) socket.destroy();
  });
});

describe("defaults", () => {
  it("When HOST is not set, then the services listen on loopback only", async () => {
    expect(loadConfig({}).gateway.host).toBe("127.0.0.1");
    expect(loadConfig({}).subgraphs.ledger.host).toBe("127.0.0.1");
    const started = await subgraphProcess("client", { HOST: "" });
    try {
      expect(started.address).toBe("127.0.0.1");
    } finally {
      await started.kill();
    }
  });

  it("When HOST is beyond loopback and the development secret is in use, then the services refuse to start", () => {
    expect(() => loadConfig({ HOST: "0.0.0.0" })).toThrow(/set JWT_SECRET/);
    expect(loadConfig({ HOST: "0.0.0.0", JWT_SECRET: "a-real-secret" }).gateway.host).toBe("0.0.0.0");
  });

  it("When a request or a WebSocket upgrade names another site as Host on the development secret (DNS rebinding), then it is refused", async () => {
    const ask = (target: string, headers: Record<string, string>) =>
      new Promise<number>((resolve, reject) => {
        http
          .get(target, { headers }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          })
          .on("error", reject);
      });
    const rebound = { host: "rebind.attacker.example", authorization: `Bearer ${token}` };
    expect(await ask(`${gateway.baseUrl}/healthz`, rebound)).toBe(403);
    expect(await ask(`${client.url.replace("/graphql", "/healthz")}`, rebound)).toBe(403);
    expect(await ask(`${gateway.baseUrl}/healthz`, { host: `localhost:${gateway.port}` })).toBe(200);
    const upgrade = {
      ...rebound,
      connection: "Upgrade",
      upgrade: "websocket",
      "sec-websocket-version": "13",
      "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
      "sec-websocket-protocol": "graphql-transport-ws",
    };
    expect(await ask(gateway.url, upgrade)).toBe(403);
    // A real secret serves whatever Host a proxy in front forwards.
    const served = await startGateway(
      loadConfig({ NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", JWT_SECRET: "a-real-secret" }),
      { subgraphUrls: { client: client.url, ledger: ledger.url } },
    );
    try {
      expect(await ask(`${served.baseUrl}/healthz`, rebound)).toBe(200);
    } finally {
      await served.stop();
    }
  });

  it("When OPS_TOKEN is set, then /metrics and /readyz's details need it, while /readyz's status stays open", async () => {
    const config = loadConfig({ NODE_ENV: "test", HOST: "127.0.0.1", PORT: "0", OPS_TOKEN: "ops-secret" });
    const closed = await startGateway(config, { subgraphUrls: { client: client.url, ledger: ledger.url } });
    try {
      expect((await fetch(`${closed.baseUrl}/metrics`)).status).toBe(401);
      const scraped = await fetch(`${closed.baseUrl}/metrics`, {
        headers: { authorization: "Bearer ops-secret" },
      });
      expect(scraped.status).toBe(200);
      expect(await scraped.text()).toContain("graphql_requests_total");

      const anonymous = await fetch(`${closed.baseUrl}/readyz`);
      expect(Object.keys((await anonymous.json()) as object)).toEqual(["status"]);
      const operator = await fetch(`${closed.baseUrl}/readyz`, {
        headers: { authorization: "Bearer ops-secret" },
      });
      expect(((await operator.json()) as any).checks).toMatchObject({ supergraph: "ok", client: "ok" });
    } finally {
      await closed.stop();
    }
  });

  it("When OPS_TOKEN is unset, then /metrics and /readyz's details are open only to a development start on loopback", async () => {
    expect(loadConfig({}).ops).toEqual({ token: undefined, open: true });
    expect(loadConfig({ HOST: "0.0.0.0", JWT_SECRET: "s" }).ops).toEqual({ token: undefined, open: false });
    const production = loadConfig({ NODE_ENV: "production", JWT_SECRET: "s", HOST: "127.0.0.1", PORT: "0" });
    expect(production.ops).toEqual({ token: undefined, open: false });
    const closed = await startGateway(production, {
      subgraphUrls: { client: client.url, ledger: ledger.url },
    });
    try {
      expect((await fetch(`${closed.baseUrl}/metrics`)).status).toBe(401);
      const readiness = await fetch(`${closed.baseUrl}/readyz`);
      expect(Object.keys((await readiness.json()) as object)).toEqual(["status"]);
    } finally {
      await closed.stop();
    }
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
