import { loaderOfMany, loaderOfOne, loaderSet } from "../../../common/db/batch-loaders";
import type { AccountRepository } from "./account.repository";
import type { PaymentRepository } from "./payment.repository";
import type { TransactionRepository } from "./transaction.repository";

export interface LedgerRepositories {
  accounts: AccountRepository;
  payments: PaymentRepository;
  transactions: TransactionRepository;
}

export type LedgerLoaders = ReturnType<typeof createLedgerLoaders>;

/**
 * Request-scoped batch loaders, each made when first used (one SQL statement per batch; results in key order). Keys are
 * canonical ids (lower case, as the rows hold them): the GraphQL edge normalises them.
 */
export const createLedgerLoaders = loaderSet<LedgerRepositories>()({
  accountById: ({ accounts }) => loaderOfOne((ids) => accounts.accountsByIds(ids), "id"),
  accountByNumber: ({ accounts }) => loaderOfOne((numbers) => accounts.accountsByNumbers(numbers), "number"),
  accountsByClientId: ({ accounts }) => loaderOfMany((ids) => accounts.accountsByClientIds(ids), "clientId"),
  paymentById: ({ payments }) => loaderOfOne((ids) => payments.paymentsByIds(ids), "id"),
  paymentEventsByPaymentId: ({ payments }) => loaderOfMany((ids) => payments.paymentEvents(ids), "paymentId"),
  transactionById: ({ transactions }) => loaderOfOne((ids) => transactions.transactionsByIds(ids), "id"),
  transactionsByPaymentId: ({ transactions }) =>
    loaderOfMany((ids) => transactions.transactionsByPaymentIds(ids), "paymentId"),
  entriesByTransactionId: ({ transactions }) =>
    loaderOfMany((ids) => transactions.entriesByTransactionIds(ids), "transactionId"),
});
