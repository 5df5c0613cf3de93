/**
 * What bench/lists.ts's yardsticks share (bench/minimal-list-server.ts and
 * bench/apollo-list-server.ts): the bearer-token check of the subgraphs (jose, HS256, issuer,
 * audience, `exp` and `sub` required) and, for each list, its SQL and its nodes' JSON, the same
 * as the subgraphs answer byte for byte.
 */
import { createSecretKey } from "node:crypto";
import { jwtVerify } from "jose";
import { Pool } from "pg";
import { loadConfig } from "../common/config";

const config = loadConfig();
export const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: config.databasePoolSize });
const key = createSecretKey(Buffer.from(config.auth.jwtSecret));
const checks = {
  issuer: config.auth.issuer,
  audience: config.auth.audience,
  requiredClaims: ["exp", "sub"],
  algorithms: ["HS256"],
};

/** The reason `authorization` is refused, or undefined for a valid bearer token. */
export async function tokenRefusal(authorization = ""): Promise<string | undefined> {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization)?.[1];
  if (!token) return "A bearer token is required";
  try {
    await jwtVerify(token, key, checks);
    return undefined;
  } catch {
    return "The bearer token is invalid or expired";
  }
}

export interface Row {
  id: string;
  created_at: Date;
  [column: string]: unknown;
}

/** Each list: its SQL (`$1` = rows to read), the GraphQL field it answers and a node's JSON. */
export const LISTS: Record<string, { field: string; sql: string; node(row: Row): Record<string, unknown> }> =
  {
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

/** The first `size` rows of list `name` as a page: nodes and pageInfo, as a subgraph answers. */
export async function listPage(name: string, size: number) {
  const list = LISTS[name]!;
  const { rows } = await pool.query<Row>(list.sql, [size + 1]);
  const nodes = rows.slice(0, size);
  return {
    nodes: nodes.map(list.node),
    pageInfo: {
      hasNextPage: rows.length > size,
      endCursor: nodes.length ? cursor(nodes[nodes.length - 1]) : null,
    },
  };
}
