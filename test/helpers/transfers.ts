/** Transfer test helpers: recipients, one-time codes from the outbox, the worker's part, ledger totals. */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import type { DataSource } from "typeorm";
import { createDataSource } from "../../common/db/data-source";
import { TRANSFER_SCHEMA, transferEntities, transferMigrations } from "../../subgraphs/transfer/persistence";
import { startTransferSubgraph } from "../../subgraphs/transfer/server";
import { fund, openAccount } from "./ledger";
import { emptyDatabase, importClient, type Stack, testConfig } from "./stack";

export const TRANSFER_FIELDS = `id kind type status clientId accountId amount currency paymentId failureCode
  railReference counterpartyName statusHistory { sequence from to reason changedBy }`;

/** The statuses an outgoing transfer goes through when everything works, in order. */
export const OUTGOING_COMPLETED = [
  "PENDING_CONFIRMATION",
  "CONFIRMED",
  "PROCESSING",
  "SENDING",
  "SENT",
  "COMPLETED",
];

export const CREATE_OUTGOING = `mutation($input: OutgoingTransferInput!, $key: String!) {
  createOutgoingTransfer(input: $input, idempotencyKey: $key) { ${TRANSFER_FIELDS} confirmation { id status attemptsLeft expiresAt } }
}`;
export const CONFIRM = `mutation($id: ID!, $code: String!) { confirmTransfer(id: $id, code: $code) { ${TRANSFER_FIELDS} } }`;
export const READ_TRANSFER = `query($id: ID!) { transfer(id: $id) { ${TRANSFER_FIELDS} } }`;

/** A SEPA recipient of `clientId` (a valid German IBAN; each call may pass another). */
export async function addRecipient(
  stack: Stack,
  clientId: string,
  options: { iban?: string; currency?: string } = {},
): Promise<string> {
  const result = await stack.graphql(
    `mutation($input: AddRecipientInput!) { addRecipient(input: $input) { id } }`,
    {
      input: {
        clientId,
        name: "Erika Mustermann",
        iban: options.iban ?? "DE89370400440532013000",
        currency: options.currency ?? "EUR",
      },
    },
  );
  if (!result.data?.addRecipient) throw new Error(`addRecipient failed: ${JSON.stringify(result.errors)}`);
  return result.data.addRecipient.id as string;
}

/** Runs SQL on the suite's database (reading the outbox, or moving a clock-bound column into the past). */
export async function sql<T = Record<string, any>>(
  stack: Stack,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: stack.databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The newest one-time code sent for a transfer, as the delivery process would read it from the outbox. */
export async function sentCode(stack: Stack, transferId: string): Promise<string> {
  const [row] = await sql<{ code: string }>(
    stack,
    `SELECT payload->>'code' AS code FROM transfer.notification_outbox
      WHERE payload->>'transferId' = $1 ORDER BY id DESC LIMIT 1`,
    [transferId],
  );
  return row.code;
}

/** The currencies whose ledger entries do not sum to zero: `{}` when every movement was balanced. */
export async function unbalancedCurrencies(stack: Stack): Promise<Record<string, string>> {
  const rows = await sql<{ currency: string; total: string }>(
    stack,
    `SELECT currency, sum(amount)::text AS total FROM ledger.entry GROUP BY currency HAVING sum(amount) <> 0`,
  );
  return Object.fromEntries(rows.map((r) => [r.currency, r.total]));
}

/** Plays the background worker until nothing is due. */
export async function runWorker(stack: Stack, rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) {
    if ((await stack.transfer.engine.runDue("test-worker", 100)) === 0) return;
  }
}

export function key(): string {
  return randomUUID();
}

/**
 * A new client's account funded with 100.00 EUR, a recipient, and an outgoing transfer of `amount`
 * from it waiting for its one-time code (PENDING_CONFIRMATION), created with the client's token.
 */
export async function pendingOutgoingTransfer(
  stack: Stack,
  amount = "25.00",
): Promise<{ id: string; accountId: string; clientId: string; token: string }> {
  const clientId = await importClient(stack);
  const account = await openAccount(stack, { clientId });
  await fund(stack, account.id, "100.00");
  const recipientId = await addRecipient(stack, clientId);
  const token = await stack.clientToken(clientId);
  const created = await stack.graphql(
    CREATE_OUTGOING,
    { input: { accountId: account.id, recipientId, amount, reference: "Invoice 42" }, key: key() },
    { token },
  );
  if (!created.data?.createOutgoingTransfer)
    throw new Error(`create failed: ${JSON.stringify(created.errors)}`);
  return { id: created.data.createOutgoingTransfer.id as string, accountId: account.id, clientId, token };
}

/** Confirms an outgoing transfer with the code the outbox holds for it (CONFIRMED, then PROCESSING). */
export async function confirmWithSentCode(
  stack: Stack,
  transfer: { id: string; token: string },
): Promise<void> {
  const confirmed = await stack.graphql(
    CONFIRM,
    { id: transfer.id, code: await sentCode(stack, transfer.id) },
    { token: transfer.token },
  );
  if (confirmed.errors) throw new Error(`confirm failed: ${JSON.stringify(confirmed.errors)}`);
}

/**
 * A second orchestrator whose payment calls to the ledger are cut off (the connection dropped),
 * reads going through: as if the ledger went down right at the payment step.
 */
export async function cutOffOrchestrator(stack: Stack): Promise<{ url: string; stop(): Promise<void> }> {
  const proxy = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      if (body.includes("createPayment")) return req.socket.destroy();
      void fetch(stack.ledger.url, {
        method: "POST",
        headers: req.headers as Record<string, string>,
        body,
      }).then(async (answer) => {
        res.writeHead(answer.status, { "content-type": "application/json" });
        res.end(Buffer.from(await answer.arrayBuffer()));
      });
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}/graphql`;
  const orchestrator = await startTransferSubgraph(testConfig(), stack.databaseUrl, proxyUrl);
  return {
    url: orchestrator.url,
    stop: async () => {
      await orchestrator.stop();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}

/**
 * An empty database for a test of the transfer migrations, made before the file's (or the
 * describe's) tests and dropped after them: `source(migrations)` is a data source over it with
 * those migrations, destroyed at the end if still open.
 */
export function transferMigrationDatabase(): {
  url(): string;
  source(migrations: typeof transferMigrations): DataSource;
} {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  const opened: DataSource[] = [];
  beforeAll(async () => {
    database = await emptyDatabase();
  });
  afterAll(async () => {
    for (const source of opened) if (source.isInitialized) await source.destroy();
    await database?.drop();
  });
  return {
    url: () => database!.url,
    source: (migrations) => {
      const { dataSource } = createDataSource({
        url: database!.url,
        schema: TRANSFER_SCHEMA,
        entities: transferEntities,
        migrations,
        poolSize: 2,
      });
      opened.push(dataSource);
      return dataSource;
    },
  };
}
