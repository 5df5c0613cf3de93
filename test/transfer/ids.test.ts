/** Ids in any case name the same thing: the transfer subgraph lower-cases them once, as they enter. */
import { randomUUID } from "node:crypto";
import { fund, openAccount } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const CREATE = `mutation($input: InternalTransferInput!, $key: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $key) { id status counterAccount { id } }
}`;

describe("ids in upper case", () => {
  it("When a transfer is asked for and repeated with ids in upper case, then it is the same transfer, found by its id in any case", async () => {
    const clientId = await importClient(stack);
    const from = await openAccount(stack, { clientId });
    const to = await openAccount(stack, { clientId });
    await fund(stack, from.id, "20.00");
    const key = randomUUID();
    const input = { debitAccountId: from.id, creditAccountId: to.id.toUpperCase(), amount: "5.00" };
    const first = await stack.graphql(CREATE, { input, key });
    expect(first.errors).toBeUndefined();
    expect(first.data!.createInternalTransfer).toMatchObject({
      status: "COMPLETED",
      counterAccount: { id: to.id },
    });
    // The same request with the ids spelled in lower case is the same request (one request hash).
    const again = await stack.graphql(CREATE, { input: { ...input, creditAccountId: to.id }, key });
    expect(again.errors).toBeUndefined();
    const { id } = first.data!.createInternalTransfer;
    expect(again.data!.createInternalTransfer.id).toBe(id);

    const read = await stack.graphql(
      `query($id: ID!) { transfer(id: $id) { id statusHistory { to } } }`,
      { id: id.toUpperCase() },
      { token: await stack.clientToken(clientId) },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.transfer).toEqual({ id, statusHistory: [{ to: "CREATED" }, { to: "COMPLETED" }] });
  });
});
