/**
 * Runs transfers' steps. Whoever runs a step (the request that created or confirmed the
 * transfer, an operator, the background worker) first takes the transfer's lease, so one
 * transfer is never run by two at once; each step's outcome is a guarded status move recorded
 * in the history. A step that fails without an answer (ledger or rail unreachable) gives the
 * lease back with a backoff and the error kept in `lastError`; the worker tries again later.
 * A runner that dies keeps the lease until it expires, then the worker takes over. A request
 * runs its transfer only until it rests ({@link TransferEngine.runToRest}); the worker does the rest.
 */
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { AppError } from "../../../common/errors";
import { log } from "../../../common/log";
import { isResting, RUNNABLE_STATUSES, type TransferKind, TransferStatus } from "../domain/transfer-status";
import { BatchingLedger, type StepLedger } from "../ledger/batching-ledger";
import type { LedgerClient } from "../ledger/ledger-client";
import type { TransferRow } from "../persistence/entities";
import type { RecipientRepository } from "../persistence/recipient.repository";
import type { Lease, TransferRepository } from "../persistence/transfer.repository";
import type { PaymentRail } from "../rail/payment-rail";
import { stepFor } from "./steps";

export interface Actor {
  subject: string;
  requestId: string;
}

export interface RunOptions {
  /** At most this many steps (default: until the transfer finishes or waits for a person). */
  maxSteps?: number;
  /** Stop on reaching one of these (a request leaves PROCESSING to the worker and the rail). */
  stopAt?: readonly string[];
  /** The ledger the steps call (default: the client; a worker round's batches its payments). */
  ledger?: StepLedger;
}

/** A transfer a request recorded or moved, with the lease it took doing so (if it did). */
export interface Started {
  transfer: TransferRow;
  lease?: Lease;
}

/** A customer's request runs its transfer up to the rail's queue; the worker sends it. */
const FOR_REQUESTS: RunOptions = { stopAt: [TransferStatus.PROCESSING] };

/** How long a repeated request waits for the first one's outcome before answering the state as it is. */
const WAIT_FOR_RUNNER_MS = 5_000;

/** The same error with the transfer it concerns, so the caller can follow it up. */
function aboutTransfer(error: AppError, transferId: string): AppError {
  return new AppError(error.code, error.message, { ...error.details, transferId });
}

export interface RunResult {
  transfer: TransferRow;
  /** The refusal that failed or diverted the transfer during this run, if any. */
  failure?: AppError;
}

/** The step's outcome, or a StepTimeoutError once `ms` have passed (the step is then retried). */
async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the step took longer than ${ms} ms; it will be retried`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export class TransferEngine {
  /** A step that takes longer is given up (and retried) well before its lease runs out. */
  private readonly stepTimeoutMs: number;

  constructor(
    private readonly repository: TransferRepository,
    private readonly recipients: RecipientRepository,
    private readonly ledger: LedgerClient,
    private readonly rail: PaymentRail,
    private readonly leaseSeconds: number,
  ) {
    this.stepTimeoutMs = (leaseSeconds * 1000) / 2;
  }

  newLease(): Lease {
    return { owner: randomUUID(), seconds: this.leaseSeconds };
  }

  /**
   * Takes the lease and runs the transfer's steps as `options` allow. TRANSFER_BUSY when
   * someone else holds the lease.
   */
  async run(id: string, actor: Actor, options: RunOptions = {}): Promise<RunResult> {
    const lease = this.newLease();
    const transfer = await this.repository.claim(id, lease);
    if (!transfer) {
      const [existing] = await this.repository.transfersByIds([id]);
      if (!existing) throw new AppError("TRANSFER_NOT_FOUND", `No transfer ${id}`, { transferId: id });
      throw new AppError("TRANSFER_BUSY", "Another request or worker is running this transfer", {
        transferId: id,
        status: existing.status,
      });
    }
    return this.runClaimed(transfer, lease, actor, options);
  }

  /** Runs the steps of a transfer whose lease `lease` already holds, then gives the lease back. */
  async runClaimed(
    transfer: TransferRow,
    lease: Lease,
    actor: Actor,
    options: RunOptions = {},
  ): Promise<RunResult> {
    const { maxSteps = Infinity, stopAt = [], ledger = this.ledger } = options;
    let current = transfer;
    let failure: AppError | undefined;
    try {
      for (let done = 0; done < maxSteps; done++) {
        const step = stepFor(current);
        if (!step || stopAt.includes(current.status)) break;
        // Fencing: the lease is renewed before every step and every move requires it, so a
        // runner whose lease ran out (and was taken over) stops instead of acting twice.
        const held = await this.repository.renew(current.id, lease);
        if (!held) return { transfer: (await this.repository.transfersByIds([current.id]))[0], failure };
        current = held;
        const result = await withTimeout(
          step.run(current, {
            ledger,
            rail: this.rail,
            recipients: this.recipients,
            requestId: actor.requestId,
          }),
          this.stepTimeoutMs,
        );
        const moved = await this.repository.moveTransfer(
          current,
          { from: current.status, to: result.to, by: "step" },
          result.changes ?? {},
          { reason: result.reason ?? null, changedBy: actor.subject, requestId: actor.requestId },
          { heldBy: lease.owner },
        );
        failure = result.failure ?? failure;
        // Moved meanwhile (a cancel) or the lease lost: stop, the newest state stands.
        if (!moved) {
          current = (await this.repository.transfersByIds([current.id]))[0];
          break;
        }
        current = moved;
      }
    } catch (error) {
      const message = error instanceof AppError ? `${error.code}: ${error.message}` : String(error);
      await this.repository.release(current.id, lease.owner, message.slice(0, 500));
      throw error instanceof AppError ? aboutTransfer(error, current.id) : error;
    }
    await this.repository.release(current.id, lease.owner);
    return { transfer: { ...current, leaseOwner: null, leaseUntil: null }, failure };
  }

  /**
   * Runs a transfer a request recorded or moved as far as it goes now: with the lease it was
   * started with, or by taking it. A transfer that rests (finished, or waiting for a person) is
   * answered as it is; one someone else is running is answered with that runner's outcome.
   */
  async runToRest(started: Started, actor: Actor): Promise<RunResult> {
    const { transfer, lease } = started;
    if (lease) return this.runClaimed(transfer, lease, actor, FOR_REQUESTS);
    if (isResting(transfer.kind as TransferKind, transfer.status as TransferStatus)) return { transfer };
    try {
      return await this.run(transfer.id, actor, FOR_REQUESTS);
    } catch (error) {
      if (!(error instanceof AppError && error.code === "TRANSFER_BUSY")) throw error;
      return { transfer: await this.afterRunner(transfer.id) };
    }
  }

  /** {@link runToRest}, then the refusal that failed the transfer (if any) as the request's error. */
  async finish(started: Started, actor: Actor): Promise<TransferRow> {
    const { transfer, failure } = await this.runToRest(started, actor);
    if (failure) throw aboutTransfer(failure, transfer.id);
    return transfer;
  }

  /**
   * A repeated request that finds the first one still running waits a little for its outcome
   * (polling), so both answer the same; after that, the state as it is.
   */
  private async afterRunner(transferId: string): Promise<TransferRow> {
    const until = Date.now() + WAIT_FOR_RUNNER_MS;
    for (;;) {
      const [current] = await this.repository.transfersByIds([transferId]);
      if (!current.leaseOwner || Date.now() > until) return current;
      await sleep(50);
    }
  }

  /**
   * One round of the background worker: claims up to `limit` due transfers (SKIP LOCKED, so
   * other instances claim others) and runs them side by side, each as far as it goes (a slow
   * rail answer holds up only its own transfer). Returns how many it claimed.
   */
  async runDue(subject: string, limit: number): Promise<number> {
    const lease = this.newLease();
    const claimed = await this.repository.claimDue(RUNNABLE_STATUSES, lease, limit);
    // The round's transfers run side by side: the payments their steps make go to the ledger together.
    const ledger = new BatchingLedger(this.ledger, claimed.length);
    await Promise.all(
      claimed.map(async (transfer) => {
        const requestId = `worker-${randomUUID()}`;
        try {
          await this.runClaimed(transfer, lease, { subject, requestId }, { ledger });
        } catch (error) {
          log.warn(
            { transferId: transfer.id, status: transfer.status, err: error, requestId },
            "transfer step failed; will retry",
          );
        } finally {
          ledger.finished();
        }
      }),
    );
    return claimed.length;
  }
}
