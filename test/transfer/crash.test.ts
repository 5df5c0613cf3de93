/**
 * An outgoing transfer stopped after each of its steps in turn (the ledger call or the rail
 * send failing before it arrives, or after, with the answer lost) is finished by the operator's
 * continueTransfer or by the worker: the ledger sums to zero and the client's money moved once.
 * A runner that died holding a transfer is taken over when its lease runs out.
 */
import { randomUUID } from "node:crypto";
import { startTransferSubgraph, type TransferSubgraph } from "../../subgraphs/transfer/server";
import { SimulatedRail } from "../../subgraphs/transfer/rail/payment-rail";
import { FaultyRail, type FaultTiming, type LedgerProxy, startLedgerProxy } from "../helpers/faults";
import { balance, fund, openAccount, settlementAccountId } from "../helpers/ledger";
import { type Stack, startStack, testConfig } from "../helpers/stack";
import {
  addRecipient,
  CONFIRM,
  CREATE_OUTGOING,
  sentCode,
  sql,
  unbalancedCurrencies,
  OUTGOING_COMPLETED,
} from "../helpers/transfers";

let stack: Stack;
let proxy: LedgerProxy;
let rail: FaultyRail;
let faulty: TransferSubgraph;
beforeAll(async () => {
  stack = await startStack();
  proxy = await startLedgerProxy(stack.ledger.url);
  rail = new FaultyRail(new SimulatedRail({ delayMs: 0, rejectRate: 0 }));
  faulty = await startTransferSubgraph(testConfig(), stack.databaseUrl, proxy.url, rail);
});
afterAll(async () => {
  await faulty.stop();
  await proxy.close();
  await stack.stop();
});

const READ = `query($id: ID!) { transfer(id: $id) { status paymentId railReference lastError statusHistory { sequence to } } }`;
const CONTINUE = `mutation($id: ID!) { continueTransfer(id: $id) { status } }`;

type Fault = { ledger: string; timing: FaultTiming } | { rail: FaultTiming };

/** Where each fault leaves the transfer, and the fault. */
const STEPS: Array<[string, Fault, string]> = [
  ["creating the draft payment, unsent", { ledger: "createDraftPayment", timing: "before" }, "CONFIRMED"],
  ["creating the draft payment, answer lost", { ledger: "createDraftPayment", timing: "after" }, "CONFIRMED"],
  ["holding the funds, unsent", { ledger: "pendPayment", timing: "before" }, "CONFIRMED"],
  ["holding the funds, answer lost", { ledger: "pendPayment", timing: "after" }, "CONFIRMED"],
  ["sending to the rail, unsent", { rail: "before" }, "SENDING"],
  ["sending to the rail, answer lost", { rail: "after" }, "SENDING"],
  ["posting the payment, unsent", { ledger: "postPayment", timing: "before" }, "SENT"],
  ["posting the payment, answer lost", { ledger: "postPayment", timing: "after" }, "SENT"],
];

async function runFaultyWorker(): Promise<void> {
  for (let i = 0; i < 6; i++) if ((await faulty.engine.runDue("faulty-worker", 100)) === 0) return;
}

/** Creates and confirms an outgoing transfer through the faulty instance with `fault` armed; runs it until it stops. */
async function stoppedTransfer(fault: Fault) {
  const account = await openAccount(stack);
  await fund(stack, account.id, "100.00");
  const recipientId = await addRecipient(stack, account.clientId);
  const token = await stack.clientToken(account.clientId);
  const created = await stack.graphql(
    CREATE_OUTGOING,
    { input: { accountId: account.id, recipientId, amount: "25.00" }, key: randomUUID() },
    { token, url: faulty.url },
  );
  const id = created.data!.createOutgoingTransfer.id as string;
  if ("ledger" in fault) proxy.failNext(fault.ledger, fault.timing);
  else rail.failNext(fault.rail);
  const confirmed = await stack.graphql(
    CONFIRM,
    { id, code: await sentCode(stack, id) },
    { token, url: faulty.url },
  );
  // A confirmation whose hold could not be placed still stands: no error invites a second transfer.
  expect(confirmed.errors).toBeUndefined();
  await runFaultyWorker();
  return { account, id };
}

/** The client's money left once: 25.00 out, nothing held, one payment for the transfer, posted to settlement. */
async function expectMovedOnce(accountId: string, transferId: string) {
  expect(await balance(stack, accountId)).toMatchObject({
    posted: "75.00",
    pending: "0.00",
    available: "75.00",
  });
  const payments = await sql(
    stack,
    `SELECT status, amount::text, credit_account_id FROM ledger.payment WHERE metadata->>'transferId' = $1`,
    [transferId],
  );
  expect(payments).toEqual([
    { status: "POSTED", amount: "2500", credit_account_id: await settlementAccountId(stack) },
  ]);
  expect(await unbalancedCurrencies(stack)).toEqual({});
}

describe("an outgoing transfer stopped after each step", () => {
  it.each(STEPS)("When %s fails, then continueTransfer finishes it once", async (_, fault, stoppedAt) => {
    const { account, id } = await stoppedTransfer(fault);
    const stopped = await stack.graphql(READ, { id });
    expect(stopped.data!.transfer).toMatchObject({ status: stoppedAt, lastError: expect.any(String) });

    const continued = await stack.graphql(CONTINUE, { id });
    expect(continued.data!.continueTransfer.status).toBe("COMPLETED");
    await expectMovedOnce(account.id, id);

    const again = await stack.graphql(CONTINUE, { id });
    expect(again.errors![0].extensions).toMatchObject({ code: "TRANSFER_ALREADY_FINISHED" });
    await expectMovedOnce(account.id, id);
    const history = (await stack.graphql(READ, { id })).data!.transfer.statusHistory;
    expect(history.map((e: { to: string }) => e.to)).toEqual(OUTGOING_COMPLETED);
  });

  it.each(STEPS)(
    "When %s fails, then the worker finishes it once after the backoff",
    async (_, fault, stoppedAt) => {
      const { account, id } = await stoppedTransfer(fault);
      expect((await stack.graphql(READ, { id })).data!.transfer.status).toBe(stoppedAt);
      // The step is retried after its backoff (1 s for a first failure), not before.
      await sql(stack, `UPDATE transfer.transfer SET next_run_at = now() WHERE id = $1`, [id]);
      for (let i = 0; i < 6; i++) await stack.transfer.engine.runDue("test-worker", 100);
      expect((await stack.graphql(READ, { id })).data!.transfer.status).toBe("COMPLETED");
      await expectMovedOnce(account.id, id);
    },
  );

  it("When the release of a refused hold loses its answer, then the refusal stands and continueTransfer ends it FAILED with nothing held", async () => {
    const account = await openAccount(stack);
    await fund(stack, account.id, "10.00");
    const recipientId = await addRecipient(stack, account.clientId);
    const created = await stack.graphql(
      CREATE_OUTGOING,
      { input: { accountId: account.id, recipientId, amount: "25.00" }, key: randomUUID() },
      { url: faulty.url },
    );
    const id = created.data!.createOutgoingTransfer.id as string;
    proxy.failNext("cancelPayment", "after");
    const confirmed = await stack.graphql(
      CONFIRM,
      { id, code: await sentCode(stack, id) },
      { url: faulty.url },
    );
    // The refusal is recorded first (REJECTED), then the release's answer is lost: the confirmation
    // answers where the transfer stands rather than an error.
    expect(confirmed.data!.confirmTransfer).toMatchObject({ status: "REJECTED" });
    const continued = await stack.graphql(CONTINUE, { id });
    expect(continued.data!.continueTransfer.status).toBe("FAILED");
    expect(await balance(stack, account.id)).toMatchObject({ posted: "10.00", pending: "0.00" });
    expect(await unbalancedCurrencies(stack)).toEqual({});
  });

  it("When a runner's lease was taken over, then it stops before its next step and moves nothing", async () => {
    const { account, id } = await stoppedTransfer({ ledger: "postPayment", timing: "before" });
    // The stale runner's lease ran out and another runner took the transfer over.
    const lease = stack.transfer.engine.newLease();
    await sql(
      stack,
      `UPDATE transfer.transfer SET lease_owner = 'other-runner', lease_until = now() + interval '1 minute' WHERE id = $1`,
      [id],
    );
    const [row] = await stack.transfer.repository.transfersByIds([id]);
    expect(row.status).toBe("SENT");
    const stale = await stack.transfer.engine.runClaimed(row, lease, {
      subject: "stale-runner",
      requestId: "stale",
    });
    expect(stale.transfer.status).toBe("SENT");
    expect(await balance(stack, account.id)).toMatchObject({ posted: "100.00", pending: "25.00" });
    await sql(stack, `UPDATE transfer.transfer SET lease_owner = NULL, lease_until = NULL WHERE id = $1`, [
      id,
    ]);
    expect((await stack.graphql(CONTINUE, { id })).data!.continueTransfer.status).toBe("COMPLETED");
    await expectMovedOnce(account.id, id);
  });

  it("When an incoming credit stopped and the account was blocked meanwhile, then the money goes to suspense once, recorded first", async () => {
    const account = await openAccount(stack);
    proxy.failNext("createPayment", "before");
    const received = await stack.graphql(
      `mutation($input: IncomingTransferInput!) { receiveIncomingTransfer(input: $input) { id status } }`,
      {
        input: {
          externalId: randomUUID(),
          accountNumber: account.number,
          amount: "30.00",
          currency: "EUR",
          senderName: "Max Mustermann",
        },
      },
      { url: faulty.url },
    );
    const id = received.errors![0].extensions!.transferId as string;
    expect((await stack.graphql(READ, { id })).data!.transfer.status).toBe("RECEIVED");
    await stack.graphql(
      `mutation($id: ID!) { updateAccount(id: $id, input: { status: BLOCKED }) { status } }`,
      {
        id: account.id,
      },
    );
    expect((await stack.graphql(CONTINUE, { id })).data!.continueTransfer.status).toBe("UNRECOGNIZED");
    const history = (await stack.graphql(READ, { id })).data!.transfer.statusHistory;
    expect(history.map((e: { to: string }) => e.to)).toEqual(["RECEIVED", "SUSPENDING", "UNRECOGNIZED"]);
    expect(await balance(stack, account.id)).toMatchObject({ posted: "0.00" });
    const payments = await sql(
      stack,
      `SELECT count(*)::int AS n FROM ledger.payment WHERE metadata->>'transferId' = $1`,
      [id],
    );
    expect(payments[0].n).toBe(1);
    expect(await unbalancedCurrencies(stack)).toEqual({});
  });

  it("When a step fails, then the next attempt waits for its backoff", async () => {
    const { id } = await stoppedTransfer({ ledger: "postPayment", timing: "before" });
    const [row] = await sql(
      stack,
      `SELECT next_run_at > now() AS waiting, attempts, lease_owner FROM transfer.transfer WHERE id = $1`,
      [id],
    );
    expect(row).toEqual({ waiting: true, attempts: 1, lease_owner: null });
    await stack.transfer.engine.runDue("test-worker", 100);
    expect((await stack.graphql(READ, { id })).data!.transfer.status).toBe("SENT");
    await stack.graphql(CONTINUE, { id });
  });

  it("When the runner died holding the transfer, then nobody runs it until its lease expires, then the worker does", async () => {
    const { account, id } = await stoppedTransfer({ ledger: "postPayment", timing: "after" });
    await sql(
      stack,
      `UPDATE transfer.transfer SET lease_owner = 'dead-runner', lease_until = now() + interval '1 second', next_run_at = now()
        WHERE id = $1`,
      [id],
    );
    await stack.transfer.engine.runDue("test-worker", 100);
    const busy = await stack.graphql(CONTINUE, { id });
    expect(busy.errors![0].extensions).toMatchObject({ code: "TRANSFER_BUSY", status: "SENT" });
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await stack.transfer.engine.runDue("test-worker", 100);
    expect((await stack.graphql(READ, { id })).data!.transfer.status).toBe("COMPLETED");
    await expectMovedOnce(account.id, id);
  });
});
