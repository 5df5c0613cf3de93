/**
 * Starts the real services for a suite: the client subgraph and the gateway on free
 * ports, over the run's PostgreSQL database, plus small HTTP helpers.
 */
import "reflect-metadata";
import { randomUUID } from "node:crypto";
import pg from "pg";
import { type Config, loadConfig } from "../../common/config";
import { mintToken } from "../../common/auth/tokens";
import { type GatewayServer, startGateway } from "../../gateway/server";
import { type ClientSubgraph, startClientSubgraph } from "../../subgraphs/client/server";
import { type LedgerSubgraph, startLedgerSubgraph } from "../../subgraphs/ledger/server";
import { startTransferSubgraph, type TransferSubgraph } from "../../subgraphs/transfer/server";

export interface GraphQLResponse<T = Record<string, any>> {
  status: number;
  data?: T | null;
  errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, any> }>;
}

export interface RestResponse {
  status: number;
  contentType: string;
  body: any;
}

export interface Stack {
  config: Config;
  client: ClientSubgraph;
  ledger: LedgerSubgraph;
  transfer: TransferSubgraph;
  gateway: GatewayServer;
  databaseUrl: string;
  systemToken: string;
  clientToken(clientId: string): Promise<string>;
  /** POSTs a GraphQL request to `url` (default: the gateway). `token: null` sends none. */
  graphql<T = Record<string, any>>(
    query: string,
    variables?: Record<string, unknown>,
    options?: { token?: string | null; url?: string; headers?: Record<string, string> },
  ): Promise<GraphQLResponse<T>>;
  rest(
    method: string,
    path: string,
    options?: {
      token?: string | null;
      body?: unknown;
      rawBody?: string;
      contentType?: string;
      headers?: Record<string, string>;
    },
  ): Promise<RestResponse>;
  stop(): Promise<void>;
}

/** The suites' configuration; `overrides` set or replace keys (e.g. `LEDGER_GROUP_COMMIT_MS`). */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: "test",
    HOST: "127.0.0.1",
    PORT: "0",
    CLIENT_SUBGRAPH_PORT: "0",
    LEDGER_SUBGRAPH_PORT: "0",
    TRANSFER_SUBGRAPH_PORT: "0",
    LEDGER_CURRENCIES: "EUR,USD,JPY,BHD",
    // Suites play the worker's part themselves (engine.runDue) so each step is deterministic.
    TRANSFER_WORKER: "off",
    // Likewise the ledger's background jobs (ledger.jobs.runDue); pg-boss still starts, to queue them.
    LEDGER_JOBS: "off",
    // And the list counters' roll-up (rollUp; list-counts.test.ts runs the timer): its statements
    // would land in the `statements` counts that tests read.
    LIST_COUNT_ROLLUP_MS: "0",
    RAIL_DELAY_MS: "0",
    FX_RATES: "EUR=1,USD=1.085,JPY=162.5,BHD=0.41",
    ...overrides,
  });
}

export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error("TEST_DATABASE_URL is set by test/global-setup.ts");
  return url;
}

let copies = 0;

/**
 * A database of the suite's own: a copy of the run's migrated database (its template), so
 * suites running side by side never see each other's transfers. `drop` removes it.
 */
export async function suiteDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  return newDatabase(true);
}

/** An empty database of the suite's own (no schema, no migration), for migration tests. `drop` removes it. */
export async function emptyDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  return newDatabase(false);
}

async function newDatabase(fromTemplate: boolean): Promise<{ url: string; drop: () => Promise<void> }> {
  const template = new URL(testDatabaseUrl());
  const name = `${template.pathname.slice(1)}_s${process.pid}_${++copies}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"${fromTemplate ? ` TEMPLATE "${template.pathname.slice(1)}"` : ""}`);
  const url = new URL(template);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

export async function startStack(overrides: Record<string, string> = {}): Promise<Stack> {
  const config = testConfig(overrides);
  const database = await suiteDatabase();
  const databaseUrl = database.url;
  const client = await startClientSubgraph(config, databaseUrl);
  // The daily check asks the transfer subgraph, which starts after the ledger.
  let transferUrl = config.subgraphs.transfer.url;
  const ledger = await startLedgerSubgraph(config, databaseUrl, { transferUrl: () => transferUrl });
  const transfer = await startTransferSubgraph(config, databaseUrl, ledger.url);
  transferUrl = transfer.url;
  const gateway = await startGateway(config, {
    subgraphUrls: { client: client.url, ledger: ledger.url, transfer: transfer.url },
  });
  const systemToken = await mintToken(config.auth, { kind: "system", subject: "test-system" });

  return {
    config,
    client,
    ledger,
    transfer,
    gateway,
    databaseUrl,
    systemToken,
    clientToken: (clientId) =>
      mintToken(config.auth, { kind: "client", subject: `user-${clientId}`, clientId }),
    async graphql(query, variables = {}, options = {}) {
      const token = options.token === undefined ? systemToken : options.token;
      const response = await fetch(options.url ?? gateway.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...options.headers,
        },
        body: JSON.stringify({ query, variables }),
      });
      const body = (await response.json()) as GraphQLResponse;
      return { ...body, status: response.status } as never;
    },
    async rest(method, path, options = {}) {
      const token = options.token === undefined ? systemToken : options.token;
      const hasBody = options.body !== undefined || options.rawBody !== undefined;
      const response = await fetch(`${gateway.baseUrl}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(hasBody ? { "content-type": options.contentType ?? "application/json" } : {}),
          ...options.headers,
        },
        body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
      });
      const contentType = response.headers.get("content-type") ?? "";
      const text = await response.text();
      return {
        status: response.status,
        contentType,
        body: contentType.includes("json") ? JSON.parse(text) : text,
      };
    },
    async stop() {
      await gateway.stop();
      await transfer.stop();
      await ledger.stop();
      await client.stop();
      await database.drop();
    },
  };
}

/** `YYYY-MM-DD`, `days` from today (UTC). */
export function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** The sample document was issued two years ago and runs for eight more: valid whenever the suite runs. */
export const DOCUMENT_ISSUED = daysFromToday(-730);
export const DOCUMENT_EXPIRES = daysFromToday(2920);

/** A valid import request (REST spellings) with a unique externalId; `overrides` are merged in. */
export function importRequest(overrides: Record<string, unknown> = {}): Record<string, any> {
  return {
    externalId: `ext-${randomUUID()}`,
    riskLevel: "low",
    address: {
      streetLine1: "1 High Street",
      streetLine2: null,
      city: "London",
      state: null,
      zip: "E1 6AN",
      country: "GB",
    },
    phoneNumber: "+442071234567",
    email: "ann.lee@example.com",
    firstName: "Ann",
    lastName: "Lee",
    citizenshipCountry: "GB",
    identificationDocument: {
      issuedBy: "HM Passport Office",
      expirationDate: DOCUMENT_EXPIRES,
      type: "passport",
      number: "P1234567",
      issuedCountryCode: "GB",
      issuedDate: DOCUMENT_ISSUED,
    },
    residenceCountry: "GB",
    dateOfBirth: "1990-02-03",
    ...overrides,
  };
}

/** The same request with GraphQL enum names (`LOW`, `PASSPORT`). */
export function asGraphQLInput(request: Record<string, any>): Record<string, any> {
  const upper = (value: unknown) =>
    typeof value === "string" ? value.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() : value;
  return {
    ...request,
    riskLevel: upper(request.riskLevel),
    identificationDocument:
      request.identificationDocument && typeof request.identificationDocument === "object"
        ? { ...request.identificationDocument, type: upper(request.identificationDocument.type) }
        : request.identificationDocument,
  };
}

export const IMPORT_MUTATION = `mutation Import($input: ImportIndividualClientInput!) {
  importIndividualClient(input: $input) { clientId externalId }
}`;

/** Imports a client through the gateway and returns its id. */
export async function importClient(stack: Stack, overrides: Record<string, unknown> = {}): Promise<string> {
  const result = await stack.graphql(IMPORT_MUTATION, { input: asGraphQLInput(importRequest(overrides)) });
  if (!result.data?.importIndividualClient)
    throw new Error(`import failed: ${JSON.stringify(result.errors)}`);
  return result.data.importIndividualClient.clientId as string;
}
