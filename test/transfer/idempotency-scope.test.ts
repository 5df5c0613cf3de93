/**
 * Idempotency keys per client (decision 0020): an operator acting for several clients may use one
 * key for each, a key reused within a client is refused without naming anything, the transfer's
 * ledger steps carry keys derived from the transfer, and the TransferIdempotencyPerClient
 * migration moves existing keys to their client's scope.
 */
import { randomUUID } from "node:crypto";
import type { DataSource } from "typeorm";
import { migrate } from "../../common/db/data-source";
import { TRANSFER_SCHEMA, transferMigrations } from "../../subgraphs/transfer/persistence";
import { TransferIdempotencyPerClient1732250000000 } from "../../subgraphs/transfer/persistence/migrations/1732250000000-TransferIdempotencyPerClient";
import { balance, fund, openAccount } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";
import {
  addRecipient,
  confirmWithSentCode,
  CREATE_OUTGOING,
  key,
  runWorker,
  sql,
  transferMigrationDatabase,
} from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const CREATE_INTERNAL = `mutation($input: InternalTransferInput!, $key: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $key) { id clientId status amount }
}`;
const QUOTE = `mutation($source: ID!, $target: ID!, $amount: String!) {
  fxQuote(sourceAccountId: $source, targetAccountId: $target, amount: $amount) { id }
}`;
const EXCHANGE = `mutation($quoteId: ID!, $key: String!) {
  createFxTransfer(quoteId: $quoteId, idempotencyKey: $key) { id clientId status }
}`;

/** A client with two funded EUR accounts. */
async function client(): Promise<{ clientId: string; from: string; to: string }> {
  const clientId = randomUUID();
  const from = await openAccount(stack, { clientId });
  const to = await openAccount(stack, { clientId });
  await fund(stack, from.id, "50.00");
  return { clientId, from: from.id, to: to.id };
}

async function transfersOf(clientId: string): Promise<number> {
  const [row] = await sql<{ n: number }>(
    stack,
    `SELECT count(*)::int AS n FROM transfer.transfer WHERE client_id = $1`,
    [clientId],
  );
  return row.n;
}

describe("idempotency keys per client", () => {
  it("When an operator creates transfers for two clients with the same key, then each client gets its own transfer", async () => {
    const [a, b] = [await client(), await client()];
    const k = key();
    const forA = await stack.graphql(CREATE_INTERNAL, {
      input: { debitAccountId: a.from, creditAccountId: a.to, amount: "10.00" },
      key: k,
    });
    const forB = await stack.graphql(CREATE_INTERNAL, {
      input: { debitAccountId: b.from, creditAccountId: b.to, amount: "20.00" },
      key: k,
    });
    expect([forA.errors, forB.errors]).toEqual([undefined, undefined]);
    expect(forA.data!.createInternalTransfer).toMatchObject({ clientId: a.clientId, status: "COMPLETED" });
    expect(forB.data!.createInternalTransfer).toMatchObject({ clientId: b.clientId, status: "COMPLETED" });
    expect(forA.data!.createInternalTransfer.id).not.toBe(forB.data!.createInternalTransfer.id);
    expect(await balance(stack, a.to)).toMatchObject({ posted: "10.00" });
    expect(await balance(stack, b.to)).toMatchObject({ posted: "20.00" });

    // Outgoing and FX transfers are kept per client the same way (each with a key of its own:
    // within a client, one key is one request).
    const [k2, k3] = [key(), key()];
    const outgoing = await Promise.all(
      [a, b].map(async (c) => {
        const recipientId = await addRecipient(stack, c.clientId);
        return stack.graphql(CREATE_OUTGOING, {
          input: { accountId: c.from, recipientId, amount: "1.00" },
          key: k2,
        });
      }),
    );
    expect(outgoing.map((r) => r.data?.createOutgoingTransfer?.clientId)).toEqual([a.clientId, b.clientId]);
    const exchanged = await Promise.all(
      [a, b].map(async (c) => {
        const usd = await openAccount(stack, { clientId: c.clientId, currency: "USD" });
        const quote = await stack.graphql(QUOTE, { source: c.from, target: usd.id, amount: "2.00" });
        return stack.graphql(EXCHANGE, { quoteId: quote.data!.fxQuote.id, key: k3 });
      }),
    );
    expect(exchanged.map((r) => r.data?.createFxTransfer?.clientId)).toEqual([a.clientId, b.clientId]);
    expect([await transfersOf(a.clientId), await transfersOf(b.clientId)]).toEqual([3, 3]);
  });

  it("When a key is reused within one client for another request, then IDEMPOTENCY_KEY_REUSED names no transfer, whoever asks, and nothing is recorded", async () => {
    const a = await client();
    const token = await stack.clientToken(a.clientId);
    const k = key();
    const input = { debitAccountId: a.from, creditAccountId: a.to, amount: "5.00" };
    const first = await stack.graphql(CREATE_INTERNAL, { input, key: k });
    expect(first.errors).toBeUndefined();

    // The client's own user sending the operator's request again gets the same transfer: one client, one key space.
    const same = await stack.graphql(CREATE_INTERNAL, { input, key: k }, { token });
    expect(same.data!.createInternalTransfer.id).toBe(first.data!.createInternalTransfer.id);

    const other = { ...input, amount: "6.00" };
    for (const asked of [{ token }, {}]) {
      const reused = await stack.graphql(CREATE_INTERNAL, { input: other, key: k }, asked);
      expect(reused.data).toBeNull();
      expect(reused.errors).toEqual([
        expect.objectContaining({
          message: "This idempotency key was used for a different transfer",
          extensions: { code: "IDEMPOTENCY_KEY_REUSED" },
        }),
      ]);
      expect(JSON.stringify(reused)).not.toContain(first.data!.createInternalTransfer.id);
    }
    expect(await transfersOf(a.clientId)).toBe(1);
    expect(await balance(stack, a.to)).toMatchObject({ posted: "5.00" });
  });

  it("When an outgoing transfer completes or is cancelled, then every ledger step carried its transfer's key in the client's scope", async () => {
    const clientId = await importClient(stack);
    const account = await openAccount(stack, { clientId });
    await fund(stack, account.id, "100.00");
    const recipientId = await addRecipient(stack, clientId);
    const token = await stack.clientToken(clientId);
    const create = async () => {
      const created = await stack.graphql(
        CREATE_OUTGOING,
        { input: { accountId: account.id, recipientId, amount: "10.00" }, key: key() },
        { token },
      );
      const id = created.data!.createOutgoingTransfer.id as string;
      await confirmWithSentCode(stack, { id, token });
      return id;
    };
    const ledgerKeys = (transferId: string) =>
      sql<{ scope: string; key: string; operation: string }>(
        stack,
        `SELECT scope, key, operation FROM ledger.idempotency_key WHERE key LIKE $1 ORDER BY created_at, key`,
        [`transfer:${transferId}:%`],
      );

    const sent = await create();
    await runWorker(stack);
    const completed = await stack.graphql(`query($id: ID!) { transfer(id: $id) { status } }`, { id: sent });
    expect(completed.data!.transfer.status).toBe("COMPLETED");
    expect(await ledgerKeys(sent)).toEqual([
      { scope: `client:${clientId}`, key: `transfer:${sent}:payment`, operation: "create" },
      { scope: `client:${clientId}`, key: `transfer:${sent}:pend`, operation: "pend" },
      { scope: `client:${clientId}`, key: `transfer:${sent}:post`, operation: "post" },
    ]);

    const cancelled = await create();
    const cancel = await stack.graphql(
      `mutation($id: ID!) { cancelTransfer(id: $id) { status } }`,
      { id: cancelled },
      { token },
    );
    expect(cancel.data!.cancelTransfer.status).toBe("CANCELLED");
    expect((await ledgerKeys(cancelled)).map((row) => row.operation)).toEqual(["create", "pend", "cancel"]);
    expect(await balance(stack, account.id)).toEqual({
      posted: "90.00",
      pending: "0.00",
      available: "90.00",
    });
  });
});

describe("TransferIdempotencyPerClient migration (scratch database)", () => {
  const { source } = transferMigrationDatabase();
  let scratch: DataSource;
  const [clientA, clientB] = [randomUUID(), randomUUID()];
  const ids: Record<string, string> = {};

  /** A transfer row and its first history entry, as the code before the migration wrote them. */
  async function insert(
    db: DataSource,
    name: string,
    row: {
      kind: string;
      clientId: string | null;
      scope: string;
      key: string;
      by: string;
      minutesAgo: number;
    },
  ) {
    const [inserted] = (await db.query(
      `INSERT INTO transfer.transfer (kind, status, client_id, account_id, amount, currency,
                                      idempotency_scope, idempotency_key, request_hash, created_at)
       VALUES ($1, 'COMPLETED', $2, $3, 1, 'EUR', $4, $5, 'h', now() - make_interval(mins => $6))
       RETURNING id`,
      [row.kind, row.clientId, row.clientId && randomUUID(), row.scope, row.key, row.minutesAgo],
    )) as { id: string }[];
    await db.query(
      `INSERT INTO transfer.transfer_event (transfer_id, sequence, to_status, changed_by) VALUES ($1, 1, 'COMPLETED', $2)`,
      [inserted.id, row.by],
    );
    ids[name] = inserted.id;
  }

  const scopes = async () => {
    const rows = (await scratch.query(`SELECT id, idempotency_scope FROM transfer.transfer`)) as {
      id: string;
      idempotency_scope: string;
    }[];
    return Object.fromEntries(
      Object.entries(ids).map(([name, id]) => [name, rows.find((row) => row.id === id)!.idempotency_scope]),
    );
  };

  it("When transfers keyed per subject are migrated, then each key moves to its client's scope, the earliest keeping a shared one; undone, keys are per subject again", async () => {
    // Up to this migration (later ones are not under test): it is the last one run, and undone.
    const upTo = transferMigrations.indexOf(TransferIdempotencyPerClient1732250000000) + 1;
    const before = source(transferMigrations.slice(0, upTo - 1));
    await before.initialize();
    await migrate(before, TRANSFER_SCHEMA);
    const internal = { kind: "INTERNAL", by: "operator-1", scope: "operator-1" };
    await insert(before, "forA", { ...internal, clientId: clientA, key: "k1", minutesAgo: 3 });
    // The client's own user had used the same key for client A, later: its key cannot stay.
    await insert(before, "forAByUser", {
      kind: "INTERNAL",
      clientId: clientA,
      scope: "user-a",
      by: "user-a",
      key: "k1",
      minutesAgo: 2,
    });
    await insert(before, "forB", { ...internal, clientId: clientB, key: "k2", minutesAgo: 1 });
    await insert(before, "incoming", {
      kind: "INCOMING",
      clientId: clientB,
      scope: "incoming",
      by: "rail",
      key: "ext-1",
      minutesAgo: 1,
    });
    await before.destroy();

    scratch = source(transferMigrations.slice(0, upTo));
    await scratch.initialize();
    await migrate(scratch, TRANSFER_SCHEMA);
    expect(await scopes()).toEqual({
      forA: `client:${clientA}`,
      forAByUser: "user-a",
      forB: `client:${clientB}`,
      incoming: "incoming",
    });

    await scratch.undoLastMigration({ transaction: "each" });
    expect(await scopes()).toEqual({
      forA: "operator-1",
      forAByUser: "user-a",
      forB: "operator-1",
      incoming: "incoming",
    });

    // Redone, operator-1 uses k1 for client B as well, which keys per client allow; the undo then refuses.
    await migrate(scratch, TRANSFER_SCHEMA);
    await insert(scratch, "forBToo", {
      ...internal,
      clientId: clientB,
      scope: `client:${clientB}`,
      key: "k1",
      minutesAgo: 0,
    });
    await expect(scratch.undoLastMigration({ transaction: "each" })).rejects.toThrow(
      /one idempotency key for transfers of several clients/,
    );
    expect((await scopes()).forA).toBe(`client:${clientA}`);
  });
});
