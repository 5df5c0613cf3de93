/**
 * Group commit of payment creations (decision 0033): one per ledger process. A creation that
 * arrives while no other is in flight goes to the database at once, alone (it never waits). One
 * that arrives while others are in flight waits for more to join, until `windowMs` has passed or
 * one of those in flight is answered (whichever comes first: the database has room again, as in a
 * database's own group commit), then the group goes to `ledger.create_payments` in one database
 * transaction: the accounts' locks and the commit's WAL flush are paid once for the group, which
 * is what wins on a hot account, and a group grows with how long the database takes. Each request
 * still gets its own answer: its payment, a replay of its key, or its own refusal.
 *
 * A creation on an account that a creation in flight also moves waits for that one's answer,
 * whatever the window, and more may join it meanwhile: sent at once, it would only wait for the
 * account's row lock inside the database, holding a snapshot that keeps the row's old versions
 * from being pruned, so that every transaction on the account would read through them (as
 * batches did, decision 0067). On a hot account the groups therefore reach the database one
 * after another, each as large as what arrived while the one before it ran.
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
  /**
   * The accounts of the creations sent to the database and not answered yet, each with how many
   * of them move it: empty when none is in flight.
   */
  private readonly busy = new Map<string, number>();

  /** `windowMs` 0: group commit off, every creation goes straight to the repository. */
  constructor(
    private readonly repository: PaymentRepository,
    private readonly windowMs: number,
  ) {}

  /** Creates one payment, alone or in a group; rejects with its own refusal. */
  create(payment: NewPayment): Promise<PaymentRow> {
    // Off: nothing is grouped, so nothing in flight needs counting.
    if (this.windowMs <= 0) return this.repository.createPayment(payment);
    if (this.busy.size === 0 && this.queue.length === 0) return this.alone(payment);
    return new Promise<PaymentRow>((resolve, reject) => {
      this.queue.push({ payment, resolve, reject });
      if (this.queue.length >= GROUP_COMMIT_MAX) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs);
    });
  }

  private async alone(payment: NewPayment): Promise<PaymentRow> {
    this.sent([payment], 1);
    try {
      return await this.repository.createPayment(payment);
    } finally {
      this.sent([payment], -1);
      this.answered();
    }
  }

  /** Counts `payments` in flight (`change` 1) or answered (-1). */
  private sent(payments: readonly NewPayment[], change: 1 | -1): void {
    for (const { debitAccountId, creditAccountId } of payments) {
      this.count(debitAccountId, change);
      this.count(creditAccountId, change);
    }
  }

  private count(account: string, change: 1 | -1): void {
    const inFlight = (this.busy.get(account) ?? 0) + change;
    if (inFlight) this.busy.set(account, inFlight);
    else this.busy.delete(account);
  }

  private isBusy(payment: NewPayment): boolean {
    return this.busy.has(payment.debitAccountId) || this.busy.has(payment.creditAccountId);
  }

  /** One in flight was answered: whatever waits goes now, but for what waits on accounts still in flight. */
  private answered(): void {
    if (this.queue.length) this.flush();
  }

  /** Sends what waits, except the creations on accounts in flight: they wait for those answers. */
  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    for (;;) {
      const group: Waiting[] = [];
      const held: Waiting[] = [];
      for (const waiting of this.queue) {
        if (group.length < GROUP_COMMIT_MAX && !this.isBusy(waiting.payment)) group.push(waiting);
        else held.push(waiting);
      }
      this.queue = held;
      if (!group.length) return;
      this.send(group);
    }
  }

  private send(group: Waiting[]): void {
    if (group.length === 1) {
      this.alone(group[0].payment).then(group[0].resolve, group[0].reject);
      return;
    }
    const payments = group.map((waiting) => waiting.payment);
    this.sent(payments, 1);
    this.repository
      .createPayments(payments, false)
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
        this.sent(payments, -1);
        this.answered();
      });
  }
}
