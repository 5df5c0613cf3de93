/**
 * Faults between the orchestrator and its neighbours, to stop a transfer after any step: a
 * proxy in front of the ledger that drops one kind of call (before it reaches the ledger, or
 * after, losing the answer), and a rail wrapper that does the same for the next send. And a
 * TCP proxy in front of PostgreSQL that can be cut, as a database going away, or hold back or cut
 * one statement's connection. And a proxy in front
 * of a subgraph whose next requests for one operation can be cut, its graphql-ws passed through.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import {
  type PaymentRail,
  type RailAnswer,
  type RailOrder,
  RailUnavailableError,
} from "../../subgraphs/transfer/rail/payment-rail";

export type FaultTiming = "before" | "after";

export interface LedgerProxy {
  url: string;
  /** The next ledger call whose body names `operation` fails: unsent ("before") or its answer lost ("after"). */
  failNext(operation: string, timing: FaultTiming): void;
  close(): Promise<void>;
}

export async function startLedgerProxy(ledgerUrl: string): Promise<LedgerProxy> {
  let fault: { operation: string; timing: FaultTiming } | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const hit = fault && body.includes(`${fault.operation}(`) ? fault : null;
      if (hit) fault = null;
      if (hit?.timing === "before") return req.socket.destroy();
      void fetch(ledgerUrl, { method: "POST", headers: req.headers as Record<string, string>, body }).then(
        async (answer) => {
          const payload = Buffer.from(await answer.arrayBuffer());
          if (hit) return req.socket.destroy(); // done at the ledger, the answer lost on the way back
          res.writeHead(answer.status, { "content-type": "application/json" });
          res.end(payload);
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    failNext: (operation, timing) => (fault = { operation, timing }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** A rail whose next send can fail like the proxy's calls; otherwise the wrapped rail answers. */
export class FaultyRail implements PaymentRail {
  private fault: FaultTiming | null = null;

  constructor(readonly inner: PaymentRail) {}

  failNext(timing: FaultTiming): void {
    this.fault = timing;
  }

  async send(order: RailOrder): Promise<RailAnswer> {
    const fault = this.fault;
    this.fault = null;
    if (fault === "before") throw new RailUnavailableError();
    const answer = await this.inner.send(order);
    if (fault === "after") throw new RailUnavailableError("The rail's answer was lost");
    return answer;
  }
}

export interface TcpProxy {
  /** `url` with its host and port replaced by the proxy's. */
  url: string;
  /** Drops every open connection and closes each new one at once, until {@link restore}. */
  cut(): void;
  restore(): void;
  /**
   * The next chunk a client sends that holds `text` is held back, with whatever that client sends
   * after it, until `release()`; or, with `"cut"`, its connection is dropped. `seen` resolves when
   * that chunk comes.
   */
  intercept(text: string, action: "hold" | "cut"): { seen: Promise<void>; release(): void };
  close(): Promise<void>;
}

interface Interception {
  text: string;
  action: "hold" | "cut";
  seen(): void;
  /** The held client's chunks and where they go once released. */
  held?: { client: net.Socket; upstream: net.Socket; chunks: Buffer[] };
}

/** A TCP proxy on 127.0.0.1 in front of the host and port of `url` (a `postgres://` URL). */
export async function startTcpProxy(url: string): Promise<TcpProxy> {
  const target = new URL(url);
  const sockets = new Set<net.Socket>();
  let cut = false;
  let interception: Interception | undefined;
  const server = net.createServer((client) => {
    if (cut) return client.destroy();
    const upstream = net.connect({ host: target.hostname, port: Number(target.port || 5432) });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", drop).on("close", drop);
    }
    upstream.pipe(client);
    client.on("data", (chunk: Buffer) => {
      const watched = interception;
      if (watched?.held?.client === client) return void watched.held.chunks.push(chunk);
      if (watched && !watched.held && chunk.includes(watched.text)) {
        watched.seen();
        if (watched.action === "cut") {
          interception = undefined;
          return drop();
        }
        watched.held = { client, upstream, chunks: [chunk] };
        return;
      }
      upstream.write(chunk);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const proxied = new URL(url);
  proxied.hostname = "127.0.0.1";
  proxied.port = String((server.address() as AddressInfo).port);
  return {
    url: proxied.toString(),
    cut: () => {
      cut = true;
      for (const socket of sockets) socket.destroy();
    },
    restore: () => {
      cut = false;
    },
    intercept: (text, action) => {
      let seen!: () => void;
      const watched: Interception = { text, action, seen: () => seen() };
      const came = new Promise<void>((resolve) => (seen = resolve));
      interception = watched;
      return {
        seen: came,
        release: () => {
          if (interception === watched) interception = undefined;
          for (const chunk of watched.held?.chunks ?? []) watched.held!.upstream.write(chunk);
        },
      };
    },
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

export interface SubgraphProxy {
  /** The subgraph's GraphQL URL with the proxy's host and port: HTTP and graphql-ws both go through. */
  url: string;
  /**
   * The next `times` HTTP requests whose body names `operation` (`transferStatusEvent(`) have
   * their connection cut before they reach the subgraph, as a subgraph that cannot be reached.
   */
  failNext(operation: string, times: number): void;
  /** Requests cut so far. */
  failed(): number;
  close(): Promise<void>;
}

/** A proxy in front of a subgraph that passes its WebSocket upgrades through untouched. */
export async function startSubgraphProxy(subgraphUrl: string): Promise<SubgraphProxy> {
  const target = new URL(subgraphUrl);
  let fault: { operation: string; left: number } | null = null;
  let failed = 0;
  const tunnels = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (fault && fault.left > 0 && body.includes(`${fault.operation}(`)) {
        fault.left--;
        failed++;
        return req.socket.destroy();
      }
      const headers: Record<string, string> = {};
      for (const name of ["authorization", "content-type", "x-request-id", "accept"]) {
        const value = req.headers[name];
        if (typeof value === "string") headers[name] = value;
      }
      fetch(subgraphUrl, { method: req.method, headers, body: req.method === "GET" ? undefined : body })
        .then(async (answer) => {
          res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "" });
          res.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => req.socket.destroy());
    });
  });
  server.on("upgrade", (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    const upstream = net.connect({ host: target.hostname, port: Number(target.port) }, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2)
        lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
      upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    const drop = () => {
      client.destroy();
      upstream.destroy();
      tunnels.delete(client);
      tunnels.delete(upstream);
    };
    for (const socket of [client, upstream]) {
      tunnels.add(socket);
      socket.on("error", drop).on("close", drop);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = new URL(subgraphUrl);
  url.hostname = "127.0.0.1";
  url.port = String((server.address() as AddressInfo).port);
  return {
    url: url.toString(),
    failNext: (operation, times) => (fault = { operation, left: times }),
    failed: () => failed,
    close: () => {
      for (const socket of tunnels) socket.destroy();
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
