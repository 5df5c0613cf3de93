import { CONFIG_KEYS, DEVELOPMENT_JWT_SECRET, loadConfig, logLevel } from "../../common/config";

describe("configuration of the browser tools", () => {
  const production = { NODE_ENV: "production", JWT_SECRET: "a-production-secret" };

  it("When nothing is set, then the explorer, the dashboard and introspection are on in development and off in production", () => {
    expect(loadConfig({}).gateway).toMatchObject({ explorer: true, dashboard: true, introspection: true });
    expect(loadConfig({ NODE_ENV: "test" }).gateway).toMatchObject({ explorer: true, introspection: true });
    expect(loadConfig(production).gateway).toMatchObject({
      explorer: false,
      dashboard: false,
      introspection: false,
    });
  });

  it("When EXPLORER, DASHBOARD or INTROSPECTION is set, then it wins over the mode; anything but on or off is refused", () => {
    expect(
      loadConfig({ ...production, EXPLORER: "on", DASHBOARD: "on", INTROSPECTION: "on" }).gateway,
    ).toMatchObject({ explorer: true, dashboard: true, introspection: true });
    expect(loadConfig({ EXPLORER: "off", DASHBOARD: "off", INTROSPECTION: "off" }).gateway).toMatchObject({
      explorer: false,
      dashboard: false,
      introspection: false,
    });
    expect(() => loadConfig({ EXPLORER: "yes" })).toThrow('EXPLORER must be on or off, got "yes"');
  });
});

describe("configuration of the WebSocket limits", () => {
  it("When nothing is set, then the documented defaults apply, per instance, socket and caller", () => {
    expect(loadConfig({}).subscriptions).toEqual({
      maxConnections: 20_000,
      maxPerConnection: 20,
      maxConnectionsPerCaller: 10,
      maxPerCaller: 100,
      keepAliveMs: 12_000,
      maxBacklogEvents: 1_000,
      maxBacklogBytes: 4 * 1024 * 1024,
    });
  });

  it("When a per-caller limit is set, then it is read, and one that is no positive integer is refused", () => {
    expect(
      loadConfig({ WS_MAX_CONNECTIONS_PER_CALLER: "3", WS_MAX_SUBSCRIPTIONS_PER_CALLER: "7" }).subscriptions,
    ).toMatchObject({ maxConnectionsPerCaller: 3, maxPerCaller: 7 });
    expect(() => loadConfig({ WS_MAX_CONNECTIONS_PER_CALLER: "0" })).toThrow(
      "WS_MAX_CONNECTIONS_PER_CALLER must be an integer from 1",
    );
    expect(() => loadConfig({ WS_MAX_SUBSCRIPTIONS_PER_CALLER: "many" })).toThrow(
      "WS_MAX_SUBSCRIPTIONS_PER_CALLER must be an integer",
    );
  });
});

/** The message a key's value is refused with, by `loadConfig` or `logLevel`; undefined when taken. */
function refusal(name: string, value: string): string | undefined {
  try {
    loadConfig({ JWT_SECRET: "a-real-secret", [name]: value });
    logLevel({ [name]: value });
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe("configuration keys", () => {
  const names = Object.keys(CONFIG_KEYS);

  it("When a key gets a value its parser does not take, then it is refused naming the key; only free-text keys take anything", () => {
    const freeText = [
      "DATABASE_URL",
      "EMBEDDED_PG_DIR",
      "HOST",
      "LEDGER_CURRENCIES",
      "REST_BODY_LIMIT",
      "JWT_SECRET",
      "JWT_ISSUER",
      "JWT_AUDIENCE",
      "SERVICE_CLIENT_ID",
      "SERVICE_CLIENT_SECRET",
      "OPS_TOKEN",
      "NODE_ENV",
      "OTP_SECRET",
      "DOCUMENTS_DIR",
      "DOCUMENTS_CONTENT_TYPES",
      "DOCUMENTS_URL_SECRET",
    ];
    expect(names.filter((name) => refusal(name, "not a value") === undefined)).toEqual(freeText);
    for (const name of names.filter((name) => !freeText.includes(name))) {
      expect(refusal(name, "not a value")).toMatch(new RegExp(`^${name} must `));
    }
  });

  it("When a bounded key is at its bounds, then it is read; past them, or a fraction for an integer, it is refused naming the key", () => {
    // Room for either end of each bounded key under the rules between keys.
    const base = {
      TRANSFER_LEASE_SECONDS: "3600",
      HTTP_HEADERS_TIMEOUT_MS: "100",
      HTTP_REQUEST_TIMEOUT_MS: "600000",
    };
    const bounded = names.flatMap((name) => {
      const match = /^\S+ must be (an integer|a number) from (-?[\d.]+) to ([\d.]+),/.exec(
        refusal(name, "x") ?? "",
      );
      return match ? [{ name, kind: match[1], min: Number(match[2]), max: Number(match[3]) }] : [];
    });
    // Every key documented with a number for its default is bounded, and no other.
    expect(bounded.map(({ name }) => name)).toEqual(
      Object.entries(CONFIG_KEYS)
        .filter(([, key]) => /^`\d+(\.\d+)?`$/.test(key.default))
        .map(([name]) => name),
    );
    for (const { name, kind, min, max } of bounded) {
      for (const value of [min, max])
        expect(() => loadConfig({ ...base, [name]: String(value) })).not.toThrow();
      const outside = kind === "an integer" ? [min - 1, max + 1, min + 0.5] : [min - 1, max + 1];
      for (const value of outside) {
        expect(() => loadConfig({ ...base, [name]: String(value) })).toThrow(
          `${name} must be ${kind} from ${min} to ${max}, got "${value}"`,
        );
      }
    }
  });

  it("When a URL key is not an http(s) URL, then it is refused without repeating the value", () => {
    for (const name of ["CLIENT_SUBGRAPH_URL", "JWT_JWKS_URL", "SERVICE_TOKEN_URL"]) {
      expect(() => loadConfig({ [name]: "ftp://user:password@idp" })).toThrow(
        new Error(`${name} must be an http:// or https:// URL`),
      );
    }
    expect(() => logLevel({ LOG_LEVEL: "loud" })).toThrow(
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    );
    expect(() => loadConfig({ FX_RATES: "USD=0" })).toThrow("FX_RATES must list CODE=positive-decimal pairs");
  });

  it("When nothing is set, then the defaults that depend on other keys apply", () => {
    const config = loadConfig({});
    expect(config.subgraphs.transfer.url).toBe("http://localhost:4003/graphql");
    expect(loadConfig({ LEDGER_SUBGRAPH_PORT: "5002" }).subgraphs.ledger.url).toBe(
      "http://localhost:5002/graphql",
    );
    expect(config.auth).toMatchObject({ jwtSecret: DEVELOPMENT_JWT_SECRET, usingDevelopmentSecret: true });
    expect(config.transfers.otp.secret).toBe(DEVELOPMENT_JWT_SECRET);
    expect(loadConfig({ JWT_SECRET: "s" }).transfers.otp.secret).toBe("s");
    expect(config).toMatchObject({ databaseUrl: undefined, ops: { token: undefined } });
    expect(config.auth.serviceClient).toBeUndefined();
    expect([
      logLevel({}),
      logLevel({ NODE_ENV: "test" }),
      logLevel({ NODE_ENV: "test", LOG_LEVEL: "warn" }),
    ]).toEqual(["info", "silent", "warn"]);
  });

  it("When every key is set, then each value lands in its place", () => {
    const env = {
      NODE_ENV: "production",
      LOG_LEVEL: "debug",
      HOST: "0.0.0.0",
      PORT: "8000",
      REST_BODY_LIMIT: "1mb",
      DATABASE_URL: "postgres://bank@db.internal/bank",
      DATABASE_POOL_SIZE: "12",
      LIST_COUNT_ROLLUP_MS: "750",
      EMBEDDED_PG_DIR: "/var/lib/bank-pg",
      EMBEDDED_PG_PORT: "5433",
      LEDGER_CURRENCIES: "eur, sek",
      BANK_TIMEZONE: "Europe/Berlin",
      LEDGER_JOBS: "off",
      LEDGER_GROUP_COMMIT_MS: "5",
      CLIENT_SUBGRAPH_PORT: "8001",
      CLIENT_SUBGRAPH_URL: "http://client.internal/graphql",
      LEDGER_SUBGRAPH_PORT: "8002",
      LEDGER_SUBGRAPH_URL: "http://ledger.internal/graphql",
      TRANSFER_SUBGRAPH_PORT: "8003",
      TRANSFER_SUBGRAPH_URL: "https://transfer.internal/graphql",
      EXPLORER: "on",
      DASHBOARD: "true",
      INTROSPECTION: "1",
      GRAPHQL_LIMITS: "off",
      GRAPHQL_MAX_TOKENS: "1001",
      GRAPHQL_MAX_DEPTH: "2",
      GRAPHQL_MAX_ALIASES: "3",
      GRAPHQL_MAX_DIRECTIVES: "4",
      GRAPHQL_MAX_COST: "5",
      GRAPHQL_MAX_COST_SYSTEM: "6",
      GRAPHQL_MAX_VARIABLE_DEPTH: "7",
      JWT_SECRET: "hs-secret",
      JWT_JWKS_URL: "https://idp.example/jwks",
      JWT_ISSUER: "https://idp.example",
      JWT_AUDIENCE: "bank",
      SERVICE_TOKEN_URL: "https://idp.example/token",
      SERVICE_CLIENT_ID: "orchestrator",
      SERVICE_CLIENT_SECRET: "client-secret",
      OPS_TOKEN: "ops-token",
      HTTP_KEEPALIVE_TIMEOUT_MS: "70000",
      HTTP_HEADERS_TIMEOUT_MS: "5000",
      HTTP_REQUEST_TIMEOUT_MS: "20000",
      HTTP_MAX_CONNECTIONS: "900",
      SUBGRAPH_IDLE_TIMEOUT_MS: "3000",
      SUBGRAPH_CONNECT_TIMEOUT_MS: "1500",
      SUBGRAPH_MAX_CONNECTIONS: "128",
      SUBGRAPH_TIMEOUT_MS: "25000",
      WS_MAX_CONNECTIONS: "500",
      WS_MAX_SUBSCRIPTIONS_PER_CONNECTION: "8",
      WS_MAX_CONNECTIONS_PER_CALLER: "4",
      WS_MAX_SUBSCRIPTIONS_PER_CALLER: "40",
      WS_KEEPALIVE_MS: "9000",
      WS_MAX_BACKLOG_EVENTS: "500",
      WS_MAX_BACKLOG_BYTES: "2097152",
      OTP_TTL_SECONDS: "120",
      OTP_MAX_ATTEMPTS: "5",
      OTP_MAX_CODES: "3",
      OTP_SECRET: "otp-secret",
      OTP_GRANT_TTL_SECONDS: "90",
      TRANSFER_WORKER: "off",
      TRANSFER_WORKER_INTERVAL_MS: "500",
      TRANSFER_LEASE_SECONDS: "20",
      RAIL_DELAY_MS: "50",
      RAIL_REJECT_RATE: "0.25",
      FX_RATES: "EUR=1,sek=11.5",
      FX_SPREAD_BPS: "25",
      FX_QUOTE_TTL_SECONDS: "30",
      REPORTING_CURRENCY: "sek",
      DOCUMENTS_STORAGE: "filesystem",
      DOCUMENTS_DIR: "/var/lib/bank-documents",
      DOCUMENTS_MAX_BYTES: "2048",
      DOCUMENTS_CONTENT_TYPES: "application/PDF, image/png",
      DOCUMENTS_URL_TTL_SECONDS: "60",
      DOCUMENTS_URL_SECRET: "url-secret",
      DOCUMENTS_RETENTION_DAYS: "0",
      TRANSFER_DOCUMENT_REQUIRED_ABOVE: "EUR=10000,usd=11000.50",
    };
    expect(Object.keys(env).sort()).toEqual([...names].sort());
    expect(logLevel(env)).toBe("debug");
    const subgraph = (port: number, url: string) => ({ host: "0.0.0.0", port, url });
    expect(loadConfig(env)).toEqual({
      nodeEnv: "production",
      databaseUrl: "postgres://bank@db.internal/bank",
      databasePoolSize: 12,
      listCountRollUpMs: 750,
      embeddedPostgres: { dataDir: "/var/lib/bank-pg", port: 5433 },
      gateway: {
        host: "0.0.0.0",
        port: 8000,
        restBodyLimit: "1mb",
        explorer: true,
        dashboard: true,
        introspection: true,
      },
      subgraphs: {
        client: subgraph(8001, "http://client.internal/graphql"),
        ledger: subgraph(8002, "http://ledger.internal/graphql"),
        transfer: subgraph(8003, "https://transfer.internal/graphql"),
      },
      ledger: {
        currencies: ["EUR", "SEK"],
        groupCommitMs: 5,
        days: {
          timeZone: "Europe/Berlin",
          jobs: false,
          closeGraceMinutes: 10,
          transferMaxMinutes: 60,
          suspenseMaxDays: 3,
        },
        otp: { ttlSeconds: 120, maxAttempts: 5, maxCodes: 3, secret: "otp-secret", grantTtlSeconds: 90 },
        treasury: { reportingCurrency: "SEK", fxRates: { EUR: "1", SEK: "11.5" } },
      },
      auth: {
        jwtSecret: "hs-secret",
        jwksUrl: "https://idp.example/jwks",
        issuer: "https://idp.example",
        audience: "bank",
        usingDevelopmentSecret: false,
        serviceClient: {
          tokenUrl: "https://idp.example/token",
          clientId: "orchestrator",
          clientSecret: "client-secret",
        },
      },
      http: {
        keepAliveTimeoutMs: 70_000,
        headersTimeoutMs: 5_000,
        requestTimeoutMs: 20_000,
        maxConnections: 900,
        localHostsOnly: false,
      },
      upstream: { idleTimeoutMs: 3_000, connectTimeoutMs: 1_500, timeoutMs: 25_000, maxConnections: 128 },
      ops: { token: "ops-token", open: false },
      operationLimits: {
        enabled: false,
        maxDepth: 2,
        maxAliases: 3,
        maxDirectives: 4,
        maxTokens: 1001,
        maxCost: 5,
        maxCostSystem: 6,
        maxVariableDepth: 7,
      },
      hideSchemaDetails: true,
      subscriptions: {
        maxConnections: 500,
        maxPerConnection: 8,
        maxConnectionsPerCaller: 4,
        maxPerCaller: 40,
        keepAliveMs: 9_000,
        maxBacklogEvents: 500,
        maxBacklogBytes: 2_097_152,
      },
      transfers: {
        otp: { ttlSeconds: 120, maxAttempts: 5, maxCodes: 3, secret: "otp-secret" },
        worker: { enabled: false, intervalMs: 500, leaseSeconds: 20 },
        rail: { delayMs: 50, rejectRate: 0.25 },
        fx: { rates: { EUR: "1", SEK: "11.5" }, spreadBps: 25, quoteTtlSeconds: 30 },
        documentRequiredAbove: { EUR: "10000", USD: "11000.50" },
      },
      documents: {
        storage: { kind: "filesystem", directory: "/var/lib/bank-documents" },
        maxBytes: 2048,
        contentTypes: ["application/pdf", "image/png"],
        urlTtlSeconds: 60,
        urlSecret: "url-secret",
        retentionDays: 0,
      },
    });
  });

  it("When a key is set empty, then it counts as unset", () => {
    expect(loadConfig({ PORT: "", EXPLORER: "", NODE_ENV: "", JWT_SECRET: "" })).toEqual(loadConfig({}));
  });
});

describe("rules between configuration keys", () => {
  it("When production runs on the development secret, or under JWKS without OTP_SECRET, then it is refused", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(
      "JWT_SECRET or JWT_JWKS_URL must be set when NODE_ENV=production",
    );
    const jwks = { NODE_ENV: "production", JWT_JWKS_URL: "https://idp.example/jwks" };
    expect(() => loadConfig(jwks)).toThrow(
      "OTP_SECRET must be set when NODE_ENV=production and JWT_JWKS_URL is used",
    );
    expect(() => loadConfig({ ...jwks, OTP_SECRET: "otp" })).toThrow(
      "DOCUMENTS_URL_SECRET must be set when NODE_ENV=production and JWT_JWKS_URL is used",
    );
    const secrets = { ...jwks, OTP_SECRET: "otp", DOCUMENTS_URL_SECRET: "url" };
    expect(loadConfig(secrets).transfers.otp.secret).toBe("otp");
    expect(loadConfig(secrets).documents.urlSecret).toBe("url");
  });

  it("When HOST serves beyond loopback on the development secret, then it is refused", () => {
    expect(() => loadConfig({ HOST: "0.0.0.0" })).toThrow(
      "HOST=0.0.0.0 serves beyond this machine: set JWT_SECRET or JWT_JWKS_URL (the development secret is public)",
    );
    expect(loadConfig({ HOST: "0.0.0.0", JWT_SECRET: "s" }).http.localHostsOnly).toBe(false);
  });

  it("When the rail is as slow as half the lease, or the request timeout is below the headers timeout, then it is refused", () => {
    expect(() => loadConfig({ TRANSFER_LEASE_SECONDS: "2", RAIL_DELAY_MS: "1000" })).toThrow(
      "RAIL_DELAY_MS must be less than half of TRANSFER_LEASE_SECONDS",
    );
    expect(loadConfig({ TRANSFER_LEASE_SECONDS: "2", RAIL_DELAY_MS: "999" }).transfers.rail.delayMs).toBe(
      999,
    );
    expect(() => loadConfig({ HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "19999" })).toThrow(
      "HTTP_REQUEST_TIMEOUT_MS must not be less than HTTP_HEADERS_TIMEOUT_MS",
    );
    expect(
      loadConfig({ HTTP_HEADERS_TIMEOUT_MS: "20000", HTTP_REQUEST_TIMEOUT_MS: "20000" }).http,
    ).toMatchObject({
      headersTimeoutMs: 20000,
      requestTimeoutMs: 20000,
    });
  });
});
