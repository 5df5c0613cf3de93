import DataLoader from "dataloader";
import type { AccountRepository } from "./account.repository";
import type { AccountRow, EntryRow, PaymentEventRow, PaymentRow, TransactionRow } from "./entities";
import type { PaymentRepository } from "./payment.repository";
import type { TransactionRepository } from "./transaction.repository";

export type LedgerLoaders = ReturnType<typeof createLedgerLoaders>;

export interface LedgerRepositories {
  accounts: AccountRepository;
  payments: PaymentRepository;
  transactions: TransactionRepository;
}

function byKey<T, K extends string>(rows: T[], key: (row: T) => K) {
  const map = new Map<K, T>();
  for (const row of rows) map.set(key(row), row);
  return map;
}

function groupBy<T>(rows: T[], key: (row: T) => string) {
  const map = new Map<string, T[]>();
  for (const row of rows) map.set(key(row), [...(map.get(key(row)) ?? []), row]);
  return map;
}

/**
 * Request-scoped batch loaders (one SQL statement per batch; results in key order). Keys are
 * canonical ids (lower case, as the rows hold them): the GraphQL edge normalises them.
 */
export function createLedgerLoaders({ accounts, payments, transactions }: LedgerRepositories) {
  return {
    accountById: new DataLoader<string, AccountRow | null>(async (ids) => {
      const found = byKey(await accounts.accountsByIds(ids), (a) => a.id);
      return ids.map((id) => found.get(id) ?? null);
    }),
    accountByNumber: new DataLoader<string, AccountRow | null>(async (numbers) => {
      const found = byKey(await accounts.accountsByNumbers(numbers), (a) => a.number);
      return numbers.map((n) => found.get(n) ?? null);
    }),
    accountsByClientId: new DataLoader<string, AccountRow[]>(async (clientIds) => {
      const found = groupBy(await accounts.accountsByClientIds(clientIds), (a) => a.clientId ?? "");
      return clientIds.map((id) => found.get(id) ?? []);
    }),
    paymentById: new DataLoader<string, PaymentRow | null>(async (ids) => {
      const found = byKey(await payments.paymentsByIds(ids), (p) => p.id);
      return ids.map((id) => found.get(id) ?? null);
    }),
    paymentEventsByPaymentId: new DataLoader<string, PaymentEventRow[]>(async (ids) => {
      const found = groupBy(await payments.paymentEvents(ids), (e) => e.paymentId);
      return ids.map((id) => found.get(id) ?? []);
    }),
    transactionById: new DataLoader<string, TransactionRow | null>(async (ids) => {
      const found = byKey(await transactions.transactionsByIds(ids), (t) => t.id);
      return ids.map((id) => found.get(id) ?? null);
    }),
    transactionsByPaymentId: new DataLoader<string, TransactionRow[]>(async (ids) => {
      const found = groupBy(await transactions.transactionsByPaymentIds(ids), (t) => t.paymentId ?? "");
      return ids.map((id) => found.get(id) ?? []);
    }),
    entriesByTransactionId: new DataLoader<string, EntryRow[]>(async (ids) => {
      const found = groupBy(await transactions.entriesByTransactionIds(ids), (e) => e.transactionId);
      return ids.map((id) => found.get(id) ?? []);
    }),
  };
}
