import { loaderOfMany, loaderOfOne } from "../../../common/db/batch-loaders";
import type { AccountRepository } from "./account.repository";
import type { PaymentRepository } from "./payment.repository";
import type { TransactionRepository } from "./transaction.repository";

export type LedgerLoaders = ReturnType<typeof createLedgerLoaders>;

export interface LedgerRepositories {
  accounts: AccountRepository;
  payments: PaymentRepository;
  transactions: TransactionRepository;
}

/**
 * Request-scoped batch loaders (one SQL statement per batch; results in key order). Keys are
 * canonical ids (lower case, as the rows hold them): the GraphQL edge normalises them.
 */
export function createLedgerLoaders({ accounts, payments, transactions }: LedgerRepositories) {
  return {
    accountById: loaderOfOne((ids) => accounts.accountsByIds(ids), "id"),
    accountByNumber: loaderOfOne((numbers) => accounts.accountsByNumbers(numbers), "number"),
    accountsByClientId: loaderOfMany((ids) => accounts.accountsByClientIds(ids), "clientId"),
    paymentById: loaderOfOne((ids) => payments.paymentsByIds(ids), "id"),
    paymentEventsByPaymentId: loaderOfMany((ids) => payments.paymentEvents(ids), "paymentId"),
    transactionById: loaderOfOne((ids) => transactions.transactionsByIds(ids), "id"),
    transactionsByPaymentId: loaderOfMany((ids) => transactions.transactionsByPaymentIds(ids), "paymentId"),
    entriesByTransactionId: loaderOfMany((ids) => transactions.entriesByTransactionIds(ids), "transactionId"),
  };
}
