import DataLoader from "dataloader";
import type { AccountRow, EntryRow, PaymentEventRow, PaymentRow, TransactionRow } from "./entities";
import type { LedgerRepository } from "./ledger.repository";

export type LedgerLoaders = ReturnType<typeof createLedgerLoaders>;

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

/** Request-scoped batch loaders (one SQL statement per batch; results in key order). */
export function createLedgerLoaders(repository: LedgerRepository) {
  return {
    accountById: new DataLoader<string, AccountRow | null>(async (ids) => {
      const found = byKey(await repository.accountsByIds(ids), (a) => a.id);
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    }),
    accountByNumber: new DataLoader<string, AccountRow | null>(async (numbers) => {
      const found = byKey(await repository.accountsByNumbers(numbers), (a) => a.number);
      return numbers.map((n) => found.get(n) ?? null);
    }),
    accountsByClientId: new DataLoader<string, AccountRow[]>(async (clientIds) => {
      const found = groupBy(await repository.accountsByClientIds(clientIds), (a) => a.clientId ?? "");
      return clientIds.map((id) => found.get(id.toLowerCase()) ?? []);
    }),
    paymentById: new DataLoader<string, PaymentRow | null>(async (ids) => {
      const found = byKey(await repository.paymentsByIds(ids), (p) => p.id);
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    }),
    paymentEventsByPaymentId: new DataLoader<string, PaymentEventRow[]>(async (ids) => {
      const found = groupBy(await repository.paymentEvents(ids), (e) => e.paymentId);
      return ids.map((id) => found.get(id) ?? []);
    }),
    transactionById: new DataLoader<string, TransactionRow | null>(async (ids) => {
      const found = byKey(await repository.transactionsByIds(ids), (t) => t.id);
      return ids.map((id) => found.get(id.toLowerCase()) ?? null);
    }),
    transactionsByPaymentId: new DataLoader<string, TransactionRow[]>(async (ids) => {
      const found = groupBy(await repository.transactionsByPaymentIds(ids), (t) => t.paymentId ?? "");
      return ids.map((id) => found.get(id) ?? []);
    }),
    entriesByTransactionId: new DataLoader<string, EntryRow[]>(async (ids) => {
      const found = groupBy(await repository.entriesByTransactionIds(ids), (e) => e.transactionId);
      return ids.map((id) => found.get(id) ?? []);
    }),
  };
}
