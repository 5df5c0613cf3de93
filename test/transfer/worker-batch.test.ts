/**
 * A worker round's payments go to the ledger together (subgraphs/transfer/ledger/batching-ledger.ts):
 * transfers left due by an unreachable ledger are finished by one round of the worker with one
 * `createPayments` request, each with its own outcome, money moving once.
 */
import { randomUUID } from "node:crypto";
import { balance, fund, openAccount } from "../helpers/ledger";
import { sample, scrape } from "../helpers/ops";
import { type Stack, startStack } from "../helpers/stack";
import { cutOffOrchestrator, runWorker, sql } from "../helpers/transfers";

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

/** An internal transfer of 4.00 from a new account holding `funds`, stopped before its payment. */
async function stoppedTransfer(funds: string) {
  const from = await openAccount(stack);
  const to = await openAccount(stack);
  if (funds !== "0") await fund(stack, from.id, funds);
  const result = await stack.graphql(
    `mutation($input: InternalTransferInput!, $key: String!) { createInternalTransfer(input: $input, idempotencyKey: $key) { id } }`,
    { input: { debitAccountId: from.id, creditAccountId: to.id, amount: "4.00" }, key: randomUUID() },
    { url: cutOff.url },
  );
  expect(result.errors![0].extensions).toMatchObject({ code: "LEDGER_UNAVAILABLE" });
  return { from, to, id: result.errors![0].extensions!.transferId as string };
}

describe("a worker round's payments", () => {
  it("When four transfers are due with their payments, then one createPayments request finishes them, each with its own outcome, money moving once", async () => {
    const payable = [
      await stoppedTransfer("10.00"),
      await stoppedTransfer("10.00"),
      await stoppedTransfer("10.00"),
    ];
    const unfunded = await stoppedTransfer("0");
    const ids = [...payable, unfunded].map((t) => t.id);
    // Due now, not after the retry's backoff.
    await sql(stack, `UPDATE transfer.transfer SET next_run_at = now() WHERE id = ANY ($1)`, [ids]);
    const batches = (text: string) =>
      sample(text, "graphql_requests_total", { operation: "CreatePayments", outcome: "ok" });
    const before = await scrape(stack.ledger.url);

    await runWorker(stack);

    const after = await scrape(stack.ledger.url);
    expect(batches(after) - batches(before)).toBe(1);
    const statusOf = async (id: string) =>
      (await stack.graphql(`query($id: ID!) { transfer(id: $id) { status failureCode } }`, { id })).data!
        .transfer;
    for (const transfer of payable) {
      expect(await statusOf(transfer.id)).toEqual({ status: "COMPLETED", failureCode: null });
      expect(await balance(stack, transfer.from.id)).toMatchObject({ posted: "6.00" });
      expect(await balance(stack, transfer.to.id)).toMatchObject({ posted: "4.00" });
    }
    expect(await statusOf(unfunded.id)).toEqual({ status: "FAILED", failureCode: "INSUFFICIENT_FUNDS" });
    expect(await balance(stack, unfunded.to.id)).toMatchObject({ posted: "0.00" });

    // Another round finds nothing due and moves nothing again.
    await runWorker(stack);
    for (const transfer of payable)
      expect(await balance(stack, transfer.to.id)).toMatchObject({ posted: "4.00" });
  });
});
