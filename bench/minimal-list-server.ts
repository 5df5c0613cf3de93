/**
 * The yardstick of `bench/lists.ts`: the least a service can do to answer a 20-item list the way
 * a subgraph does, as its own process: `node:http`, one `pg` pool, the same bearer-token check
 * (jose, HS256, issuer, audience, `exp` and `sub` required) and the same JSON, byte for byte (the
 * bench compares them). No GraphQL: the operation name picks a fixed SQL statement.
 *
 * `node dist/bench/minimal-list-server.js` with DATABASE_URL and PORT; prints `listening <port>`.
 * A pattern for other benches' minimal servers (a JSON POST in, one SQL call, JSON out).
 */
import { createSecretKey } from "node:crypto";
import http from "node:http";
import { jwtVerify } from "jose";
import { Pool } from "pg";
import { loadConfig } from "../common/config";

const config = loadConfig();
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: config.databasePoolSize });
const key = createSecretKey(Buffer.from(config.auth.jwtSecret));
const checks = {
  issuer: config.auth.issuer,
  audience: config.auth.audience,
  requiredClaims: ["exp", "sub"],
  algorithms: ["HS256"],
};

interface Row {
  id: string;
  created_at: Date;
  [column: string]: unknown;
}

/** Each list: its SQL (`$1` = rows to read), the GraphQL field it answers and a node's JSON. */
const LISTS: Record<string, { field: string; sql: string; node(row: Row): Record<string, unknown> }> = {
  Clients: {
    field: "clients",
    sql: `SELECT id, type, status, risk_level, phone_number, email, first_name, last_name, created_at
            FROM client.client ORDER BY created_at, id LIMIT $1`,
    node: (row) => ({
      id: row.id,
      type: String(row.type).toUpperCase(),
      status: String(row.status).toUpperCase(),
      riskLevel: String(row.risk_level).toUpperCase(),
      phoneNumber: row.phone_number,
      email: row.email,
      firstName: row.first_name,
      lastName: row.last_name,
      created: row.created_at.toISOString(),
    }),
  },
  Transfers: {
    field: "transfers",
    sql: `SELECT id, kind, status, amount::text AS amount, currency, reference, created_at
            FROM transfer.transfer ORDER BY created_at, id LIMIT $1`,
    node: (row) => ({
      id: row.id,
      kind: row.kind,
      status: row.status,
      amount: row.amount,
      currency: row.currency,
      reference: row.reference,
      createdAt: row.created_at.toISOString(),
    }),
  },
  Accounts: {
    field: "accounts",
    sql: `SELECT id, number, currency, name, status, created_at
            FROM ledger.account WHERE kind = 'CLIENT' ORDER BY created_at, id LIMIT $1`,
    node: (row) => ({
      id: row.id,
      number: row.number,
      currency: row.currency,
      name: row.name,
      status: row.status,
      createdAt: row.created_at.toISOString(),
    }),
  },
};

const cursor = (row: Row) =>
  Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString("base64url");

async function answer(body: { operationName?: string; variables?: { first?: number } }, authorization = "") {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  if (!token) return { status: 401, json: { errors: [{ message: "A bearer token is required" }] } };
  try {
    await jwtVerify(token, key, checks);
  } catch {
    return { status: 401, json: { errors: [{ message: "The bearer token is invalid or expired" }] } };
  }
  const list = LISTS[body.operationName ?? ""];
  if (!list) return { status: 400, json: { errors: [{ message: "unknown operation" }] } };
  const size = body.variables?.first ?? 20;
  const { rows } = await pool.query<Row>(list.sql, [size + 1]);
  const nodes = rows.slice(0, size);
  return {
    status: 200,
    json: {
      data: {
        [list.field]: {
          nodes: nodes.map(list.node),
          pageInfo: {
            hasNextPage: rows.length > size,
            endCursor: nodes.length ? cursor(nodes[nodes.length - 1]) : null,
          },
        },
      },
    },
  };
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
