/**
 * The floor of bench/subscriptions.ts: a bare `ws` server on this machine writing one prebuilt
 * graphql-ws `next` message to every socket, with nothing else (no relay, no query, no
 * subgraph). What the bench measures of the gateway on top of it is the stack's own share; what
 * it measures of this server is the machine's (its kernel's loopback writes and the bench
 * client's reads of N sockets on the same two cores).
 *
 * Started by the bench as `node dist/bench/broadcast-floor.js PORT` with an IPC channel. It
 * answers `connection_init` with `connection_ack` and takes any `subscribe`; on each IPC message
 * `"event"` it writes one message whose `changedAt` is the moment of writing, and answers the
 * IPC message once every socket was written.
 */
import { WebSocketServer } from "ws";

const port = Number(process.argv[2]);
const server = new WebSocketServer({ host: "127.0.0.1", port });
let sequence = 0;

server.on("connection", (socket) => {
  socket.on("message", (data) => {
    const { type } = JSON.parse(String(data)) as { type: string };
    if (type === "connection_init") socket.send(JSON.stringify({ type: "connection_ack" }));
  });
});

server.on("listening", () => process.send?.("listening"));

process.on("message", (message) => {
  if (message !== "event") return;
  const event = {
    sequence: ++sequence,
    status: "PROCESSING",
    changedAt: new Date().toISOString(),
    transfer: { account: { balance: { available: "1000.00" } } },
  };
  // One Buffer for every socket, written as text, as the gateway's fan-out does.
  const frame = Buffer.from(
    JSON.stringify({ id: "1", type: "next", payload: { data: { transferStatusChanged: event } } }),
  );
  for (const socket of server.clients) socket.send(frame, { binary: false });
  process.send?.("written");
});

process.on("disconnect", () => server.close(() => process.exit(0)));
