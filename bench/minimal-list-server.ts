/**
 * The yardstick of `bench/lists.ts`: the least a service can do to answer a 20-item list the way
 * a subgraph does, as its own process: `node:http`, one `pg` pool, the same bearer-token check
 * and the same JSON, byte for byte (bench/list-rows.ts; the bench compares them). No GraphQL:
 * the operation name picks a fixed SQL statement.
 *
 * `node dist/bench/minimal-list-server.js` with DATABASE_URL and PORT; prints `listening <port>`.
 * A pattern for other benches' minimal servers (a JSON POST in, one SQL call, JSON out).
 */
import "../common/heap-flags"; // the services' V8 setting, as every server a bench compares
import http from "node:http";
import { LISTS, listPage, pool, tokenRefusal } from "./list-rows";

async function answer(body: { operationName?: string; variables?: { first?: number } }, authorization = "") {
  const refusal = await tokenRefusal(authorization);
  if (refusal) return { status: 401, json: { errors: [{ message: refusal }] } };
  const list = LISTS[body.operationName ?? ""];
  if (!list) return { status: 400, json: { errors: [{ message: "unknown operation" }] } };
  const page = await listPage(body.operationName!, body.variables?.first ?? 20);
  return { status: 200, json: { data: { [list.field]: page } } };
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    answer(JSON.parse(Buffer.concat(chunks).toString("utf8")), req.headers.authorization)
      .then(({ status, json }) => {
        res
          .writeHead(status, { "content-type": "application/json; charset=utf-8" })
          .end(JSON.stringify(json));
      })
      .catch((error: Error) => {
        res
          .writeHead(500, { "content-type": "application/json" })
          .end(JSON.stringify({ error: error.message }));
      });
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${(server.address() as { port: number }).port}\n`);
});
process.on("SIGTERM", () => {
  server.close(() => void pool.end().then(() => process.exit(0)));
  server.closeAllConnections();
});
