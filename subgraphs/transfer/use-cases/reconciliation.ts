/**
 * The back office's reports over transfers (decision 0038). The reconciliation of a settlement
 * account runs here, in the orchestrator: it owns one side (what it sent to and received from the
 * rail) and already reads the ledger through its GraphQL API with its own credential, so neither
 * service reaches into the other's tables and no new dependency between them appears.
 */
import { CURRENCY_EXPONENTS, exponentOf, formatAmount, parseDecimal } from "../../../common/amount";
import { requireSystem } from "../../../common/auth/caller";
import { validationError } from "../../../common/errors";
import { requireReportPeriod } from "../../../common/report-period";
import {
  type BookedMovement,
  type ExpectedMovement,
  reconcile,
  settlementSign,
} from "../domain/reconciliation";
import type { SettlingRow } from "../persistence/reconciliation.repository";
import type { Needs } from "./deps";

/** `"-25.00"` -> -2500n in a currency of exponent 2 (zero and signs allowed: sums and entries). */
function minorOf(text: string, currency: string): bigint {
  const negative = text.startsWith("-");
  const digits = negative ? text.slice(1) : text;
  if (/^0+(\.0+)?$/.test(digits)) return 0n;
  const minor = parseDecimal(digits, { code: currency, exponent: exponentOf(currency) });
  return negative ? -minor : minor;
}

function expectation(row: SettlingRow): ExpectedMovement {
  return {
    transferId: row.transferId,
    kind: row.kind,
    status: row.status,
    amount: settlementSign(row.kind) * minorOf(row.amount, row.currency),
    settledAt: row.settledAt!,
  };
}

/**
 * The currency's settlement movements booked in [from, to) matched one to one with the transfers
 * that booked them (completed outgoing, credited incoming), by transfer id: a movement and its
 * transfer are matched even when they fall on two sides of `to`.
 * @throws FORBIDDEN, VALIDATION_FAILED (`currency`: `isCurrency`; `to`: `isAfterFrom`, `maxPeriod`),
 *   LEDGER_UNAVAILABLE.
 */
export async function reconciliationReport(
  deps: Needs<"reconciliation" | "ledger">,
  query: { currency: string; from: Date; to: Date },
) {
  requireSystem(deps.caller);
  const currency = query.currency.toUpperCase();
  if (CURRENCY_EXPONENTS[currency] === undefined) {
    throw validationError([
      { field: "currency", rule: "isCurrency", message: "currency must be an ISO 4217 code" },
    ]);
  }
  const { from, to } = query;
  requireReportPeriod(from, to);
  const inPeriod = await deps.reconciliation.settledInPeriod(currency, from, to);
  const movements = await deps.ledger.settlementMovements(
    { currency, from, to, transferIds: inPeriod.map((row) => row.transferId) },
    deps.requestId,
  );
  const known = new Set(inPeriod.map((row) => row.transferId));
  const named = [...new Set(movements.map((m) => m.transferId).filter((id): id is string => !!id))];
  const others = await deps.reconciliation.settlingOf(named.filter((id) => !known.has(id)));
  const booked: BookedMovement[] = movements.map((m) => ({
    ...m,
    amount: minorOf(m.amount, currency),
    bookedAt: new Date(m.bookedAt),
  }));
  const expected = [...inPeriod, ...others.filter((row) => row.settledAt)].map(expectation);
  const statuses = new Map(others.map((row) => [row.transferId, row.status]));
  return present(currency, { from, to }, reconcile(expected, booked, statuses), booked);
}

function present(
  currency: string,
  period: { from: Date; to: Date },
  result: ReturnType<typeof reconcile>,
  booked: BookedMovement[],
) {
  const amount = (minor: bigint) => formatAmount(minor, currency);
  const expected = (e: ExpectedMovement) => ({ ...e, amount: amount(e.amount) });
  const entry = (b: BookedMovement) => ({ ...b, amount: amount(b.amount) });
  const inPeriod = booked.filter((b) => b.bookedAt >= period.from && b.bookedAt < period.to);
  return {
    currency,
    ...period,
    bookedTotal: amount(inPeriod.reduce((sum, b) => sum + b.amount, 0n)),
    entryCount: inPeriod.length,
    matched: result.matched.map((m) => ({ ...expected(m.expected), entry: entry(m.booked) })),
    differences: result.differences.map((d) => ({
      ...expected(d.expected),
      bookedAmount: amount(d.bookedAmount),
      difference: amount(d.bookedAmount - d.expected.amount),
      entries: d.booked.map(entry),
    })),
    unmatchedTransfers: result.unmatchedTransfers.map(expected),
    unmatchedEntries: result.unmatchedEntries.map((u) => ({ ...entry(u), transferStatus: u.transferStatus })),
  };
}

/** Outgoing transfers of a currency confirmed and not yet accepted by the rail: how many, how much. */
export async function queuedOutgoing(deps: Needs<"loaders">, currency: string) {
  requireSystem(deps.caller);
  const row = await deps.loaders.queuedOutgoingByCurrency.load(currency);
  return {
    count: row?.count ?? 0,
    amount: formatAmount(row ? minorOf(row.amount, currency) : 0n, currency),
  };
}
