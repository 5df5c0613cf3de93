/**
 * A transfer that stops half way is finished by an operator's continueTransfer, and money
 * moves exactly once: whether the ledger was unreachable, or the ledger call went through and
 * the orchestrator died before it recorded it.
 */
import { randomUUID } from "node:crypto";
import { mintToken } from "../../common/auth/tokens";
import { balance, CREATE_PAYMENT, fund, openAccount } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";
import { cutOffOrchestrator } from "../helpers/transfers";

let stack: Stack;
let cutOff: { url: string; stop(): Promise<void> };
beforeAll(async () => {
  stack = await startStack();
  cutOff = await cutOffOrchestrator(stack);
});
afterAll(async () => {
  await cutOff.stop();
  await stack.stop();
});

const CREATE = `mutation($input: InternalTransferInput!, $key: String!) {
  createInternalTransfer(input: $input, idempotencyKey: $key) { id status }
}`;
const CONTINUE = `mutation($id: ID!) { continueTransfer(id: $id) { status paymentId statusHistory { sequence to } } }`;

async function stoppedTransfer() {
  const from = await openAccount(stack);
  const to = await openAccount(stack);
  await fund(stack, from.id, "10.00");
  const result = await stack.graphql(
    CREATE,
    { input: { debitAccountId: from.id, creditAccountId: to.id, amount: "4.00" }, key: randomUUID() },
    { url: cutOff.url },
  );
  expect(result.errors![0].extensions).toMatchObject({ code: "LEDGER_UNAVAILABLE" });
  const transferId = result.errors![0].extensions!.transferId as string;
  const read = await stack.graphql(`query($id: ID!) { transfer(id: $id) { status } }`, { id: transferId });
  expect(read.data!.transfer.status).toBe("CREATED");
  return { from, to, transferId };
}

describe("continuing a stopped transfer", () => {
  it("When the ledger was unreachable, then continueTransfer completes it once; a second call moves nothing", async () => {
    const { from, to, transferId } = await stoppedTransfer();
    expect(await balance(stack, from.id)).toMatchObject({ posted: "10.00" });

    const continued = await stack.graphql(CONTINUE, { id: transferId });
    expect(continued.data!.continueTransfer).toMatchObject({
      status: "COMPLETED",
      statusHistory: [
        { sequence: 1, to: "CREATED" },
        { sequence: 2, to: "COMPLETED" },
      ],
    });
    const again = await stack.graphql(CONTINUE, { id: transferId });
    expect(again.errors![0].extensions).toMatchObject({
      code: "TRANSFER_ALREADY_FINISHED",
      status: "COMPLETED",
    });
    expect(await balance(stack, from.id)).toMatchObject({ posted: "6.00" });
    expect(await balance(stack, to.id)).toMatchObject({ posted: "4.00" });
  });

  it("When the ledger moved the money but the orchestrator died before recording it, then continuing does not move it again", async () => {
    const { from, to, transferId } = await stoppedTransfer();
    // What the orchestrator's lost call did: the payment under its own credential and step key.
    const orchestrator = await mintToken(stack.config.auth, {
      kind: "system",
      subject: "transfer-orchestrator",
    });
    const lost = await stack.graphql(
      CREATE_PAYMENT,
      {
        input: {
          debitAccountId: from.id,
          creditAccountId: to.id,
          amount: "4.00",
          description: `Transfer ${transferId}`,
          metadata: { transferId },
        },
        key: `transfer:${transferId}:payment`,
      },
      { token: orchestrator },
    );
    expect(lost.errors).toBeUndefined();

    const continued = await stack.graphql(CONTINUE, { id: transferId });
    expect(continued.data!.continueTransfer).toMatchObject({
      status: "COMPLETED",
      paymentId: lost.data!.createPayment.id,
    });
    expect(await balance(stack, from.id)).toMatchObject({ posted: "6.00" });
    expect(await balance(stack, to.id)).toMatchObject({ posted: "4.00" });
  });

  it("When a front-office user or an unknown id asks, then FORBIDDEN or TRANSFER_NOT_FOUND", async () => {
    const forbidden = await stack.graphql(
      CONTINUE,
      { id: randomUUID() },
      { token: await stack.clientToken(randomUUID()) },
    );
    expect(forbidden.errors![0].extensions!.code).toBe("FORBIDDEN");
    const missing = await stack.graphql(CONTINUE, { id: randomUUID() });
    expect(missing.errors![0].extensions!.code).toBe("TRANSFER_NOT_FOUND");
  });
});
