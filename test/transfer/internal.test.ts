/** Internal transfers: one ledger payment per transfer, recorded step by step, seen through the gateway. */
import { randomUUID } from "node:crypto";
import { balance, fund, openAccount } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const CREATE = `mutation($input: InternalTransferInput!, $key: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $key) {
    id kind status amount currency paymentId failureCode statusHistory { sequence from to reason changedBy }
  }
}`;

describe("internal transfers", () => {
  it("When a client moves money between two accounts, then it completes at once and a federated query shows balance and name", async () => {
    const clientId = await importClient(stack, { firstName: "Nina", lastName: "Berg" });
    const from = await openAccount(stack, { clientId });
    const to = await openAccount(stack, { clientId });
    await fund(stack, from.id, "80.00");
    const token = await stack.clientToken(clientId);
    const result = await stack.graphql(
      CREATE,
      {
        input: { debitAccountId: from.id, creditAccountId: to.id, amount: "25.50", reference: "savings" },
        key: randomUUID(),
      },
      { token },
    );
    expect(result.errors).toBeUndefined();
    const transfer = result.data!.createInternalTransfer;
    expect(transfer).toMatchObject({
      kind: "INTERNAL",
      status: "COMPLETED",
      amount: "25.50",
      currency: "EUR",
      failureCode: null,
    });
    expect(transfer.paymentId).toMatch(/^[0-9a-f-]{36}$/);
    expect(transfer.statusHistory).toEqual([
      { sequence: 1, from: null, to: "CREATED", reason: null, changedBy: `user-${clientId}` },
      { sequence: 2, from: "CREATED", to: "COMPLETED", reason: null, changedBy: `user-${clientId}` },
    ]);

    const federated = await stack.graphql(
      `query($id: ID!) { transfer(id: $id) { status account { balance { available } } counterAccount { balance { posted } } client { firstName lastName } } }`,
      { id: transfer.id },
      { token },
    );
    expect(federated.errors).toBeUndefined();
    expect(federated.data!.transfer).toEqual({
      status: "COMPLETED",
      account: { balance: { available: "54.50" } },
      counterAccount: { balance: { posted: "25.50" } },
      client: { firstName: "Nina", lastName: "Berg" },
    });
  });

  it("When the debit account cannot afford it, then INSUFFICIENT_FUNDS names the transfer, which is FAILED, and nothing moved", async () => {
    const from = await openAccount(stack);
    const to = await openAccount(stack);
    await fund(stack, from.id, "5.00");
    const result = await stack.graphql(CREATE, {
      input: { debitAccountId: from.id, creditAccountId: to.id, amount: "5.01" },
      key: randomUUID(),
    });
    expect(result.errors![0].extensions).toMatchObject({ code: "INSUFFICIENT_FUNDS" });
    const transferId = result.errors![0].extensions!.transferId;
    const read = await stack.graphql(
      `query($id: ID!) { transfer(id: $id) { status failureCode statusHistory { to reason } } }`,
      {
        id: transferId,
      },
    );
    expect(read.data!.transfer).toEqual({
      status: "FAILED",
      failureCode: "INSUFFICIENT_FUNDS",
      statusHistory: [
        { to: "CREATED", reason: null },
        { to: "FAILED", reason: "INSUFFICIENT_FUNDS" },
      ],
    });
    expect(await balance(stack, from.id)).toMatchObject({ posted: "5.00" });
  });

  it("When the same key is sent again, or by racing requests, then one transfer moves the money once; another request is refused", async () => {
    const from = await openAccount(stack);
    const to = await openAccount(stack);
    await fund(stack, from.id, "3.00");
    const key = randomUUID();
    const input = { debitAccountId: from.id, creditAccountId: to.id, amount: "3.00" };
    const results = await Promise.all(Array.from({ length: 6 }, () => stack.graphql(CREATE, { input, key })));
    expect(results.every((r) => r.data?.createInternalTransfer?.status === "COMPLETED")).toBe(true);
    expect(new Set(results.map((r) => r.data!.createInternalTransfer.id)).size).toBe(1);
    expect(await balance(stack, from.id)).toMatchObject({ posted: "0.00" });
    expect(await balance(stack, to.id)).toMatchObject({ posted: "3.00" });
    const other = await stack.graphql(CREATE, { input: { ...input, amount: "1.00" }, key });
    expect(other.errors![0].extensions!.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("When a front-office user debits another client's account or reads a transfer it is no side of, then FORBIDDEN", async () => {
    const ownClient = randomUUID();
    const own = await openAccount(stack, { clientId: ownClient });
    const other = await openAccount(stack);
    await fund(stack, other.id, "10.00");
    const token = await stack.clientToken(ownClient);
    const steal = await stack.graphql(
      CREATE,
      { input: { debitAccountId: other.id, creditAccountId: own.id, amount: "1.00" }, key: randomUUID() },
      { token },
    );
    expect(steal.errors![0].extensions!.code).toBe("FORBIDDEN");
    expect(await balance(stack, other.id)).toMatchObject({ posted: "10.00" });

    const theirs = await stack.graphql(CREATE, {
      input: { debitAccountId: other.id, creditAccountId: own.id, amount: "1.00" },
      key: randomUUID(),
    });
    // It credits the user's account: readable as a statement shows it (decision 0026), not acted on.
    const read = await stack.graphql(
      `query($id: ID!) { transfer(id: $id) { id clientId accountId counterAccountId } }`,
      { id: theirs.data!.createInternalTransfer.id },
      { token },
    );
    expect(read.data!.transfer).toEqual({
      id: theirs.data!.createInternalTransfer.id,
      clientId: null,
      accountId: null,
      counterAccountId: own.id,
    });
    const elsewhere = await stack.graphql(CREATE, {
      input: { debitAccountId: other.id, creditAccountId: (await openAccount(stack)).id, amount: "1.00" },
      key: randomUUID(),
    });
    const forbidden = await stack.graphql(
      `query($id: ID!) { transfer(id: $id) { id } }`,
      { id: elsewhere.data!.createInternalTransfer.id },
      { token },
    );
    expect(forbidden.errors![0].extensions!.code).toBe("FORBIDDEN");
    const list = await stack.graphql(`{ transfers { totalCount } }`, {}, { token });
    expect(list.data!.transfers.totalCount).toBe(0);
  });

  it.each([["ten"], ["0"], ["-1"], ["1.0001"]])(
    "When the amount is %s, then VALIDATION_FAILED names amount and nothing is recorded",
    async (amount) => {
      const from = await openAccount(stack);
      const to = await openAccount(stack);
      const result = await stack.graphql(CREATE, {
        input: { debitAccountId: from.id, creditAccountId: to.id, amount },
        key: randomUUID(),
      });
      expect(result.errors![0].extensions).toMatchObject({ code: "VALIDATION_FAILED" });
      expect(result.errors![0].extensions!.fields[0].field).toBe("amount");
      expect(result.errors![0].extensions!.transferId).toBeUndefined();
    },
  );

  it("When the reference is over 140 characters, then VALIDATION_FAILED names it and its rule, and nothing moves", async () => {
    const from = await openAccount(stack);
    const to = await openAccount(stack);
    await fund(stack, from.id, "9.00");
    const result = await stack.graphql(CREATE, {
      input: { debitAccountId: from.id, creditAccountId: to.id, amount: "1.00", reference: "r".repeat(141) },
      key: randomUUID(),
    });
    expect(result.errors![0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [expect.objectContaining({ field: "input.reference", rule: "maxLength" })],
    });
    expect((await balance(stack, from.id)).posted).toBe("9.00");
  });
});

describe("Transfers REST routes", () => {
  it("When transfers are read over REST, then a customer gets its own and the system list filters internal ones", async () => {
    const clientId = randomUUID();
    const from = await openAccount(stack, { clientId });
    const to = await openAccount(stack, { clientId });
    await fund(stack, from.id, "9.00");
    const token = await stack.clientToken(clientId);
    const made = await stack.graphql(
      CREATE,
      { input: { debitAccountId: from.id, creditAccountId: to.id, amount: "2.00" }, key: randomUUID() },
      { token },
    );
    const id = made.data!.createInternalTransfer.id;

    const own = await stack.rest("GET", "/Transfers", { token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      totalCount: 1,
      items: [{ id, kind: "internal", status: "completed", amount: "2.00" }],
    });
    const one = await stack.rest("GET", `/Transfers/${id}`, { token });
    expect(one.body.statusHistory.map((e: any) => e.to)).toEqual(["created", "completed"]);
    const system = await stack.rest("GET", `/internal/Transfers/internal?accountId=${from.id}`);
    expect(system.body.value).toMatchObject({ totalCount: 1, items: [{ id }] });
    const forbidden = await stack.rest("GET", `/internal/Transfers/internal`, { token });
    expect(forbidden.status).toBe(403);
    const missing = await stack.rest("GET", `/Transfers/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe("TRANSFER_NOT_FOUND");
  });
});

describe("transfers of an account and of a client", () => {
  it("When an account's and a client's transfers are asked across subgraphs, and filtered by amount and time, then the right ones come back", async () => {
    const clientId = await importClient(stack);
    const from = await openAccount(stack, { clientId });
    const to = await openAccount(stack, { clientId });
    await fund(stack, from.id, "50.00");
    const token = await stack.clientToken(clientId);
    const ids: string[] = [];
    for (const amount of ["1.00", "10.00", "20.00"]) {
      const made = await stack.graphql(
        CREATE,
        { input: { debitAccountId: from.id, creditAccountId: to.id, amount }, key: randomUUID() },
        { token },
      );
      ids.push(made.data!.createInternalTransfer.id);
    }
    const viaAccount = await stack.graphql(
      `query($id: ID!) { account(id: $id) { transfers { totalCount nodes { id } } } }`,
      { id: to.id },
      { token },
    );
    expect(viaAccount.data!.account.transfers).toEqual({ totalCount: 3, nodes: ids.map((id) => ({ id })) });
    const viaClient = await stack.graphql(
      `query($id: ID!) { client(id: $id) { transfers { totalCount } } }`,
      { id: clientId },
      { token },
    );
    expect(viaClient.data!.client.transfers.totalCount).toBe(3);
    const filtered = await stack.graphql(
      `query($f: TransferFilterInput) { transfers(filter: $f) { nodes { amount } } }`,
      { f: { accountId: from.id, minAmount: "5", maxAmount: "15.00" } },
    );
    expect(filtered.data!.transfers.nodes).toEqual([{ amount: "10.00" }]);
    const future = await stack.graphql(
      `query($f: TransferFilterInput) { transfers(filter: $f) { totalCount } }`,
      {
        f: { accountId: from.id, from: new Date(Date.now() + 60_000).toISOString() },
      },
    );
    expect(future.data!.transfers.totalCount).toBe(0);
    const otherClient = await stack.graphql(
      `query($id: ID!) { client(id: $id) { transfers { totalCount } } }`,
      { id: clientId },
      { token: await stack.clientToken(randomUUID()) },
    );
    expect(otherClient.errors![0].extensions!.code).toBe("FORBIDDEN");
  });
});
