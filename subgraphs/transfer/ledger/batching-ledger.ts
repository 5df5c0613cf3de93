/**
 * The ledger as one round of the background worker sees it: the payments its transfers' steps
 * create side by side (the round runs its claimed transfers concurrently) go to the ledger
 * together, as one `createPayments` request and one database transaction, instead of one request
 * each. Each step still gets its own payment or its own refusal, under its own idempotency key,
 * so a retried step replays exactly as before. Payments wait until every transfer of the round
 * still running is waiting for one (or has finished), or at most {@link BATCH_WAIT_MS}: a
 * transfer busy elsewhere (the rail) holds the others up no longer. A payment alone goes as a
 * single call. Everything else goes straight to the {@link LedgerClient}.
 */
import { randomUUID } from "node:crypto";
import { AppError } from "../../../common/errors";
import { log } from "../../../common/log";
import type { LedgerClient, LedgerPayment, PaymentRequest } from "./ledger-client";

/** Payments in one `createPayments` request at most (the ledger takes up to 100). */
export const PAYMENTS_PER_BATCH = 50;

/** How long a payment waits at most for the round's others. */
export const BATCH_WAIT_MS = 100;

interface Waiting {
  input: PaymentRequest;
  idempotencyKey: string;
  requestId: string;
  resolve(payment: LedgerPayment): void;
  reject(error: unknown): void;
}

/** What the steps call on the ledger (subgraphs/transfer/process/steps.ts). */
export type StepLedger = Pick<
  LedgerClient,
  "bankAccount" | "createDraftPayment" | "createPayment" | "movePayment"
>;

export class BatchingLedger implements StepLedger {
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** `running`: the transfers of the round, each to be reported {@link finished}. */
  constructor(
    private readonly ledger: LedgerClient,
    private running: number,
  ) {}

  /** One of the round's transfers has run as far as it goes: the others may all be waiting now. */
  finished(): void {
    this.running--;
    this.flushIfAllWait();
  }

  bankAccount(...args: Parameters<LedgerClient["bankAccount"]>) {
    return this.ledger.bankAccount(...args);
  }

  createDraftPayment(...args: Parameters<LedgerClient["createDraftPayment"]>) {
    return this.ledger.createDraftPayment(...args);
  }

  movePayment(...args: Parameters<LedgerClient["movePayment"]>) {
    return this.ledger.movePayment(...args);
  }

  /** Queued until the round's other running transfers wait too, or {@link BATCH_WAIT_MS}. */
  createPayment(input: PaymentRequest, idempotencyKey: string, requestId: string): Promise<LedgerPayment> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ input, idempotencyKey, requestId, resolve, reject });
      this.timer ??= setTimeout(() => this.flush(), BATCH_WAIT_MS);
      this.flushIfAllWait();
    });
  }

  private flushIfAllWait(): void {
    if (this.waiting.length > 0 && this.waiting.length >= this.running) this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const queued = this.waiting.splice(0);
    for (let start = 0; start < queued.length; start += PAYMENTS_PER_BATCH) {
      const group = queued.slice(start, start + PAYMENTS_PER_BATCH);
      if (group.length === 1) {
        const [only] = group;
        this.ledger
          .createPayment(only.input, only.idempotencyKey, only.requestId)
          .then(only.resolve, only.reject);
      } else {
        void this.send(group);
      }
    }
  }

  private async send(group: Waiting[]): Promise<void> {
    // One request id for the request; the log line ties it to each step's own.
    const requestId = `worker-batch-${randomUUID()}`;
    log.info(
      { requestId, payments: group.length, steps: group.map((w) => w.requestId) },
      "worker payments sent to the ledger together",
    );
    try {
      const outcomes = await this.ledger.createPayments(group, requestId);
      group.forEach((waiting, i) => {
        const outcome = outcomes[i];
        if (outcome instanceof AppError) waiting.reject(outcome);
        else if (outcome) waiting.resolve(outcome);
        else
          waiting.reject(new AppError("LEDGER_UNAVAILABLE", "The ledger answered no outcome for a payment"));
      });
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    }
  }
}
