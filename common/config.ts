/**
 * The one place that reads the environment. Every key has a documented default
 * (README "Configuration"); everything else receives a {@link Config}.
 */
import path from "node:path";
import { projectRoot } from "./paths";

export interface Config {
  /** `production` refuses to start with the development JWT secret. */
  nodeEnv: string;
  /** PostgreSQL server to use; when unset an embedded PostgreSQL is started. */
  databaseUrl: string | undefined;
  /** Connections per subgraph process. Small on purpose: more only queue in PostgreSQL. */
  databasePoolSize: number;
  embeddedPostgres: { dataDir: string; port: number };
  gateway: { host: string; port: number; restBodyLimit: string };
  subgraphs: { client: SubgraphConfig; ledger: SubgraphConfig; transfer: SubgraphConfig };
  ledger: {
    /** ISO 4217 codes of the currencies the bank offers accounts in. */
    currencies: string[];
  };
  auth: AuthConfig;
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
}

export const DEVELOPMENT_JWT_SECRET = "development-only-secret-do-not-use-in-production";

function int(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === "") return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535) {
    throw new Error(`${name} must be an integer port number, got "${value}"`);
  }
  return parsed;
}

function poolSize(value: string | undefined): number {
  if (value === undefined || value === "") return 8;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 200) {
    throw new Error(`DATABASE_POOL_SIZE must be an integer from 1 to 200, got "${value}"`);
  }
  return parsed;
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
  const host = env.HOST || "0.0.0.0";
  const subgraph = (name: string, defaultPort: number): SubgraphConfig => {
    const key = name.toUpperCase();
    const port = int(env[`${key}_SUBGRAPH_PORT`], defaultPort, `${key}_SUBGRAPH_PORT`);
    return { host, port, url: env[`${key}_SUBGRAPH_URL`] || `http://localhost:${port}/graphql` };
  };
  const jwtSecret = env.JWT_SECRET || DEVELOPMENT_JWT_SECRET;
  const jwksUrl = env.JWT_JWKS_URL || undefined;
  const usingDevelopmentSecret = !jwksUrl && jwtSecret === DEVELOPMENT_JWT_SECRET;
  if (nodeEnv === "production" && usingDevelopmentSecret) {
    throw new Error("JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production");
  }
  return {
    nodeEnv,
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolSize: poolSize(env.DATABASE_POOL_SIZE),
    embeddedPostgres: {
      dataDir: path.resolve(projectRoot(), env.EMBEDDED_PG_DIR || ".data/postgres"),
      port: int(env.EMBEDDED_PG_PORT, 54329, "EMBEDDED_PG_PORT"),
    },
    gateway: {
      host,
      port: int(env.PORT, 4000, "PORT"),
      restBodyLimit: env.REST_BODY_LIMIT || "100kb",
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
    },
  };
}
