/**
 * The one place that reads the environment. Every key is a row of `CONFIG_KEYS`
 * (common/config/keys.ts): its default and meaning as the README's "Configuration" table shows
 * them, and its parser. Here the values become a {@link Config}, with the defaults that depend on
 * other keys and the rules between keys; everything else receives a {@link Config}.
 */
import path from "node:path";
import { type ConfigKey, type ConfigValue, DEVELOPMENT_JWT_SECRET, readKey } from "./config/keys";
import type {
  AuthConfig,
  Config,
  DocumentConfig,
  HttpServerConfig,
  SubgraphConfig,
  TransferConfig,
} from "./config/types";
import { DAY_LIMITS } from "./config/day-limits";
import { isLoopback } from "./loopback";
import { projectRoot } from "./paths";

export { CONFIG_KEYS, DEVELOPMENT_JWT_SECRET, NOT_CONFIG_KEYS } from "./config/keys";
export type {
  AuthConfig,
  Config,
  DocumentConfig,
  HttpServerConfig,
  LedgerDaysConfig,
  OperationLimitsConfig,
  OtpConfig,
  SubgraphConfig,
  SubscriptionConfig,
  TransferConfig,
} from "./config/types";

/** Reads one key of the table from the environment given to `loadConfig`. */
type Read = <K extends ConfigKey>(key: K) => ConfigValue<K>;

/**
 * The log level (`LOG_LEVEL`, default `info`; `silent` under jest). Separate from
 * {@link loadConfig} because the logger exists before any service reads its config.
 */
export function logLevel(env: NodeJS.ProcessEnv = process.env): string {
  return readKey(env, "LOG_LEVEL") ?? (readKey(env, "NODE_ENV") === "test" ? "silent" : "info");
}

/** Reads the configuration from `env` (default: the process environment) once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const read: Read = (key) => readKey(env, key);
  const nodeEnv = read("NODE_ENV");
  // Tools that show the schema or a demo page are on while developing and off in production
  // unless a key turns them on (decision 0019).
  const developing = nodeEnv !== "production";
  // Loopback unless told otherwise: a development start must not serve the local network.
  const host = read("HOST");
  const auth = authConfig(read, nodeEnv, host);
  const transfers = transferConfig(read, nodeEnv, auth);
  const http = httpConfig(read, auth.usingDevelopmentSecret);
  const introspection = read("INTROSPECTION") ?? developing;
  const opsToken = read("OPS_TOKEN");
  return {
    nodeEnv,
    databaseUrl: read("DATABASE_URL"),
    databasePoolSize: read("DATABASE_POOL_SIZE"),
    listCountRollUpMs: read("LIST_COUNT_ROLLUP_MS"),
    embeddedPostgres: {
      dataDir: path.resolve(projectRoot(), read("EMBEDDED_PG_DIR")),
      port: read("EMBEDDED_PG_PORT"),
    },
    gateway: {
      host,
      port: read("PORT"),
      restBodyLimit: read("REST_BODY_LIMIT"),
      explorer: read("EXPLORER") ?? developing,
      dashboard: read("DASHBOARD") ?? developing,
      introspection,
    },
    subgraphs: {
      client: subgraph(host, read("CLIENT_SUBGRAPH_PORT"), read("CLIENT_SUBGRAPH_URL")),
      ledger: subgraph(host, read("LEDGER_SUBGRAPH_PORT"), read("LEDGER_SUBGRAPH_URL")),
      transfer: subgraph(host, read("TRANSFER_SUBGRAPH_PORT"), read("TRANSFER_SUBGRAPH_URL")),
    },
    ledger: ledgerConfig(read, transfers),
    auth,
    http,
    upstream: {
      idleTimeoutMs: read("SUBGRAPH_IDLE_TIMEOUT_MS"),
      connectTimeoutMs: read("SUBGRAPH_CONNECT_TIMEOUT_MS"),
      timeoutMs: read("SUBGRAPH_TIMEOUT_MS"),
      // Well under a subgraph's HTTP_MAX_CONNECTIONS, which the transfer subgraph's ledger calls share.
      maxConnections: read("SUBGRAPH_MAX_CONNECTIONS"),
    },
    // Without a token, open only to a development start that serves this machine alone.
    ops: { token: opsToken, open: !opsToken && developing && isLoopback(host) },
    operationLimits: {
      enabled: read("GRAPHQL_LIMITS"),
      maxDepth: read("GRAPHQL_MAX_DEPTH"),
      maxAliases: read("GRAPHQL_MAX_ALIASES"),
      maxDirectives: read("GRAPHQL_MAX_DIRECTIVES"),
      maxTokens: read("GRAPHQL_MAX_TOKENS"),
      maxCost: read("GRAPHQL_MAX_COST"),
      maxCostSystem: read("GRAPHQL_MAX_COST_SYSTEM"),
      maxVariableDepth: read("GRAPHQL_MAX_VARIABLE_DEPTH"),
    },
    hideSchemaDetails: nodeEnv === "production" || !introspection,
    subscriptions: {
      maxConnections: read("WS_MAX_CONNECTIONS"),
      maxPerConnection: read("WS_MAX_SUBSCRIPTIONS_PER_CONNECTION"),
      maxConnectionsPerCaller: read("WS_MAX_CONNECTIONS_PER_CALLER"),
      maxPerCaller: read("WS_MAX_SUBSCRIPTIONS_PER_CALLER"),
      keepAliveMs: read("WS_KEEPALIVE_MS"),
      maxBacklogEvents: read("WS_MAX_BACKLOG_EVENTS"),
      maxBacklogBytes: read("WS_MAX_BACKLOG_BYTES"),
    },
    transfers,
    documents: documentConfig(read, nodeEnv, auth),
  };
}

function ledgerConfig(read: Read, transfers: TransferConfig): Config["ledger"] {
  return {
    currencies: read("LEDGER_CURRENCIES"),
    groupCommitMs: read("LEDGER_GROUP_COMMIT_MS"),
    days: { timeZone: read("BANK_TIMEZONE"), jobs: read("LEDGER_JOBS"), ...DAY_LIMITS },
    // One implementation of one-time codes, one set of rules (decision 0039).
    otp: { ...transfers.otp, grantTtlSeconds: read("OTP_GRANT_TTL_SECONDS") },
    treasury: treasuryConfig(read, transfers.fx.rates),
  };
}

/** The treasury summary's reporting currency, which must have a rate to value positions at. */
function treasuryConfig(read: Read, fxRates: Record<string, string>): Config["ledger"]["treasury"] {
  const reportingCurrency = read("REPORTING_CURRENCY");
  if (!Object.hasOwn(fxRates, reportingCurrency)) {
    throw new Error(`REPORTING_CURRENCY ${reportingCurrency} has no rate in FX_RATES`);
  }
  return { reportingCurrency, fxRates };
}

/** Where a separately run gateway finds a subgraph: its own URL, else this machine at its port. */
function subgraph(host: string, port: number, url: string | undefined): SubgraphConfig {
  return { host, port, url: url ?? `http://localhost:${port}/graphql` };
}

function authConfig(read: Read, nodeEnv: string, host: string): AuthConfig {
  const jwtSecret = read("JWT_SECRET");
  const jwksUrl = read("JWT_JWKS_URL");
  const usingDevelopmentSecret = !jwksUrl && jwtSecret === DEVELOPMENT_JWT_SECRET;
  if (nodeEnv === "production" && usingDevelopmentSecret) {
    throw new Error("JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production");
  }
  if (usingDevelopmentSecret && !isLoopback(host)) {
    // Anyone who has read the sources can sign a system token with the development secret.
    throw new Error(
      `HOST=${host} serves beyond this machine: set JWT_SECRET or JWT_JWKS_URL (the development secret is public)`,
    );
  }
  const tokenUrl = read("SERVICE_TOKEN_URL");
  const clientId = read("SERVICE_CLIENT_ID");
  const clientSecret = read("SERVICE_CLIENT_SECRET");
  return {
    jwtSecret,
    jwksUrl,
    issuer: read("JWT_ISSUER"),
    audience: read("JWT_AUDIENCE"),
    usingDevelopmentSecret,
    serviceClient: tokenUrl ? { tokenUrl, clientId, clientSecret } : undefined,
  };
}

function httpConfig(read: Read, usingDevelopmentSecret: boolean): HttpServerConfig {
  const headersTimeoutMs = read("HTTP_HEADERS_TIMEOUT_MS");
  const requestTimeoutMs = read("HTTP_REQUEST_TIMEOUT_MS");
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new Error("HTTP_REQUEST_TIMEOUT_MS must not be less than HTTP_HEADERS_TIMEOUT_MS");
  }
  return {
    keepAliveTimeoutMs: read("HTTP_KEEPALIVE_TIMEOUT_MS"),
    headersTimeoutMs,
    requestTimeoutMs,
    maxConnections: read("HTTP_MAX_CONNECTIONS"),
    localHostsOnly: usingDevelopmentSecret,
  };
}

function transferConfig(read: Read, nodeEnv: string, auth: AuthConfig): TransferConfig {
  // Codes are kept as an HMAC under this key; it defaults to the HS256 secret, and must be set
  // of its own in production under JWKS (where there is no shared secret).
  const otpSecret = read("OTP_SECRET");
  if (nodeEnv === "production" && !otpSecret && auth.jwksUrl) {
    throw new Error("OTP_SECRET must be set when NODE_ENV=production and JWT_JWKS_URL is used");
  }
  const leaseSeconds = read("TRANSFER_LEASE_SECONDS");
  const railDelayMs = read("RAIL_DELAY_MS");
  if (railDelayMs >= (leaseSeconds * 1000) / 2) {
    // A step is given up after half its lease; a rail slower than that would never be heard.
    throw new Error("RAIL_DELAY_MS must be less than half of TRANSFER_LEASE_SECONDS");
  }
  return {
    otp: {
      ttlSeconds: read("OTP_TTL_SECONDS"),
      maxAttempts: read("OTP_MAX_ATTEMPTS"),
      maxCodes: read("OTP_MAX_CODES"),
      secret: otpSecret ?? auth.jwtSecret,
    },
    worker: {
      enabled: read("TRANSFER_WORKER"),
      intervalMs: read("TRANSFER_WORKER_INTERVAL_MS"),
      leaseSeconds,
    },
    rail: { delayMs: railDelayMs, rejectRate: read("RAIL_REJECT_RATE") },
    fx: {
      rates: read("FX_RATES"),
      spreadBps: read("FX_SPREAD_BPS"),
      quoteTtlSeconds: read("FX_QUOTE_TTL_SECONDS"),
    },
    documentRequiredAbove: read("TRANSFER_DOCUMENT_REQUIRED_ABOVE"),
  };
}

function documentConfig(read: Read, nodeEnv: string, auth: AuthConfig): DocumentConfig {
  // Like OTP_SECRET: the HS256 secret by default, a key of its own in production under JWKS.
  const urlSecret = read("DOCUMENTS_URL_SECRET");
  if (nodeEnv === "production" && !urlSecret && auth.jwksUrl) {
    throw new Error("DOCUMENTS_URL_SECRET must be set when NODE_ENV=production and JWT_JWKS_URL is used");
  }
  const directory = path.resolve(projectRoot(), read("DOCUMENTS_DIR"));
  return {
    storage:
      read("DOCUMENTS_STORAGE") === "filesystem" ? { kind: "filesystem", directory } : { kind: "postgres" },
    maxBytes: read("DOCUMENTS_MAX_BYTES"),
    contentTypes: read("DOCUMENTS_CONTENT_TYPES"),
    urlTtlSeconds: read("DOCUMENTS_URL_TTL_SECONDS"),
    urlSecret: urlSecret ?? auth.jwtSecret,
    retentionDays: read("DOCUMENTS_RETENTION_DAYS"),
  };
}
