/**
 * Every environment key the services read, one row each, in the order of the README's
 * "Configuration" table, which test/unit/config-table.test.ts holds equal to this one: its name,
 * its default as the README shows it, what it means, and the parser that reads it. `loadConfig`
 * and `logLevel` read keys only through {@link readKey}, which takes nothing but a name of this
 * table, so a key cannot be read without being documented.
 */
import {
  currencyCode,
  decimal,
  flag,
  fxRates,
  integer,
  optionalFlag,
  optionalHttpUrl,
  optionalOneOf,
  optionalText,
  type Parser,
  text,
} from "./parsers";
import { DOCUMENT_CONFIG_KEYS } from "./document-keys";
import { LEDGER_CONFIG_KEYS } from "./ledger-keys";
import { OPERATION_LIMIT_CONFIG_KEYS } from "./limit-keys";

export const DEVELOPMENT_JWT_SECRET = "development-only-secret-do-not-use-in-production";

/** One key of the table; `default` and `meaning` are its README cells, Markdown included. */
export interface ConfigKeyRow {
  /** As documented. A fixed value is the parser's own fallback; any other `loadConfig` works out. */
  default: string;
  meaning: string;
  /** Turns the key's text into its value, or refuses it naming the key (parsers.ts). */
  parse: Parser<unknown>;
}

export const CONFIG_KEYS = {
  DATABASE_URL: {
    default: "unset: embedded PostgreSQL",
    meaning: "PostgreSQL 14+ server, e.g. `postgres://user:pass@host:5432/db`",
    parse: optionalText,
  },
  EMBEDDED_PG_DIR: {
    default: "`.data/postgres`",
    meaning: "data directory of the embedded PostgreSQL",
    parse: text(".data/postgres"),
  },
  EMBEDDED_PG_PORT: {
    default: "`54329`",
    meaning: "port of the embedded PostgreSQL",
    parse: integer(54329, 0, 65_535),
  },
  HOST: {
    default: "`127.0.0.1`",
    meaning:
      "interface the services listen on; anything beyond loopback (`0.0.0.0`, as in `docker-compose.yml`) needs `JWT_SECRET` or `JWT_JWKS_URL`: the services refuse to serve the network on the public development secret, and on it answer only requests whose `Host` is `localhost`, `127.0.0.1` or `[::1]` (DNS rebinding)",
    parse: text("127.0.0.1"),
  },
  PORT: {
    default: "`4000`",
    meaning: "gateway port (GraphQL, REST, docs)",
    parse: integer(4000, 0, 65_535),
  },
  CLIENT_SUBGRAPH_PORT: {
    default: "`4001`",
    meaning: "client subgraph port",
    parse: integer(4001, 0, 65_535),
  },
  CLIENT_SUBGRAPH_URL: {
    default: "`http://localhost:4001/graphql`",
    meaning: "where a separately run gateway finds the client subgraph",
    parse: optionalHttpUrl,
  },
  LEDGER_SUBGRAPH_PORT: {
    default: "`4002`",
    meaning: "ledger subgraph port",
    parse: integer(4002, 0, 65_535),
  },
  LEDGER_SUBGRAPH_URL: {
    default: "`http://localhost:4002/graphql`",
    meaning: "where a separately run gateway finds the ledger subgraph",
    parse: optionalHttpUrl,
  },
  TRANSFER_SUBGRAPH_PORT: {
    default: "`4003`",
    meaning: "transfer subgraph port",
    parse: integer(4003, 0, 65_535),
  },
  TRANSFER_SUBGRAPH_URL: {
    default: "`http://localhost:4003/graphql`",
    meaning: "where a separately run gateway finds the transfer subgraph",
    parse: optionalHttpUrl,
  },
  ...LEDGER_CONFIG_KEYS,
  REST_BODY_LIMIT: {
    default: "`100kb`",
    meaning: "largest REST request body",
    parse: text("100kb"),
  },
  EXPLORER: {
    default: "`on`; `off` in production",
    meaning: 'GraphiQL for browsers at `/graphql` and `/` (see "Explorer and dashboard")',
    parse: optionalFlag,
  },
  DASHBOARD: {
    default: "`on`; `off` in production",
    meaning: "the live transfer dashboard at `/dashboard`",
    parse: optionalFlag,
  },
  INTROSPECTION: {
    default: "`on`; `off` in production",
    meaning: "GraphQL schema introspection (the explorer's docs and completion need it)",
    parse: optionalFlag,
  },
  ...OPERATION_LIMIT_CONFIG_KEYS,
  JWT_SECRET: {
    default: "development secret",
    meaning: "HS256 secret; required with `NODE_ENV=production` unless `JWT_JWKS_URL` is set",
    parse: text(DEVELOPMENT_JWT_SECRET),
  },
  JWT_JWKS_URL: {
    default: "unset",
    meaning: "JWKS endpoint of the identity provider (RS256/ES256); replaces `JWT_SECRET`",
    parse: optionalHttpUrl,
  },
  JWT_ISSUER: {
    default: "`core-banking`",
    meaning: "required `iss`",
    parse: text("core-banking"),
  },
  JWT_AUDIENCE: {
    default: "`core-banking-api`",
    meaning: "required `aud`",
    parse: text("core-banking-api"),
  },
  SERVICE_TOKEN_URL: {
    default: "unset",
    meaning:
      "with `JWT_JWKS_URL`: the identity provider's OAuth 2.0 token endpoint, where the transfer subgraph gets its own ledger credential (client credentials); required then",
    parse: optionalHttpUrl,
  },
  SERVICE_CLIENT_ID: {
    default: "`transfer-orchestrator`",
    meaning: "client id for `SERVICE_TOKEN_URL`",
    parse: text("transfer-orchestrator"),
  },
  SERVICE_CLIENT_SECRET: {
    default: "empty",
    meaning: "client secret for `SERVICE_TOKEN_URL`",
    parse: text(""),
  },
  HTTP_KEEPALIVE_TIMEOUT_MS: {
    default: "`65000`",
    meaning:
      "every HTTP server closes a keep-alive connection idle this long (it tells clients in `Keep-Alive: timeout=`)",
    parse: integer(65_000, 1_000, 600_000),
  },
  HTTP_HEADERS_TIMEOUT_MS: {
    default: "`10000`",
    meaning:
      "a request's headers must have arrived this long after it began, else 408 and the connection is closed",
    parse: integer(10_000, 100, 300_000),
  },
  HTTP_REQUEST_TIMEOUT_MS: {
    default: "`30000`",
    meaning:
      "the whole request (headers and body) must have arrived by then, else 408 and the connection is closed",
    parse: integer(30_000, 100, 600_000),
  },
  HTTP_MAX_CONNECTIONS: {
    default: "`1000`",
    meaning:
      "connections one HTTP server holds at once (the gateway: plus `WS_MAX_CONNECTIONS`); more are closed as they arrive",
    parse: integer(1_000, 1, 1_000_000),
  },
  SUBGRAPH_IDLE_TIMEOUT_MS: {
    default: "`4000`",
    meaning:
      "the gateway (and the transfer subgraph, to the ledger) closes a pooled connection to a subgraph idle this long (well under `HTTP_KEEPALIVE_TIMEOUT_MS`; a subgraph announcing a shorter keep-alive is honoured, less 1 s)",
    parse: integer(4_000, 100, 600_000),
  },
  SUBGRAPH_CONNECT_TIMEOUT_MS: {
    default: "`2000`",
    meaning: "how long the gateway (and the transfer subgraph) waits to connect to a subgraph",
    parse: integer(2_000, 100, 60_000),
  },
  SUBGRAPH_MAX_CONNECTIONS: {
    default: "`256`",
    meaning:
      "connections the gateway (and the transfer subgraph) opens to one subgraph at most; more requests wait for one (keep it under the subgraph's `HTTP_MAX_CONNECTIONS`)",
    parse: integer(256, 1, 100_000),
  },
  SUBGRAPH_TIMEOUT_MS: {
    default: "`30000`",
    meaning:
      "how long the gateway waits for a subgraph's answer to start, and then between its chunks (the transfer subgraph waits for the ledger at most 10 s)",
    parse: integer(30_000, 100, 600_000),
  },
  OPS_TOKEN: {
    default: "unset",
    meaning:
      "bearer token for `/metrics` and for `/readyz`'s details; unset: open to a development start on loopback, closed otherwise",
    parse: optionalText,
  },
  DATABASE_POOL_SIZE: {
    default: "`8`",
    meaning: "connections per subgraph process (more only queue inside PostgreSQL)",
    parse: integer(8, 1, 200),
  },
  LIST_COUNT_ROLLUP_MS: {
    default: "`5000`",
    meaning:
      "how often a subgraph folds the deltas its triggers append into the exact list counts `totalCount` reads (decision 0043); `0` never, which keeps counts exact but makes them slower to read as deltas pile up",
    parse: integer(5000, 0, 3_600_000),
  },
  NODE_ENV: {
    default: "`development`",
    meaning:
      "`production` refuses the development secret, and turns `EXPLORER`, `DASHBOARD` and `INTROSPECTION` off unless they are set",
    parse: text("development"),
  },
  LOG_LEVEL: {
    default: "`info` (`silent` in tests)",
    meaning: "pino log level; logs are JSON lines on stdout",
    parse: optionalOneOf(["fatal", "error", "warn", "info", "debug", "trace", "silent"]),
  },
  WS_MAX_CONNECTIONS: {
    default: "`20000`",
    meaning:
      "graphql-ws connections one gateway instance accepts; more are closed with 1013 (try again later)",
    parse: integer(20_000, 1, 1_000_000),
  },
  WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: {
    default: "`20`",
    meaning: "subscriptions (and queries running over the socket) one connection may hold open",
    parse: integer(20, 1, 1_000),
  },
  WS_MAX_CONNECTIONS_PER_CALLER: {
    default: "`10`",
    meaning:
      "graphql-ws connections one token subject (`sub`) may hold on one gateway instance; more are closed with 1013",
    parse: integer(10, 1, 1_000_000),
  },
  WS_MAX_SUBSCRIPTIONS_PER_CALLER: {
    default: "`100`",
    meaning:
      "subscriptions one token subject may hold open across its connections on one gateway instance, and one client across all its front-office users; more are answered `TOO_MANY_SUBSCRIPTIONS`",
    parse: integer(100, 1, 10_000_000),
  },
  WS_MAX_BACKLOG_EVENTS: {
    default: "`1000`",
    meaning:
      "results one subscription may have waiting at the gateway for a client that does not read; one more ends it with `SUBSCRIPTION_INTERRUPTED` (resume with `after`: the last event's position)",
    parse: integer(1_000, 1, 1_000_000),
  },
  WS_MAX_BACKLOG_BYTES: {
    default: "`4194304`",
    meaning:
      "bytes (4 MiB by default) a client's socket may have unsent at the gateway (what the operating system's socket buffers hold comes on top); more end its subscriptions with `SUBSCRIPTION_INTERRUPTED`",
    parse: integer(4 * 1024 * 1024, 1_024, 1_073_741_824),
  },
  WS_KEEPALIVE_MS: {
    default: "`12000`",
    meaning:
      "how often the gateway pings each WebSocket, its clients' and its own to the transfer subgraph; one that misses a pong is terminated, so a frozen subgraph is noticed within about twice this",
    parse: integer(12_000, 100, 600_000),
  },
  OTP_TTL_SECONDS: {
    default: "`300`",
    meaning: "lifetime of a one-time code (a transfer's confirmation, an account step-up)",
    parse: integer(300, 10, 3_600),
  },
  OTP_MAX_ATTEMPTS: {
    default: "`3`",
    meaning: "wrong codes before a one-time code locks",
    parse: integer(3, 1, 10),
  },
  OTP_MAX_CODES: {
    default: "`5`",
    meaning:
      "codes a transfer may be sent (the first and resends), then it must be cancelled; codes one user may be sent for one account action in 24 hours",
    parse: integer(5, 1, 20),
  },
  OTP_SECRET: {
    default: "`JWT_SECRET`",
    meaning: "HMAC key under which codes are kept; required in production with `JWT_JWKS_URL`",
    parse: optionalText,
  },
  OTP_GRANT_TTL_SECONDS: {
    default: "`300`",
    meaning:
      "lifetime of the step-up grant a verified account code gives (one sensitive account action, decision 0039)",
    parse: integer(300, 10, 3_600),
  },
  TRANSFER_WORKER: {
    default: "`on`",
    meaning:
      "run the background worker in the transfer subgraph (`off`: only requests and operators run steps)",
    parse: flag(true),
  },
  TRANSFER_WORKER_INTERVAL_MS: {
    default: "`1000`",
    meaning: "how often the worker looks for due transfers",
    parse: integer(1_000, 10, 600_000),
  },
  TRANSFER_LEASE_SECONDS: {
    default: "`30`",
    meaning: "how long a runner holds a transfer before another may take it over",
    parse: integer(30, 1, 3_600),
  },
  RAIL_DELAY_MS: {
    default: "`200`",
    meaning: "the simulated payment rail's answer time",
    parse: integer(200, 0, 60_000),
  },
  RAIL_REJECT_RATE: {
    default: "`0`",
    meaning: "share (0 to 1) of outgoing transfers the simulated rail rejects (fixed per transfer id)",
    parse: decimal(0, 0, 1),
  },
  FX_RATES: {
    default: "`EUR=1,USD=1.085,GBP=0.845,CHF=0.935,JPY=162.5`",
    meaning: "units of each currency per one unit of a common base",
    parse: fxRates("EUR=1,USD=1.085,GBP=0.845,CHF=0.935,JPY=162.5"),
  },
  FX_SPREAD_BPS: {
    default: "`50`",
    meaning: "the bank's spread on the mid rate, in basis points (whole number)",
    parse: integer(50, 0, 2_000),
  },
  FX_QUOTE_TTL_SECONDS: {
    default: "`60`",
    meaning: "how long a quoted rate holds",
    parse: integer(60, 5, 3_600),
  },
  REPORTING_CURRENCY: {
    default: "`EUR`",
    meaning:
      "currency the treasury summary values FX positions in, at the `FX_RATES` (it must have a rate there)",
    parse: currencyCode("EUR"),
  },
  ...DOCUMENT_CONFIG_KEYS,
} satisfies Record<string, ConfigKeyRow>;

export type ConfigKey = keyof typeof CONFIG_KEYS;

/** The value a key's parser gives. */
export type ConfigValue<K extends ConfigKey> = ReturnType<(typeof CONFIG_KEYS)[K]["parse"]>;

/** Reads one key of the table from `env` (an empty value counts as unset). */
export function readKey<K extends ConfigKey>(env: NodeJS.ProcessEnv, key: K): ConfigValue<K> {
  const raw = env[key];
  return CONFIG_KEYS[key].parse(raw === "" ? undefined : raw, key) as ConfigValue<K>;
}

/**
 * Names in the environment that the code writes or reads but that are not settings of the
 * services, with the reason each stays out of {@link CONFIG_KEYS}.
 */
export const NOT_CONFIG_KEYS: Record<string, string> = {
  APOLLO_TELEMETRY_DISABLED:
    "written, never read, by the gateway: it switches @apollo/gateway's outbound telemetry off, always (decision 0008)",
  TEST_DATABASE_URL: "set by the test run's global setup (test/global-setup.ts) for its workers",
  TEST_ADMIN_DATABASE_URL: "set by the test run's global setup (test/global-setup.ts) for its workers",
  CPU_PROFILE_DIR:
    "bench only: where bench/cpu-profile-preload.ts writes the profiles of the processes a bench starts",
  CPU_PROFILE_MATCH: "bench only: which of a bench's processes bench/cpu-profile-preload.ts profiles",
  BENCH_FLOOR:
    "bench only: `apollo` makes bench/minimal-ledger.ts the floor of bench:cost (Apollo Server as shipped)",
};
