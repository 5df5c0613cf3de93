/**
 * The one place that reads the environment. Every key has a documented default
 * (README "Configuration"); everything else receives a {@link Config}.
 */
import path from "node:path";
import { isLoopback } from "./loopback";
import { projectRoot } from "./paths";

export interface Config {
  /** `production` refuses to start with the development JWT secret. */
  nodeEnv: string;
  /** PostgreSQL server to use; when unset an embedded PostgreSQL is started. */
  databaseUrl: string | undefined;
  /** Connections per subgraph process. Small on purpose: more only queue in PostgreSQL. */
  databasePoolSize: number;
  embeddedPostgres: { dataDir: string; port: number };
  gateway: {
    host: string;
    port: number;
    restBodyLimit: string;
    /** GraphiQL for browsers at `/graphql` and `/` (`EXPLORER`). */
    explorer: boolean;
    /** The live transfer dashboard at `/dashboard` (`DASHBOARD`). */
    dashboard: boolean;
    /** Schema introspection queries (`INTROSPECTION`); the explorer's docs and completion need it. */
    introspection: boolean;
  };
  subgraphs: { client: SubgraphConfig; ledger: SubgraphConfig; transfer: SubgraphConfig };
  ledger: {
    /** ISO 4217 codes of the currencies the bank offers accounts in. */
    currencies: string[];
  };
  auth: AuthConfig;
  transfers: TransferConfig;
  /** Every HTTP server (the gateway and each subgraph): timeouts and the connection cap. */
  http: HttpServerConfig;
  /** The gateway's HTTP client to the subgraphs. */
  upstream: { idleTimeoutMs: number; connectTimeoutMs: number; timeoutMs: number; maxConnections: number };
  /** `/metrics` and the details of `/readyz`: open, or only with this bearer token (`OPS_TOKEN`). */
  ops: { token: string | undefined; open: boolean };
  /** graphql-ws at the gateway (and the transfer subgraph): limits and keep-alive. */
  subscriptions: SubscriptionConfig;
  /** What one GraphQL operation may ask for, at the gateway and the subgraphs (README "Limits"). */
  operationLimits: OperationLimitsConfig;
  /**
   * Keep "Did you mean ..." suggestions out of clients' errors (Apollo Server's
   * `hideSchemaDetailsFromClientErrors`): in production, and wherever introspection is off, since
   * a suggestion shows the schema piece by piece to whoever guesses.
   */
  hideSchemaDetails: boolean;
}

/**
 * The gateway's graphql-ws limits: per gateway instance, per socket, and per caller (counted
 * in memory by each instance, so N instances allow a caller N times as much).
 */
export interface SubscriptionConfig {
  /** Sockets one gateway instance accepts (`WS_MAX_CONNECTIONS`); more are closed with 1013. */
  maxConnections: number;
  /** Operations one socket may hold open (`WS_MAX_SUBSCRIPTIONS_PER_CONNECTION`). */
  maxPerConnection: number;
  /** Sockets one token subject may hold open on an instance (`WS_MAX_CONNECTIONS_PER_CALLER`); more are closed with 1013. */
  maxConnectionsPerCaller: number;
  /**
   * Operations one token subject may hold open across its sockets on an instance, and for
   * front-office tokens one client across all its users (`WS_MAX_SUBSCRIPTIONS_PER_CALLER`).
   */
  maxPerCaller: number;
  /** Ping interval of every socket, clients' and upstream (`WS_KEEPALIVE_MS`). */
  keepAliveMs: number;
}

/** Operation limits (common/graphql/limits.ts); each a maximum a request may reach, not pass. */
export interface OperationLimitsConfig {
  /** `GRAPHQL_LIMITS=off` switches every limit off: for benchmarking and diagnosis only. */
  enabled: boolean;
  /** Levels of nested fields (fragments do not count as levels). */
  maxDepth: number;
  /** Aliased fields in the operation, fragments included. */
  maxAliases: number;
  /** Directives used in the operation, fragments included. */
  maxDirectives: number;
  /** Lexical tokens in the document: the parser stops reading past it. */
  maxTokens: number;
  /** Estimated objects the operation may resolve, list sizes counted (front-office callers). */
  maxCost: number;
  /** The same for system callers (back office, integrations, services). */
  maxCostSystem: number;
  /** How deeply objects and arrays may nest in a variable's value or in `extensions`. */
  maxVariableDepth: number;
}

export interface TransferConfig {
  /**
   * One-time confirmation codes: lifetime, wrong attempts before a code locks, codes per
   * transfer (so resending cannot buy unlimited guesses), and the HMAC key they are kept under.
   */
  otp: { ttlSeconds: number; maxAttempts: number; maxCodes: number; secret: string };
  /** The background worker that continues transfers (rail sends, retries, crashed steps). */
  worker: { enabled: boolean; intervalMs: number; leaseSeconds: number };
  /** The simulated payment rail: answer delay and share of transfers it rejects (by transfer id, so deterministic). */
  rail: { delayMs: number; rejectRate: number };
  /** Foreign exchange: units of each currency per one unit of a common base; spread in basis points; quote lifetime. */
  fx: { rates: Record<string, string>; spreadBps: number; quoteTtlSeconds: number };
}

export interface HttpServerConfig {
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** A request's headers must have arrived this long after it began. */
  headersTimeoutMs: number;
  /** A whole request (headers and body) must have arrived this long after it began. */
  requestTimeoutMs: number;
  /** Connections one server holds at once (the gateway adds its WebSocket cap); more are refused. */
  maxConnections: number;
  /**
   * Answer only requests addressed to this machine (Host `localhost`, `127.0.0.1`, `[::1]`): on
   * the public development secret, so that a web page whose name was pointed at 127.0.0.1 (DNS
   * rebinding) cannot use a browser to reach a development start.
   */
  localHostsOnly: boolean;
}

export interface SubgraphConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where a separately run gateway finds it. */
  url: string;
}

export interface AuthConfig {
  /** HS256 shared secret. Ignored when `jwksUrl` is set. */
  jwtSecret: string;
  /** RS256/ES256 keys from an identity provider's JWKS endpoint. */
  jwksUrl: string | undefined;
  issuer: string;
  audience: string;
  /** True when the secret is the built-in development one. */
  usingDevelopmentSecret: boolean;
  /**
   * How a service (the transfer orchestrator) gets its own token from the identity provider
   * under JWKS: OAuth 2.0 client credentials. Unset with HS256: services sign their own.
   */
  serviceClient: { tokenUrl: string; clientId: string; clientSecret: string } | undefined;
}

export const DEVELOPMENT_JWT_SECRET = "development-only-secret-do-not-use-in-production";

function bounded(
  value: string | undefined,
  fallback: number,
  name: string,
  min: number,
  max: number,
  integer = true,
): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < min || parsed > max || (integer && !Number.isInteger(parsed))) {
    throw new Error(
      `${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got "${value}"`,
    );
  }
  return parsed;
}

function flag(value: string | undefined, fallback: boolean, name: string): boolean {
  if (value === undefined || value === "") return fallback;
  if (["on", "true", "1"].includes(value)) return true;
  if (["off", "false", "0"].includes(value)) return false;
  throw new Error(`${name} must be on or off, got "${value}"`);
}

/** `FX_RATES`: `CODE=decimal` pairs, each the units of that currency per one unit of a common base. */
function fxRates(value: string): Record<string, string> {
  const rates: Record<string, string> = {};
  for (const pair of value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^([A-Za-z]{3})=(\d{1,9}(\.\d{1,8})?)$/.exec(pair);
    if (!match || !/[1-9]/.test(match[2])) {
      throw new Error(`FX_RATES must list CODE=positive-decimal pairs such as "USD=1.085", got "${pair}"`);
    }
    rates[match[1].toUpperCase()] = match[2];
  }
  return rates;
}

/**
 * The log level (`LOG_LEVEL`, default `info`; `silent` under jest). Separate from
 * {@link loadConfig} because the logger exists before any service reads its config.
 */
export function logLevel(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOG_LEVEL || (env.NODE_ENV === "test" ? "silent" : "info");
}

/** Reads the configuration from `env` (default: the process environment) once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const nodeEnv = env.NODE_ENV ?? "development";
  // Tools that show the schema or a demo page are on while developing and off in production
  // unless a key turns them on (decision 0019).
  const developing = nodeEnv !== "production";
  // Loopback unless told otherwise: a development start must not serve the local network.
  const host = env.HOST || "127.0.0.1";
  const subgraph = (name: string, defaultPort: number): SubgraphConfig => {
    const key = name.toUpperCase();
    const port = bounded(env[`${key}_SUBGRAPH_PORT`], defaultPort, `${key}_SUBGRAPH_PORT`, 0, 65535);
    return { host, port, url: env[`${key}_SUBGRAPH_URL`] || `http://localhost:${port}/graphql` };
  };
  const jwtSecret = env.JWT_SECRET || DEVELOPMENT_JWT_SECRET;
  const jwksUrl = env.JWT_JWKS_URL || undefined;
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
  // Codes are kept as an HMAC under this key; it defaults to the HS256 secret, and must be set
  // of its own in production under JWKS (where there is no shared secret).
  const otpSecret = env.OTP_SECRET || jwtSecret;
  if (nodeEnv === "production" && !env.OTP_SECRET && jwksUrl) {
    throw new Error("OTP_SECRET must be set when NODE_ENV=production and JWT_JWKS_URL is used");
  }
  const leaseSeconds = bounded(env.TRANSFER_LEASE_SECONDS, 30, "TRANSFER_LEASE_SECONDS", 1, 3600);
  const railDelayMs = bounded(env.RAIL_DELAY_MS, 200, "RAIL_DELAY_MS", 0, 60_000);
  if (railDelayMs >= (leaseSeconds * 1000) / 2) {
    // A step is given up after half its lease; a rail slower than that would never be heard.
    throw new Error("RAIL_DELAY_MS must be less than half of TRANSFER_LEASE_SECONDS");
  }
  const keepAliveTimeoutMs = bounded(
    env.HTTP_KEEPALIVE_TIMEOUT_MS,
    65_000,
    "HTTP_KEEPALIVE_TIMEOUT_MS",
    1_000,
    600_000,
  );
  const headersTimeoutMs = bounded(
    env.HTTP_HEADERS_TIMEOUT_MS,
    10_000,
    "HTTP_HEADERS_TIMEOUT_MS",
    100,
    300_000,
  );
  const requestTimeoutMs = bounded(
    env.HTTP_REQUEST_TIMEOUT_MS,
    30_000,
    "HTTP_REQUEST_TIMEOUT_MS",
    100,
    600_000,
  );
  if (requestTimeoutMs < headersTimeoutMs) {
    throw new Error("HTTP_REQUEST_TIMEOUT_MS must not be less than HTTP_HEADERS_TIMEOUT_MS");
  }
  const upstreamIdleMs = bounded(
    env.SUBGRAPH_IDLE_TIMEOUT_MS,
    4_000,
    "SUBGRAPH_IDLE_TIMEOUT_MS",
    100,
    600_000,
  );
  const introspection = flag(env.INTROSPECTION, developing, "INTROSPECTION");
  return {
    nodeEnv,
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: bounded(env.DATABASE_POOL_SIZE, 8, "DATABASE_POOL_SIZE", 1, 200),
    embeddedPostgres: {
      dataDir: path.resolve(projectRoot(), env.EMBEDDED_PG_DIR || ".data/postgres"),
      port: bounded(env.EMBEDDED_PG_PORT, 54329, "EMBEDDED_PG_PORT", 0, 65535),
    },
    gateway: {
      host,
      port: bounded(env.PORT, 4000, "PORT", 0, 65535),
      restBodyLimit: env.REST_BODY_LIMIT || "100kb",
      explorer: flag(env.EXPLORER, developing, "EXPLORER"),
      dashboard: flag(env.DASHBOARD, developing, "DASHBOARD"),
      introspection,
    },
    subgraphs: {
      client: subgraph("client", 4001),
      ledger: subgraph("ledger", 4002),
      transfer: subgraph("transfer", 4003),
    },
    ledger: {
      currencies: (env.LEDGER_CURRENCIES || "EUR,USD,GBP,CHF,JPY")
        .split(",")
        .map((code) => code.trim().toUpperCase())
        .filter(Boolean),
    },
    auth: {
      jwtSecret,
      jwksUrl,
      issuer: env.JWT_ISSUER || "core-banking",
      audience: env.JWT_AUDIENCE || "core-banking-api",
      usingDevelopmentSecret,
      serviceClient: env.SERVICE_TOKEN_URL
        ? {
            tokenUrl: env.SERVICE_TOKEN_URL,
            clientId: env.SERVICE_CLIENT_ID || "transfer-orchestrator",
            clientSecret: env.SERVICE_CLIENT_SECRET || "",
          }
        : undefined,
    },
    http: {
      keepAliveTimeoutMs,
      headersTimeoutMs,
      requestTimeoutMs,
      maxConnections: bounded(env.HTTP_MAX_CONNECTIONS, 1_000, "HTTP_MAX_CONNECTIONS", 1, 1_000_000),
      localHostsOnly: usingDevelopmentSecret,
    },
    upstream: {
      idleTimeoutMs: upstreamIdleMs,
      connectTimeoutMs: bounded(
        env.SUBGRAPH_CONNECT_TIMEOUT_MS,
        2_000,
        "SUBGRAPH_CONNECT_TIMEOUT_MS",
        100,
        60_000,
      ),
      timeoutMs: bounded(env.SUBGRAPH_TIMEOUT_MS, 30_000, "SUBGRAPH_TIMEOUT_MS", 100, 600_000),
      // Well under a subgraph's HTTP_MAX_CONNECTIONS, which the transfer subgraph's ledger calls share.
      maxConnections: bounded(env.SUBGRAPH_MAX_CONNECTIONS, 256, "SUBGRAPH_MAX_CONNECTIONS", 1, 100_000),
    },
    // Without a token, open only to a development start that serves this machine alone.
    ops: { token: env.OPS_TOKEN || undefined, open: !env.OPS_TOKEN && developing && isLoopback(host) },
    operationLimits: {
      enabled: flag(env.GRAPHQL_LIMITS, true, "GRAPHQL_LIMITS"),
      maxDepth: bounded(env.GRAPHQL_MAX_DEPTH, 10, "GRAPHQL_MAX_DEPTH", 1, 1000),
      maxAliases: bounded(env.GRAPHQL_MAX_ALIASES, 30, "GRAPHQL_MAX_ALIASES", 0, 100_000),
      maxDirectives: bounded(env.GRAPHQL_MAX_DIRECTIVES, 50, "GRAPHQL_MAX_DIRECTIVES", 0, 100_000),
      maxTokens: bounded(env.GRAPHQL_MAX_TOKENS, 5_000, "GRAPHQL_MAX_TOKENS", 100, 10_000_000),
      maxCost: bounded(env.GRAPHQL_MAX_COST, 5_000, "GRAPHQL_MAX_COST", 1, 1_000_000_000),
      maxCostSystem: bounded(
        env.GRAPHQL_MAX_COST_SYSTEM,
        50_000,
        "GRAPHQL_MAX_COST_SYSTEM",
        1,
        1_000_000_000,
      ),
      maxVariableDepth: bounded(env.GRAPHQL_MAX_VARIABLE_DEPTH, 20, "GRAPHQL_MAX_VARIABLE_DEPTH", 1, 1000),
    },
    hideSchemaDetails: nodeEnv === "production" || !introspection,
    subscriptions: {
      maxConnections: bounded(env.WS_MAX_CONNECTIONS, 20_000, "WS_MAX_CONNECTIONS", 1, 1_000_000),
      maxPerConnection: bounded(
        env.WS_MAX_SUBSCRIPTIONS_PER_CONNECTION,
        20,
        "WS_MAX_SUBSCRIPTIONS_PER_CONNECTION",
        1,
        1000,
      ),
      maxConnectionsPerCaller: bounded(
        env.WS_MAX_CONNECTIONS_PER_CALLER,
        10,
        "WS_MAX_CONNECTIONS_PER_CALLER",
        1,
        1_000_000,
      ),
      maxPerCaller: bounded(
        env.WS_MAX_SUBSCRIPTIONS_PER_CALLER,
        100,
        "WS_MAX_SUBSCRIPTIONS_PER_CALLER",
        1,
        10_000_000,
      ),
      keepAliveMs: bounded(env.WS_KEEPALIVE_MS, 12_000, "WS_KEEPALIVE_MS", 100, 600_000),
    },
    transfers: {
      otp: {
        ttlSeconds: bounded(env.OTP_TTL_SECONDS, 300, "OTP_TTL_SECONDS", 10, 3600),
        maxAttempts: bounded(env.OTP_MAX_ATTEMPTS, 3, "OTP_MAX_ATTEMPTS", 1, 10),
        maxCodes: bounded(env.OTP_MAX_CODES, 5, "OTP_MAX_CODES", 1, 20),
        secret: otpSecret,
      },
      worker: {
        enabled: flag(env.TRANSFER_WORKER, true, "TRANSFER_WORKER"),
        intervalMs: bounded(
          env.TRANSFER_WORKER_INTERVAL_MS,
          1000,
          "TRANSFER_WORKER_INTERVAL_MS",
          10,
          600_000,
        ),
        leaseSeconds,
      },
      rail: {
        delayMs: railDelayMs,
        rejectRate: bounded(env.RAIL_REJECT_RATE, 0, "RAIL_REJECT_RATE", 0, 1, false),
      },
      fx: {
        rates: fxRates(env.FX_RATES || "EUR=1,USD=1.085,GBP=0.845,CHF=0.935,JPY=162.5"),
        spreadBps: bounded(env.FX_SPREAD_BPS, 50, "FX_SPREAD_BPS", 0, 2000),
        quoteTtlSeconds: bounded(env.FX_QUOTE_TTL_SECONDS, 60, "FX_QUOTE_TTL_SECONDS", 5, 3600),
      },
    },
  };
}
