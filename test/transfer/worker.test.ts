/**
 * Two orchestrator instances, each with its own connection pool and worker, race on one queue
 * of transfers: SKIP LOCKED and the leases give each transfer to one of them, so none is sent
 * to the rail twice or moved twice, and every one completes.
 */
import { randomUUID } from "node:crypto";
import { SimulatedRail } from "../../subgraphs/transfer/rail/payment-rail";
import { startTransferSubgraph, type TransferSubgraph } from "../../subgraphs/transfer/server";
import { balance, fund, openAccount } from "../helpers/ledger";
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
let first: TransferSubgraph;
let second: TransferSubgraph;
const rail = new SimulatedRail({ delayMs: 5, rejectRate: 0 });
beforeAll(async () => {
  stack = await startStack();
  first = await startTransferSubgraph(testConfig(), stack.databaseUrl, stack.ledger.url, rail);
  second = await startTransferSubgraph(testConfig(), stack.databaseUrl, stack.ledger.url, rail);
});
afterAll(async () => {
  await first.stop();
  await second.stop();
  await stack.stop();
});

const COUNT = 40;

async function queuedTransfers(): Promise<{ accountId: string; ids: string[] }> {
  const account = await openAccount(stack);
  await fund(stack, account.id, "1000.00");
  const recipientId = await addRecipient(stack, account.clientId);
  const ids: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const created = await stack.graphql(CREATE_OUTGOING, {
      input: { accountId: account.id, recipientId, amount: "1.00" },
      key: randomUUID(),
    });
    const id = created.data!.createOutgoingTransfer.id as string;
    const confirmed = await stack.graphql(CONFIRM, { id, code: await sentCode(stack, id) });
    expect(confirmed.data!.confirmTransfer.status).toBe("PROCESSING");
    ids.push(id);
  }
  return { accountId: account.id, ids };
}

/** A worker's loop: rounds of small batches until a round finds nothing due. */
async function drain(instance: TransferSubgraph, subject: string): Promise<void> {
  while ((await instance.engine.runDue(subject, 3)) > 0);
}

describe("two workers on one queue", () => {
  it("When two instances' workers race, then each transfer is sent once, moved once, and completed", async () => {
    const { accountId, ids } = await queuedTransfers();
    await Promise.all([drain(first, "worker-a"), drain(second, "worker-b"), drain(first, "worker-c")]);

    for (const id of ids) expect([id, rail.sends.get(id)]).toEqual([id, 1]);
    const histories = await sql<{ transfer_id: string; steps: string[]; workers: string[] }>(
      stack,
      `SELECT transfer_id, array_agg(to_status ORDER BY sequence) AS steps,
              array_agg(DISTINCT changed_by) FILTER (WHERE to_status IN ('SENDING', 'SENT', 'COMPLETED')) AS workers
         FROM transfer.transfer_event WHERE transfer_id = ANY ($1) GROUP BY transfer_id`,
      [ids],
    );
    expect(histories).toHaveLength(COUNT);
    for (const history of histories) {
      expect(history.steps).toEqual(OUTGOING_COMPLETED);
      expect(history.workers).toHaveLength(1);
    }
    const workers = new Set(histories.flatMap((h) => h.workers));
    expect(workers.size).toBeGreaterThan(1); // both instances took part
    expect(await balance(stack, accountId)).toMatchObject({ posted: "960.00", pending: "0.00" });
    expect(await unbalancedCurrencies(stack)).toEqual({});
  });

  it("When a worker is started with the subgraph, then it sends a confirmed transfer without being asked", async () => {
    const config = testConfig();
    config.transfers.worker = { enabled: true, intervalMs: 20, leaseSeconds: 30 };
    const running = await startTransferSubgraph(config, stack.databaseUrl, stack.ledger.url, rail);
    try {
      const { ids } = await (async () => {
        const account = await openAccount(stack);
        await fund(stack, account.id, "5.00");
        const recipientId = await addRecipient(stack, account.clientId);
        const created = await stack.graphql(CREATE_OUTGOING, {
          input: { accountId: account.id, recipientId, amount: "5.00" },
          key: randomUUID(),
        });
        const id = created.data!.createOutgoingTransfer.id as string;
        await stack.graphql(CONFIRM, { id, code: await sentCode(stack, id) });
        return { ids: [id] };
      })();
      const deadline = Date.now() + 5_000;
      let status = "";
      while (Date.now() < deadline && status !== "COMPLETED") {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await sql(stack, `SELECT status FROM transfer.transfer WHERE id = $1`, [ids[0]]))[0].status;
      }
      expect(status).toBe("COMPLETED");
    } finally {
      await running.stop();
    }
  });
});
