/**
 * `node dist/bench/minimal-ledger.js` (started by bench/cost.ts, never in service): the floor the
 * ledger subgraph is measured against. A bare `node:http` server with a `pg` pool that does what
 * a `createPayment` must: the same JWT check (TokenVerifier), the body read as JSON, the account
 * currencies looked up once and cached, the amount parsed in its currency, the same request hash,
 * and the same one call of `ledger.create_payment`. No GraphQL, no framework, no request scope,
 * logging or metrics.
 *
 * `POST /pay` with `{debitAccountId, creditAccountId, amount, description, idempotencyKey}`:
 * 200 `{id, status}`, or 4xx/5xx `{code}`. Environment: DATABASE_URL, PORT, and the JWT keys.
 *
 * With `BENCH_FLOOR=apollo` it is the floor instead: the same work as the `createPayment`
 * mutation of a few lines of SDL, served by Apollo Server as shipped (`startStandaloneServer`,
 * `buildSubgraphSchema`), with no type-graphql, TypeORM, limits, metrics or request scope: what
 * Apollo Server and graphql-js alone add to the minimal server.
 */
import "../common/heap-flags"; // the services' V8 setting, as every server a bench compares
import http from "node:http";
import { randomUUID } from "node:crypto";
import { ApolloServer } from "@apollo/server";
import { startStandaloneServer } from "@apollo/server/standalone";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { GraphQLError, parse } from "graphql";
import { Pool } from "pg";
import { parseAmount } from "../common/amount";
import type { Caller } from "../common/auth/caller";
import { TokenVerifier } from "../common/auth/tokens";
import { loadConfig } from "../common/config";
import { AppError, statusOf } from "../common/errors";
import { requestHash } from "../common/request-hash";

interface Payment {
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  description: string;
}

const config = loadConfig();
const verifier = new TokenVerifier(config.auth);
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: config.databasePoolSize });
const currencies = new Map<string, string>();

async function currencyOf(debit: string, credit: string): Promise<string> {
  const missing = [debit, credit].filter((id) => !currencies.has(id));
  if (missing.length) {
    const { rows } = await pool.query<{ id: string; currency: string }>(
      `SELECT id, currency FROM ledger.account WHERE id = ANY ($1)`,
      [missing],
    );
    for (const row of rows) currencies.set(row.id, row.currency);
  }
  const currency = currencies.get(debit);
  if (!currency || currencies.get(credit) !== currency) throw new AppError("CURRENCY_MISMATCH", "accounts");
  return currency;
}

async function pay(caller: Caller, body: Payment, idempotencyKey: string): Promise<unknown> {
  if (caller.kind !== "system") throw new AppError("FORBIDDEN", "system only");
  const { debitAccountId: debit, creditAccountId: credit } = body;
  const currency = await currencyOf(debit, credit);
  const amount = parseAmount(body.amount, currency);
  const hash = requestHash(["IMMEDIATE", debit, credit, amount.toString(), currency, body.description, null]);
  const { rows } = await pool.query<{ id: string; status: string }>(
    `SELECT id, status FROM ledger.create_payment($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      "IMMEDIATE",
      idempotencyKey,
      hash,
      debit,
      credit,
      amount.toString(),
      currency,
      body.description,
      null,
      caller.subject,
      randomUUID(),
    ],
  );
  return rows[0];
}

/** The minimal server: `node:http`, nothing else. */
function serveMinimal(): void {
  const server = http.createServer((request, response) => {
    let text = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => (text += chunk));
    request.on("end", () => {
      const answer = (status: number, value: unknown) => {
        const json = JSON.stringify(value);
        response.writeHead(status, {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(json),
        });
        response.end(json);
      };
      if (request.method !== "POST" || request.url !== "/pay") return answer(404, { code: "NOT_FOUND" });
      const body = JSON.parse(text) as Payment & { idempotencyKey: string };
      verifier
        .callerFromHeader(request.headers.authorization)
        .then((caller) => pay(caller, body, body.idempotencyKey))
        .then(
          (value) => answer(200, value),
          (error: unknown) => {
            const code =
              error instanceof AppError
                ? error.code
                : (error as { code?: string }).code === "LG001"
                  ? (error as Error).message
                  : "INTERNAL_SERVER_ERROR";
            answer(
              error instanceof AppError ? statusOf(code) : code === "INTERNAL_SERVER_ERROR" ? 500 : 409,
              {
                code,
              },
            );
          },
        );
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(Number(process.env.PORT), "127.0.0.1");
  process.on("SIGTERM", () => {
    server.close();
    server.closeAllConnections();
    void pool.end();
  });
}

/** The floor: the same work behind Apollo Server as shipped. */
async function serveFloor(): Promise<void> {
  const typeDefs = parse(`
    type Query { ok: Boolean }
    type Mutation { createPayment(input: PaymentInput!, idempotencyKey: String!): Payment! }
    input PaymentInput { debitAccountId: ID! creditAccountId: ID! amount: String! description: String! }
    type Payment { id: ID! status: String! }
  `);
  const apollo = new ApolloServer<{ caller: Caller }>({
    schema: buildSubgraphSchema({
      typeDefs,
      resolvers: {
        Mutation: {
          createPayment: (
            _root: unknown,
            args: { input: Payment; idempotencyKey: string },
            context: unknown,
          ) => pay((context as { caller: Caller }).caller, args.input, args.idempotencyKey),
        },
      },
    }),
  });
  await startStandaloneServer(apollo, {
    listen: { port: Number(process.env.PORT), host: "127.0.0.1" },
    context: async ({ req }) => {
      try {
        return { caller: await verifier.callerFromHeader(req.headers.authorization) };
      } catch {
        throw new GraphQLError("unauthenticated", {
          extensions: { code: "UNAUTHENTICATED", http: { status: 401 } },
        });
      }
    },
  });
  process.on("SIGTERM", () => void apollo.stop().then(() => pool.end()));
}

if (process.env.BENCH_FLOOR === "apollo") void serveFloor();
else serveMinimal();
