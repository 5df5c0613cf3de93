/**
 * The gateway's upstream graphql-ws pool against a subgraph that goes away while the connection
 * is being made: a subscription released meanwhile leaves no unhandled rejection behind
 * (graphql-ws's dispose() awaits the connection attempt and rejects with its CloseEvent; in the
 * gateway's process an unhandled rejection is fatal).
 */
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { UpstreamPool } from "../../gateway/subscriptions/upstream";

describe("UpstreamPool", () => {
  it("When a subscription is released during the handshake and the subgraph then closes with 1001, then nothing is left unhandled", async () => {
    // A "subgraph" that accepts the socket and goes away (1001) before acknowledging it.
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    let closed: () => void = () => undefined;
    const goneAway = new Promise<void>((resolve) => (closed = resolve));
    server.on("connection", (socket) => {
      socket.on("message", () =>
        setTimeout(() => {
          socket.close(1001, "Going away");
          closed();
        }, 300),
      );
    });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    const { port } = server.address() as AddressInfo;
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", record);
    try {
      const pool = new UpstreamPool(() => `http://127.0.0.1:${port}/graphql`, 60_000);
      const release = pool.subscribe("transfer", "token", "subscription { x }", {
        next: () => undefined,
        error: () => undefined,
        complete: () => undefined,
      });
      // Released once connection_init is on its way, before the subgraph answers it.
      await new Promise((resolve) => setTimeout(resolve, 50));
      release();
      await goneAway;
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled).toEqual([]);
      expect(pool.stats()).toEqual({ connections: 0, subscriptions: 0 });
    } finally {
      process.off("unhandledRejection", record);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
