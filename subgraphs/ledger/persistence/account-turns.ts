/**
 * Payment batches (`createPayments`) that share an account go to the database one after another
 * from this process (decision 0067). In the database they would wait for each other anyway, since
 * a batch locks all its accounts first. But a transaction waiting for a lock keeps its snapshot,
 * and while it does PostgreSQL cannot prune the old versions of the rows it waits for. A payment
 * writes two versions of each of its two account rows, so on a hot account each batch then reads
 * through the versions every waiting batch kept alive, and takes 2-3 times as long as alone.
 * Waiting here keeps nothing.
 *
 * A batch takes its accounts here as the database would: one after another in a fixed order,
 * waiting at the first one another batch holds, each account's waiters served first come, first
 * served. It is only an optimisation: the database's locks still decide, and single payments,
 * group commit and other processes' batches meet these batches there as before.
 */
export class AccountTurns {
  /** Each account a batch of this process holds, with the batches waiting for it in order. */
  private readonly held = new Map<string, Array<() => void>>();

  /** Runs `work` holding `accounts`, once no other batch holds any of them. */
  async run<T>(accounts: readonly string[], work: () => Promise<T>): Promise<T> {
    const order = [...new Set(accounts)].sort();
    let taken = 0;
    try {
      for (const account of order) {
        const waiting = this.held.get(account);
        // A held account is handed over by its holder when it is done (release).
        if (waiting) await new Promise<void>((handOver) => waiting.push(handOver));
        else this.held.set(account, []);
        taken++;
      }
      return await work();
    } finally {
      for (const account of order.slice(0, taken)) this.release(account);
    }
  }

  private release(account: string): void {
    const next = this.held.get(account)?.shift();
    if (next) next();
    else this.held.delete(account);
  }
}
