/**
 * Group commit of payment creations (decision 0033): one per ledger process. A creation that
 * arrives while no other is in flight goes to the database at once, alone (it never waits). One
 * that arrives while others are in flight waits for more to join, until `windowMs` has passed or
 * one of those in flight is answered (whichever comes first: the database has room again, as in a
 * database's own group commit), then the group goes to `ledger.create_payments` in one database
 * transaction: the accounts' locks and the commit's WAL flush are paid once for the group, which
 * is what wins on a hot account, and a group grows with how long the database takes. Each request
 * still gets its own answer: its payment, a replay of its key, or its own refusal.
 */
import { log } from "../../../common/log";
import type { PaymentRow } from "./entities";
import type { NewPayment, PaymentRepository } from "./payment.repository";

/** Most creations in one group; a full group goes at once, without waiting out the window. */
export const GROUP_COMMIT_MAX = 64;

interface Waiting {
  payment: NewPayment;
  resolve(payment: PaymentRow): void;
  reject(error: unknown): void;
}

export class PaymentGroupCommit {
  private queue: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Creations sent to the database and not answered yet. */
  private inFlight = 0;

  /** `windowMs` 0: every creation goes alone (group commit off). */
  constructor(
    private readonly repository: PaymentRepository,
    private readonly windowMs: number,
  ) {}

  /** Creates one payment, alone or in a group; rejects with its own refusal. */
  create(payment: NewPayment): Promise<PaymentRow> {
    if (this.windowMs <= 0 || (this.inFlight === 0 && this.queue.length === 0)) return this.alone(payment);
    return new Promise<PaymentRow>((resolve, reject) => {
      this.queue.push({ payment, resolve, reject });
      if (this.queue.length >= GROUP_COMMIT_MAX) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private async alone(payment: NewPayment): Promise<PaymentRow> {
    this.inFlight++;
    try {
      return await this.repository.createPayment(payment);
    } finally {
      this.inFlight--;
      this.answered();
    }
  }

  /** One in flight was answered: whatever waits goes now. */
  private answered(): void {
    if (this.queue.length) this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const group = this.queue.splice(0);
    if (group.length === 1) {
      this.alone(group[0].payment).then(group[0].resolve, group[0].reject);
      return;
    }
    this.inFlight += group.length;
    this.repository
      .createPayments(
        group.map((waiting) => waiting.payment),
        false,
      )
      .then(
        (outcomes) =>
          outcomes.forEach((outcome, i) =>
            "payment" in outcome ? group[i].resolve(outcome.payment) : group[i].reject(outcome.error),
          ),
        // The group's transaction failed as a whole (not a refusal: those are per item), so
        // nothing of it was applied: each creation is tried alone and meets its own fate.
        (error: unknown) => {
          log.warn({ err: error, payments: group.length }, "payment group failed; each payment goes alone");
          group.forEach((waiting) => this.alone(waiting.payment).then(waiting.resolve, waiting.reject));
        },
      )
      .finally(() => {
        this.inFlight -= group.length;
        this.answered();
      });
  }
}
