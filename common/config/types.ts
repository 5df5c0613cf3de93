/** The configuration every service receives from `loadConfig`: typed, validated, read once. */
export interface Config {
  /** `production` refuses to start with the development JWT secret. */
  nodeEnv: string;
  /** PostgreSQL server to use; when unset an embedded PostgreSQL is started. */
  databaseUrl: string | undefined;
  /** Connections per subgraph process. Small on purpose: more only queue in PostgreSQL. */
  databasePoolSize: number;
  /** How often a subgraph rolls its list counters' deltas up, in ms; 0 never (`LIST_COUNT_ROLLUP_MS`). */
  listCountRollUpMs: number;
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
    /** Business days, their close and their checks (decision 0036). */
    days: LedgerDaysConfig;
    /** Account step-up codes: the same rules as transfer confirmations, plus the grant's lifetime. */
    otp: OtpConfig & { grantTtlSeconds: number };
    /** The treasury summary values FX positions in `reportingCurrency` at `fxRates` (FX_RATES). */
    treasury: { reportingCurrency: string; fxRates: Record<string, string> };
    /** Group commit's window in ms (`LEDGER_GROUP_COMMIT_MS`); 0 = off. */
    groupCommitMs: number;
  };
  auth: AuthConfig;
  transfers: TransferConfig;
  /** Client and transfer documents: storage, limits, signed URLs (decision 0034). */
  documents: DocumentConfig;
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
  /** Results one subscription may have waiting for a client that does not read (`WS_MAX_BACKLOG_EVENTS`). */
  maxBacklogEvents: number;
  /** Bytes a client's socket may have unsent at the gateway (`WS_MAX_BACKLOG_BYTES`). */
  maxBacklogBytes: number;
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

/**
 * One-time codes (common/otp.ts): lifetime, wrong attempts before a code locks, codes per subject
 * (so resending cannot buy unlimited guesses), and the HMAC key they are kept under.
 */
export interface OtpConfig {
  ttlSeconds: number;
  maxAttempts: number;
  maxCodes: number;
  secret: string;
}

export interface TransferConfig {
  /** One-time confirmation codes of outgoing transfers. */
  otp: OtpConfig;
  /** The background worker that continues transfers (rail sends, retries, crashed steps). */
  worker: { enabled: boolean; intervalMs: number; leaseSeconds: number };
  /** The simulated payment rail: answer delay and share of transfers it rejects (by transfer id, so deterministic). */
  rail: { delayMs: number; rejectRate: number };
  /** Foreign exchange: units of each currency per one unit of a common base; spread in basis points; quote lifetime. */
  fx: { rates: Record<string, string>; spreadBps: number; quoteTtlSeconds: number };
  /**
   * Currency -> decimal amount: an outgoing transfer above it needs a supporting document before it
   * can be confirmed (`TRANSFER_DOCUMENT_REQUIRED_ABOVE`; empty: off).
   */
  documentRequiredAbove: Record<string, string>;
}

export interface DocumentConfig {
  /** Where the bytes live: each subgraph's PostgreSQL schema, or a directory. */
  storage: { kind: "postgres" } | { kind: "filesystem"; directory: string };
  maxBytes: number;
  /** Lower-case media types a document's bytes may be (checked by their signature). */
  contentTypes: string[];
  /** Lifetime of a signed upload or download URL. */
  urlTtlSeconds: number;
  /** HMAC key of signed URLs. */
  urlSecret: string;
  /** Days a deleted document's bytes are kept. */
  retentionDays: number;
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

export interface LedgerDaysConfig {
  /** IANA zone of the bank's business days (`BANK_TIMEZONE`). */
  timeZone: string;
  /** Run the background jobs in this instance (`LEDGER_JOBS`); off: it only queues them. */
  jobs: boolean;
  /** Minutes after midnight before a day is closed (fixed: common/config/day-limits.ts). */
  closeGraceMinutes: number;
  /** A transfer not final this long after creation is reported (fixed, as above). */
  transferMaxMinutes: number;
  /** Money in suspense longer than this is reported (fixed, as above). */
  suspenseMaxDays: number;
}
