/**
 * The daily check's stale-transfer rule (decision 0036) through the real transfer subgraph: a
 * transfer is stale when it has sat in an unfinished status longer than the limit, counted from
 * its newest status change, not from its creation.
 */
import { DAY_LIMITS } from "../../common/config/day-limits";
import { BackgroundJobName } from "../../subgraphs/ledger/jobs/ledger-jobs";
import { type Stack, startStack } from "../helpers/stack";
import { IN_FLIGHT_STATUSES } from "../../subgraphs/ledger/jobs/transfer-facts";
import { confirmWithSentCode, pendingOutgoingTransfer, sql } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const FINDINGS = `query($runId: ID!) {
  checkFindings(filter: {runId: $runId, check: NO_STALE_TRANSFERS}, first: 100) {
    nodes { subjectKind subjectId details }
  }
}`;

/** Moves a transfer's creation and its status changes so far `minutes` into the past. */
async function backdate(transferId: string, minutes: number): Promise<void> {
  await sql(
    stack,
    `SET session_replication_role = replica;
     UPDATE transfer.transfer SET created_at = created_at - interval '${minutes} minutes' WHERE id = '${transferId}';
     UPDATE transfer.transfer_event SET changed_at = changed_at - interval '${minutes} minutes'
      WHERE transfer_id = '${transferId}';
     SET session_replication_role = DEFAULT`,
  );
}

describe("the daily check's stale transfers", () => {
  it("When a transfer created long ago entered its unfinished status a moment ago, then it is not stale; one that has sat there past the limit is, aged from that change", async () => {
    const minutes = DAY_LIMITS.transferMaxMinutes * 2;
    const justMoved = await pendingOutgoingTransfer(stack);
    const stuck = await pendingOutgoingTransfer(stack);
    await backdate(justMoved.id, minutes);
    await backdate(stuck.id, minutes);
    // Two hours in PENDING_CONFIRMATION, then confirmed now: it moves on to another unfinished status.
    await confirmWithSentCode(stack, justMoved);

    const read = await stack.graphql(
      `query($id: ID!) { transfer(id: $id) { status createdAt statusChangedAt } }`,
      {
        id: justMoved.id,
      },
    );
    const view = read.data!.transfer;
    expect(IN_FLIGHT_STATUSES).toContain(view.status);
    expect(view.status).not.toBe("PENDING_CONFIRMATION");
    expect(Date.now() - Date.parse(view.createdAt)).toBeGreaterThan(minutes * 60_000 - 5_000);
    expect(Date.now() - Date.parse(view.statusChangedAt)).toBeLessThan(60_000);

    const jobId = await stack.ledger.jobs.send(
      BackgroundJobName.DAILY_CHECK,
      { businessDay: "2025-07-01" },
      "test",
    );
    expect(await stack.ledger.jobs.runDue(BackgroundJobName.DAILY_CHECK)).toContain(jobId);
    const job = await stack.graphql(`query($id: ID!) { backgroundJob(id: $id) { state result } }`, {
      id: jobId,
    });
    expect(job.data!.backgroundJob.result.errors).toEqual({});
    const found = await stack.graphql(FINDINGS, { runId: job.data!.backgroundJob.result.checkRunId });
    expect(found.errors).toBeUndefined();
    const findings = found.data!.checkFindings.nodes as { subjectId: string; details: Record<string, any> }[];
    const ids = findings.map((f) => f.subjectId);
    expect(ids).toContain(stuck.id);
    expect(ids).not.toContain(justMoved.id);
    const finding = findings.find((f) => f.subjectId === stuck.id)!;
    expect(finding.details).toMatchObject({ status: "PENDING_CONFIRMATION", kind: "OUTGOING" });
    expect(finding.details.ageMinutes).toBeGreaterThanOrEqual(minutes - 1);
    expect(finding.details.ageMinutes).toBeLessThanOrEqual(minutes + 1);
  });
});
