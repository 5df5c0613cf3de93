import net, { type AddressInfo } from "node:net";
import { type GatewayServer, startGateway } from "../../gateway/server";
import { type LedgerSubgraph, startLedgerSubgraph } from "../../subgraphs/ledger/server";
import { startTcpProxy, type TcpProxy } from "../helpers/faults";
import { type Stack, startStack } from "../helpers/stack";

interface Answer {
  status: number;
  body: { status?: string; checks?: Record<string, string> };
}

async function get(url: string, path: string): Promise<Answer> {
  const response = await fetch(new URL(path, url));
  return { status: response.status, body: (await response.json()) as Answer["body"] };
}

/** Asks until `path` answers `status` (a pool notices a lost connection a moment later). */
async function until(url: string, path: string, status: number, timeoutMs = 10_000): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await get(url, path);
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("Health", () => {
  let stack: Stack;
  let services: Record<string, string>;

  beforeAll(async () => {
    stack = await startStack();
    services = {
      gateway: stack.gateway.url,
      client: stack.client.url,
      ledger: stack.ledger.url,
      transfer: stack.transfer.url,
    };
  });
  afterAll(() => stack.stop());

  it("When each service is asked /healthz and /health, then each answers 200", async () => {
    for (const url of Object.values(services)) {
      for (const path of ["healthz", "health"]) {
        expect(await get(url, path)).toEqual({ status: 200, body: { status: "ok" } });
      }
    }
  });

  it("When everything is up, then /readyz answers 200 on every subgraph (its database) and on the gateway (its supergraph and every subgraph)", async () => {
    for (const name of ["client", "ledger", "transfer"]) {
      expect(await get(services[name], "readyz")).toEqual({
        status: 200,
        body: { status: "ready", checks: { database: "ok" } },
      });
    }
    expect(await get(services.gateway, "readyz")).toEqual({
      status: 200,
      body: {
        status: "ready",
        checks: { supergraph: "ok", client: "ok", ledger: "ok", transfer: "ok" },
      },
    });
  });

  describe("When the ledger's database goes away and comes back", () => {
    let proxy: TcpProxy;
    let ledger: LedgerSubgraph;
    let gateway: GatewayServer;

    beforeAll(async () => {
      proxy = await startTcpProxy(stack.databaseUrl);
      ledger = await startLedgerSubgraph(stack.config, proxy.url);
      gateway = await startGateway(stack.config, {
        subgraphUrls: { client: stack.client.url, ledger: ledger.url, transfer: stack.transfer.url },
      });
    });
    afterAll(async () => {
      await gateway.stop();
      await ledger.stop();
      await proxy.close();
    });

    it("then the ledger and the gateway are not ready (503, naming it) while it is gone, alive all along, and ready again once it is back", async () => {
      expect((await get(ledger.url, "readyz")).status).toBe(200);
      expect((await get(gateway.url, "readyz")).status).toBe(200);

      proxy.cut();
      expect(await until(ledger.url, "readyz", 503)).toEqual({
        status: 503,
        body: { status: "not ready", checks: { database: "failed" } },
      });
      expect(await until(gateway.url, "readyz", 503)).toEqual({
        status: 503,
        body: {
          status: "not ready",
          checks: { supergraph: "ok", client: "ok", ledger: "not ready (503: database)", transfer: "ok" },
        },
      });
      expect((await get(ledger.url, "healthz")).status).toBe(200);
      expect((await get(gateway.url, "healthz")).status).toBe(200);

      proxy.restore();
      expect((await until(ledger.url, "readyz", 200)).body).toEqual({
        status: "ready",
        checks: { database: "ok" },
      });
      expect((await until(gateway.url, "readyz", 200)).status).toBe(200);
      // The pool serves requests again, not only the probe.
      const result = await stack.graphql(
        `query { settlementAccount(currency: "EUR") { id } }`,
        {},
        {
          url: gateway.url,
        },
      );
      expect(result.errors).toBeUndefined();
      expect(result.data?.settlementAccount.id).toEqual(expect.any(String));
    });
  });

  it("When a subgraph cannot be reached at all, then the gateway's /readyz answers 503 naming it unreachable", async () => {
    // A port nothing listens on: one just freed.
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const gateway = await startGateway(stack.config, {
      subgraphUrls: {
        client: stack.client.url,
        ledger: stack.ledger.url,
        transfer: `http://127.0.0.1:${port}/graphql`,
      },
    });
    try {
      expect(await get(gateway.url, "readyz")).toEqual({
        status: 503,
        body: {
          status: "not ready",
          checks: { supergraph: "ok", client: "ok", ledger: "ok", transfer: "unreachable" },
        },
      });
    } finally {
      await gateway.stop();
    }
  });
});
