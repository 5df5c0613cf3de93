/**
 * `npm run seed`: fills a running supergraph with the demo data of bin/demo-data.ts through the
 * gateway's GraphQL API, as an operator with a system token would: clients, accounts with
 * balances, recipients, and transfers in every state a dashboard shows. Safe to run again: every
 * write carries an idempotency key derived from the data's fixed names, and what exists already
 * (CLIENT_ALREADY_EXISTS, RECIPIENT_ALREADY_EXISTS, an account of the same name) is used as it is.
 *
 * `npm run seed -- [--url <gateway GraphQL URL>] [--database-url <url>] [--token <jwt>]`
 * - `--url`: default `http://localhost:$PORT/graphql` (PORT as for `npm start`, default 4000).
 * - `--database-url`: default DATABASE_URL, else the embedded PostgreSQL `npm start` runs. It is
 *   read for one thing: the one-time codes of outgoing transfers, which the API never returns (the
 *   notification outbox stands in for the client's phone).
 * - `--token`: default a development system token, as `npm run token -- --system` prints.
 */
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { mintToken } from "../common/auth/tokens";
import { type Config, loadConfig } from "../common/config";
import { embeddedDatabaseUrl } from "../common/db/embedded";
import type { ErrorCode } from "../common/errors";
import { DEMO_CLIENTS, DEMO_TRANSFERS, type DemoClient, type DemoTransfer } from "./demo-data";

export interface SeedOptions {
  /** The gateway's GraphQL endpoint. */
  graphqlUrl: string;
  /** The supergraph's database, for the one-time codes in `transfer.notification_outbox`. */
  databaseUrl: string;
  /** A system token. */
  token: string;
}

export interface SeedSummary {
  clients: Array<{ id: string; name: string }>;
  accounts: number;
  recipients: number;
  /** Each seeded transfer as read back at the end (a server's worker may have moved one on since). */
  transfers: Array<{ key: string; id: string; kind: string; status: string }>;
}

/** An error the API answered, with its stable code (`extensions.code`). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown>,
  ) {
    super(`${code}: ${message}`);
  }
}

type Call = <T>(query: string, variables?: Record<string, unknown>) => Promise<T>;

interface SeededAccount {
  id: string;
  number: string;
  currency: string;
  clientId: string;
}

interface TransferState {
  id: string;
  status: string;
}

const FINISHED = ["COMPLETED", "FAILED", "CANCELLED"];

/** How long the seed waits for an outgoing transfer a server's worker is already running. */
const RUN_TIMEOUT_MS = 30_000;

const IMPORT_CLIENT = `mutation($input: ImportIndividualClientInput!) {
  importIndividualClient(input: $input) { clientId }
}`;
const FIND_ACCOUNTS = `query($filter: AccountFilterInput!) {
  accounts(filter: $filter, first: 100) { nodes { id number name currency } }
}`;
const OPEN_ACCOUNT = `mutation($input: OpenAccountInput!) { openAccount(input: $input) { id number name currency } }`;
const SETTLEMENT_ACCOUNT = `query($currency: String!) { settlementAccount(currency: $currency) { id } }`;
const CREATE_PAYMENT = `mutation($input: PaymentInput!, $key: String!) {
  createPayment(input: $input, idempotencyKey: $key) { id }
}`;
const ADD_RECIPIENT = `mutation($input: AddRecipientInput!) { addRecipient(input: $input) { id } }`;
const CREATE_INTERNAL = `mutation($input: InternalTransferInput!, $key: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $key) { id status }
}`;
const CREATE_OUTGOING = `mutation($input: OutgoingTransferInput!, $key: String!) {
  createOutgoingTransfer(input: $input, idempotencyKey: $key) { id status }
}`;
const CONFIRM = `mutation($id: ID!, $code: String!) { confirmTransfer(id: $id, code: $code) { id status } }`;
const RESEND_CODE = `mutation($id: ID!) { resendConfirmationCode(id: $id) { id } }`;
const CANCEL = `mutation($id: ID!) { cancelTransfer(id: $id) { id status } }`;
const CONTINUE = `mutation($id: ID!) { continueTransfer(id: $id) { id status } }`;
const RECEIVE = `mutation($input: IncomingTransferInput!) { receiveIncomingTransfer(input: $input) { id status } }`;
const FIND_TRANSFERS = `query($filter: TransferFilterInput!) {
  transfers(filter: $filter, first: 100) { nodes { id idempotencyKey } }
}`;
const FX_QUOTE = `mutation($source: ID!, $target: ID!, $amount: String!) {
  fxQuote(sourceAccountId: $source, targetAccountId: $target, amount: $amount) { id }
}`;
const CREATE_FX = `mutation($quoteId: ID!, $key: String!) {
  createFxTransfer(quoteId: $quoteId, idempotencyKey: $key) { id status }
}`;

/** Every GraphQL document the seed sends but the read-back (see {@link readBackQuery}); tests check them against the limits. */
export const SEED_OPERATIONS = {
  IMPORT_CLIENT,
  FIND_ACCOUNTS,
  OPEN_ACCOUNT,
  SETTLEMENT_ACCOUNT,
  CREATE_PAYMENT,
  ADD_RECIPIENT,
  CREATE_INTERNAL,
  CREATE_OUTGOING,
  CONFIRM,
  RESEND_CODE,
  CANCEL,
  CONTINUE,
  RECEIVE,
  FIND_TRANSFERS,
  FX_QUOTE,
  CREATE_FX,
};

/** One query reading `count` transfers back, one alias each (`t0` for `$t0`...). */
export function readBackQuery(count: number): string {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return `query(${indexes.map((i) => `$t${i}: ID!`).join(", ")}) {
        ${indexes.map((i) => `t${i}: transfer(id: $t${i}) { id kind status }`).join("\n")}
      }`;
}

const CODE_SENT = `SELECT payload->>'code' AS code FROM transfer.notification_outbox
  WHERE payload->>'transferId' = $1 ORDER BY id DESC LIMIT 1`;

/** Fills the supergraph at `graphqlUrl` with the demo data; returns what it holds afterwards. */
export async function seed(options: SeedOptions): Promise<SeedSummary> {
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    const seeder = new Seeder(graphqlCaller(options.graphqlUrl, options.token), db);
    const clients: SeedSummary["clients"] = [];
    for (const client of DEMO_CLIENTS) {
      clients.push({ id: await seeder.client(client), name: `${client.firstName} ${client.lastName}` });
    }
    const transfers: Array<{ key: string; id: string }> = [];
    for (const transfer of DEMO_TRANSFERS) {
      transfers.push({ key: transfer.key, id: await seeder.transfer(transfer) });
    }
    return {
      clients,
      accounts: seeder.accounts.size,
      recipients: seeder.recipients.size,
      transfers: await seeder.readBack(transfers),
    };
  } finally {
    await db.end();
  }
}

/** The summary `npm run seed` prints: counts per kind and status, and a client to try. */
export function formatSummary(summary: SeedSummary): string {
  const byKind = new Map<string, Map<string, number>>();
  for (const { kind, status } of summary.transfers) {
    const statuses = byKind.get(kind) ?? new Map<string, number>();
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    byKind.set(kind, statuses);
  }
  const [client] = summary.clients;
  return [
    "",
    `Demo data: ${summary.clients.length} clients, ${summary.accounts} accounts, ${summary.recipients} recipients, ${summary.transfers.length} transfers`,
    ...[...byKind].map(
      ([kind, statuses]) =>
        `  ${kind.padEnd(9)} ${[...statuses].map(([status, count]) => `${status} ${count}`).join(", ")}`,
    ),
    `  Try client ${client.name}: ${client.id}`,
    `    query { client(id: "${client.id}") { firstName accounts { number currency balance { available } } transfers { nodes { kind status amount } } } }`,
    `    npm run token -- --client ${client.id}`,
    "",
    "",
  ].join("\n");
}

/**
 * The token `npm run token -- --system` prints, always with the same subject. Idempotency keys
 * are kept per client (decision 0020), so any system caller running the seed again adds nothing.
 */
export async function seedToken(config: Config): Promise<string> {
  // Demo data is for development databases: only the built-in development secret mints here.
  if (!config.auth.usingDevelopmentSecret || config.nodeEnv === "production") {
    throw new Error(
      "Demo data goes into development databases: with JWT_SECRET, JWT_JWKS_URL or NODE_ENV=production set, pass a system token with --token <jwt> if you really mean it",
    );
  }
  return mintToken(config.auth, { kind: "system", subject: "dev-system" }, "1h");
}

/** DATABASE_URL, else the embedded server `npm start` runs (its URL as common/db/embedded.ts builds it). */
export function defaultDatabaseUrl(config: Config): string {
  return config.databaseUrl ?? embeddedDatabaseUrl(config.embeddedPostgres.port);
}

/** POSTs GraphQL requests with the token; the first error of an answer is thrown as an {@link ApiError}. */
function graphqlCaller(url: string, token: string): Call {
  return async <T>(query: string, variables: Record<string, unknown> = {}): Promise<T> => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (error) {
      // fetch says "fetch failed"; the reason (ECONNREFUSED...) is its cause.
      const reason = (error as { cause?: unknown }).cause ?? error;
      throw new Error(`cannot reach ${url} (is the supergraph running? npm start): ${String(reason)}`);
    }
    const body = (await response.json().catch(() => null)) as {
      data?: T;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    } | null;
    if (!body) throw new Error(`${url} answered HTTP ${response.status} without a GraphQL body`);
    const [error] = body.errors ?? [];
    if (error) {
      throw new ApiError(String(error.extensions?.code ?? "UNKNOWN"), error.message, error.extensions ?? {});
    }
    return body.data as T;
  };
}

/** The answer of `request`, or the {@link ApiError} it was refused with when its code is one of `codes`. */
async function allowing<T>(request: Promise<T>, codes: ErrorCode[]): Promise<T | ApiError> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof ApiError && (codes as string[]).includes(error.code)) return error;
    throw error;
  }
}

/**
 * The id a refusal names: the existing client or recipient, or the transfer it recorded as FAILED.
 * Without one the refusal is not the expected one, and stands.
 */
function namedId(error: ApiError, field: "clientId" | "recipientId" | "transferId"): string {
  const id = error.extensions[field];
  if (typeof id !== "string") throw error;
  return id;
}

/** `YYYY-MM-DD`, `days` from today (UTC). */
function daysFromToday(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/** Creates (or finds) each piece of demo data and remembers where it is by its demo key. */
class Seeder {
  /** `<client key>.<account key>` -> the account. */
  readonly accounts = new Map<string, SeededAccount>();
  /** `<client key>.<recipient key>` -> recipient id. */
  readonly recipients = new Map<string, string>();
  private readonly settlementAccounts = new Map<string, string>();

  constructor(
    private readonly call: Call,
    private readonly db: pg.Client,
  ) {}

  /** The client imported under its fixed externalId, with its funded accounts and its recipients. */
  async client(client: DemoClient): Promise<string> {
    const imported = await allowing(
      this.call<{ importIndividualClient: { clientId: string } }>(IMPORT_CLIENT, {
        input: {
          externalId: client.externalId,
          riskLevel: "LOW",
          address: { ...client.address, streetLine2: null, state: null, country: client.country },
          phoneNumber: client.phoneNumber,
          email: `${client.firstName}.${client.lastName}@example.com`.toLowerCase(),
          firstName: client.firstName,
          lastName: client.lastName,
          citizenshipCountry: client.country,
          residenceCountry: client.country,
          dateOfBirth: client.dateOfBirth,
          identificationDocument: {
            type: "PASSPORT",
            number: client.passport.number,
            issuedBy: client.passport.issuedBy,
            issuedCountryCode: client.country,
            // Relative to today, so the document is valid whenever the seed runs.
            issuedDate: daysFromToday(-730),
            expirationDate: daysFromToday(2920),
          },
        },
      }),
      ["CLIENT_ALREADY_EXISTS"],
    );
    const clientId =
      imported instanceof ApiError ? namedId(imported, "clientId") : imported.importIndividualClient.clientId;
    for (const account of client.accounts) {
      const opened = await this.findOrOpenAccount(clientId, account.currency, account.name);
      if (account.deposit) {
        await this.call(CREATE_PAYMENT, {
          input: {
            debitAccountId: await this.settlementAccount(account.currency),
            creditAccountId: opened.id,
            amount: account.deposit,
            description: "Demo opening deposit",
          },
          key: `demo:deposit:${client.key}.${account.key}`,
        });
      }
      this.accounts.set(`${client.key}.${account.key}`, opened);
    }
    for (const recipient of client.recipients) {
      const added = await allowing(
        this.call<{ addRecipient: { id: string } }>(ADD_RECIPIENT, {
          input: { clientId, name: recipient.name, iban: recipient.iban, currency: recipient.currency },
        }),
        ["RECIPIENT_ALREADY_EXISTS"],
      );
      this.recipients.set(
        `${client.key}.${recipient.key}`,
        added instanceof ApiError ? namedId(added, "recipientId") : added.addRecipient.id,
      );
    }
    return clientId;
  }

  /** The transfer made and driven to its demo status; returns its id. */
  async transfer(transfer: DemoTransfer): Promise<string> {
    const key = `demo:${transfer.key}`;
    switch (transfer.kind) {
      case "INTERNAL": {
        const created = await allowing(
          this.call<{ createInternalTransfer: TransferState }>(CREATE_INTERNAL, {
            input: {
              debitAccountId: this.accountNamed(transfer.from).id,
              creditAccountId: this.accountNamed(transfer.to).id,
              amount: transfer.amount,
              reference: transfer.reference,
            },
            key,
          }),
          // The first run is refused (the transfer is recorded FAILED); a second answers it as it is.
          transfer.status === "FAILED" ? ["INSUFFICIENT_FUNDS"] : [],
        );
        return created instanceof ApiError
          ? namedId(created, "transferId")
          : created.createInternalTransfer.id;
      }
      case "OUTGOING":
        return this.outgoing(transfer, key);
      case "INCOMING": {
        const account = typeof transfer.to === "string" ? this.accountNamed(transfer.to) : null;
        const received = await this.call<{ receiveIncomingTransfer: TransferState }>(RECEIVE, {
          input: {
            // The rail's id: a second delivery credits nothing.
            externalId: `DEMO-${transfer.key}`,
            accountNumber: account?.number ?? (transfer.to as { unknownNumber: string }).unknownNumber,
            amount: transfer.amount,
            currency: account?.currency ?? (transfer.to as { currency: string }).currency,
            senderName: transfer.sender.name,
            senderIban: transfer.sender.iban,
            reference: transfer.reference,
          },
        });
        return received.receiveIncomingTransfer.id;
      }
      case "FX": {
        const source = this.accountNamed(transfer.from);
        // A quote buys one transfer, so a second run must not ask for a new one: the same key with
        // another quote is another request (IDEMPOTENCY_KEY_REUSED).
        const found = await this.call<{
          transfers: { nodes: Array<{ id: string; idempotencyKey: string }> };
        }>(FIND_TRANSFERS, { filter: { clientId: source.clientId, kind: "FX" } });
        const existing = found.transfers.nodes.find((t) => t.idempotencyKey === key);
        if (existing) return existing.id;
        const quote = await this.call<{ fxQuote: { id: string } }>(FX_QUOTE, {
          source: source.id,
          target: this.accountNamed(transfer.to).id,
          amount: transfer.amount,
        });
        const exchanged = await this.call<{ createFxTransfer: TransferState }>(CREATE_FX, {
          quoteId: quote.fxQuote.id,
          key,
        });
        return exchanged.createFxTransfer.id;
      }
    }
  }

  /** Each transfer's kind and status as they are now, in one request. */
  async readBack(transfers: Array<{ key: string; id: string }>): Promise<SeedSummary["transfers"]> {
    const variables = Object.fromEntries(transfers.map((t, i) => [`t${i}`, t.id]));
    const read = await this.call<Record<string, { id: string; kind: string; status: string } | null>>(
      readBackQuery(transfers.length),
      variables,
    );
    return transfers.map((t, i) => {
      const found = read[`t${i}`];
      if (!found) throw new Error(`the seeded transfer ${t.key} (${t.id}) cannot be read back`);
      return { key: t.key, ...found };
    });
  }

  /**
   * An outgoing transfer taken as far as its demo status: left waiting for its code, confirmed
   * (PROCESSING, queued for the rail), confirmed and run to the end, cancelled, or confirmed
   * without the money (FAILED). A second run finds it where the first left it and goes on from there.
   */
  private async outgoing(
    transfer: Extract<DemoTransfer, { kind: "OUTGOING" }>,
    key: string,
  ): Promise<string> {
    let state = (
      await this.call<{ createOutgoingTransfer: TransferState }>(CREATE_OUTGOING, {
        input: {
          accountId: this.accountNamed(transfer.from).id,
          recipientId: this.recipientNamed(transfer.recipient),
          amount: transfer.amount,
          reference: transfer.reference,
        },
        key,
      })
    ).createOutgoingTransfer;
    if (transfer.status === "PENDING_CONFIRMATION") return state.id;
    if (transfer.status === "CANCELLED") {
      if (state.status === "PENDING_CONFIRMATION") await this.call(CANCEL, { id: state.id });
      return state.id;
    }
    if (state.status === "PENDING_CONFIRMATION") {
      state = await this.confirm(state.id, transfer.status === "FAILED");
    }
    if (transfer.status === "COMPLETED") await this.runToEnd(state.id);
    return state.id;
  }

  /**
   * Confirms with the code the client was sent. A code left by an earlier run that stopped half
   * way may have expired: then a new one is asked for, once.
   */
  private async confirm(id: string, refusalExpected: boolean): Promise<TransferState> {
    for (let attempt = 1; ; attempt++) {
      const { rows } = await this.db.query<{ code: string | null }>(CODE_SENT, [id]);
      if (!rows[0]?.code) throw new Error(`no one-time code was sent for transfer ${id}`);
      const confirmed = await allowing(
        this.call<{ confirmTransfer: TransferState }>(CONFIRM, { id, code: rows[0].code }),
        [
          "CONFIRMATION_EXPIRED",
          "CONFIRMATION_LOCKED",
          "CONFIRMATION_NOT_FOUND",
          ...(refusalExpected ? (["INSUFFICIENT_FUNDS"] as const) : []),
        ],
      );
      if (!(confirmed instanceof ApiError)) return confirmed.confirmTransfer;
      if (confirmed.code === "INSUFFICIENT_FUNDS") return { id, status: "FAILED" };
      if (attempt > 1) throw confirmed;
      await this.call(RESEND_CODE, { id });
    }
  }

  /**
   * Runs a confirmed transfer to the end now (continueTransfer) rather than waiting for the
   * worker; a server's worker may hold it already (TRANSFER_BUSY), so it waits for that run.
   */
  private async runToEnd(id: string): Promise<void> {
    const deadline = Date.now() + RUN_TIMEOUT_MS;
    for (;;) {
      const result = await allowing(this.call<{ continueTransfer: TransferState }>(CONTINUE, { id }), [
        "TRANSFER_BUSY",
        "TRANSFER_ALREADY_FINISHED",
      ]);
      if (result instanceof ApiError && result.code === "TRANSFER_ALREADY_FINISHED") return;
      if (!(result instanceof ApiError) && FINISHED.includes(result.continueTransfer.status)) return;
      if (Date.now() > deadline) throw new Error(`transfer ${id} did not finish within ${RUN_TIMEOUT_MS} ms`);
      await sleep(200);
    }
  }

  /** The client's active account of this currency and name, opened if there is none. */
  private async findOrOpenAccount(clientId: string, currency: string, name: string): Promise<SeededAccount> {
    const found = await this.call<{
      accounts: { nodes: Array<Omit<SeededAccount, "clientId"> & { name: string }> };
    }>(FIND_ACCOUNTS, { filter: { clientId, currency, status: "ACTIVE" } });
    const existing = found.accounts.nodes.find((a) => a.name === name);
    const account =
      existing ??
      (
        await this.call<{ openAccount: Omit<SeededAccount, "clientId"> }>(OPEN_ACCOUNT, {
          input: { clientId, currency, name },
        })
      ).openAccount;
    return { id: account.id, number: account.number, currency: account.currency, clientId };
  }

  private async settlementAccount(currency: string): Promise<string> {
    let id = this.settlementAccounts.get(currency);
    if (!id) {
      const read = await this.call<{ settlementAccount: { id: string } }>(SETTLEMENT_ACCOUNT, { currency });
      id = read.settlementAccount.id;
      this.settlementAccounts.set(currency, id);
    }
    return id;
  }

  /** A seeded account by its demo name (`joe.eur`). */
  private accountNamed(name: string): SeededAccount {
    const account = this.accounts.get(name);
    if (!account) throw new Error(`bin/demo-data.ts names no account "${name}"`);
    return account;
  }

  private recipientNamed(name: string): string {
    const id = this.recipients.get(name);
    if (!id) throw new Error(`bin/demo-data.ts names no recipient "${name}"`);
    return id;
  }
}

const USAGE = "usage: npm run seed -- [--url <gateway GraphQL URL>] [--database-url <url>] [--token <jwt>]";

async function main(args: string[]): Promise<void> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    if (!["--url", "--database-url", "--token"].includes(args[i]) || !args[i + 1]) {
      process.stderr.write(`${USAGE}\n`);
      process.exitCode = 2;
      return;
    }
    flags.set(args[i], args[i + 1]);
  }
  const config = loadConfig();
  const summary = await seed({
    graphqlUrl: flags.get("--url") ?? `http://localhost:${config.gateway.port}/graphql`,
    databaseUrl: flags.get("--database-url") ?? defaultDatabaseUrl(config),
    token: flags.get("--token") ?? (await seedToken(config)),
  });
  process.stdout.write(formatSummary(summary));
}

// Run as `npm run seed`; `npm start -- --seed` and the tests import seed() instead.
if (require.main === module) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
