import { loaderOfMany, loaderOfOne } from "../../../common/db/batch-loaders";
import type { AccountRepository } from "./account.repository";
import type { PaymentRepository } from "./payment.repository";
import type { TransactionRepository } from "./transaction.repository";

export interface LedgerRepositories {
  accounts: AccountRepository;
  payments: PaymentRepository;
  transactions: TransactionRepository;
}

/**
 * Request-scoped batch loaders (one SQL statement per batch; results in key order). Keys are
 * canonical ids (lower case, as the rows hold them): the GraphQL edge normalises them. Each
 * loader is made when first used: a request uses one or two of the eight, a list none
 * (decision 0050).
 */
export class LedgerLoaders {
  private accountByIdMade?: ReturnType<typeof this.makeAccountById>;
  private accountByNumberMade?: ReturnType<typeof this.makeAccountByNumber>;
  private accountsByClientIdMade?: ReturnType<typeof this.makeAccountsByClientId>;
  private paymentByIdMade?: ReturnType<typeof this.makePaymentById>;
  private paymentEventsByPaymentIdMade?: ReturnType<typeof this.makePaymentEvents>;
  private transactionByIdMade?: ReturnType<typeof this.makeTransactionById>;
  private transactionsByPaymentIdMade?: ReturnType<typeof this.makeTransactionsByPaymentId>;
  private entriesByTransactionIdMade?: ReturnType<typeof this.makeEntries>;

  constructor(private readonly repositories: LedgerRepositories) {}

  get accountById() {
    return (this.accountByIdMade ??= this.makeAccountById());
  }

  get accountByNumber() {
    return (this.accountByNumberMade ??= this.makeAccountByNumber());
  }

  get accountsByClientId() {
    return (this.accountsByClientIdMade ??= this.makeAccountsByClientId());
  }

  get paymentById() {
    return (this.paymentByIdMade ??= this.makePaymentById());
  }

  get paymentEventsByPaymentId() {
    return (this.paymentEventsByPaymentIdMade ??= this.makePaymentEvents());
  }

  get transactionById() {
    return (this.transactionByIdMade ??= this.makeTransactionById());
  }

  get transactionsByPaymentId() {
    return (this.transactionsByPaymentIdMade ??= this.makeTransactionsByPaymentId());
  }

  get entriesByTransactionId() {
    return (this.entriesByTransactionIdMade ??= this.makeEntries());
  }

  private makeAccountById() {
    const { accounts } = this.repositories;
    return loaderOfOne((ids) => accounts.accountsByIds(ids), "id");
  }

  private makeAccountByNumber() {
    const { accounts } = this.repositories;
    return loaderOfOne((numbers) => accounts.accountsByNumbers(numbers), "number");
  }

  private makeAccountsByClientId() {
    const { accounts } = this.repositories;
    return loaderOfMany((ids) => accounts.accountsByClientIds(ids), "clientId");
  }

  private makePaymentById() {
    const { payments } = this.repositories;
    return loaderOfOne((ids) => payments.paymentsByIds(ids), "id");
  }

  private makePaymentEvents() {
    const { payments } = this.repositories;
    return loaderOfMany((ids) => payments.paymentEvents(ids), "paymentId");
  }

  private makeTransactionById() {
    const { transactions } = this.repositories;
    return loaderOfOne((ids) => transactions.transactionsByIds(ids), "id");
  }

  private makeTransactionsByPaymentId() {
    const { transactions } = this.repositories;
    return loaderOfMany((ids) => transactions.transactionsByPaymentIds(ids), "paymentId");
  }

  private makeEntries() {
    const { transactions } = this.repositories;
    return loaderOfMany((ids) => transactions.entriesByTransactionIds(ids), "transactionId");
  }
}

/** A request's loaders (call it in the context factory, never at module level). */
export function createLedgerLoaders(repositories: LedgerRepositories): LedgerLoaders {
  return new LedgerLoaders(repositories);
}
