/**
 * Business days: calendar days in the bank's time zone (`BANK_TIMEZONE`), written `YYYY-MM-DD`.
 * A posting belongs to the day its ledger transaction was booked in (its `created_at`, the start
 * of the database transaction that wrote it). A day is due for closing once its end in the bank's
 * time zone plus the grace period has passed: the grace covers postings that began before
 * midnight and commit just after, so nothing lands in a day after it closed (decision 0036).
 */

const DAY_PATTERN = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/** True for an IANA zone name this runtime knows (`Europe/London`, `UTC`). */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-CA", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** True for a real calendar date written `YYYY-MM-DD`. */
export function isBusinessDay(value: string): boolean {
  if (!DAY_PATTERN.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** The business day `instant` falls in, in `zone`. */
export function businessDayOf(instant: Date, zone: string): string {
  // en-CA formats a date as YYYY-MM-DD.
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: zone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(instant);
}

/** `day` moved by `days` calendar days. */
export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * MS_PER_DAY).toISOString().slice(0, 10);
}

/** Calendar days from `from` to `to`, both included (0 when `to` is before `from`). */
export function daysBetween(from: string, to: string): number {
  return Math.max(
    0,
    Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY) + 1,
  );
}

/** The last business day that may be closed at `now`: the day before the one `now - grace` falls in. */
export function lastDueDay(now: Date, zone: string, graceMinutes: number): string {
  return addDays(businessDayOf(new Date(now.getTime() - graceMinutes * 60_000), zone), -1);
}

/**
 * The days to close, oldest first: from the day after the last closed one (or, before any close,
 * the day of the ledger's first account) to the last due day.
 */
export function daysToClose(
  lastClosed: string | null,
  firstActivity: string | null,
  now: Date,
  zone: string,
  graceMinutes: number,
): string[] {
  const first = lastClosed ? addDays(lastClosed, 1) : firstActivity;
  if (!first) return [];
  const last = lastDueDay(now, zone, graceMinutes);
  return Array.from({ length: daysBetween(first, last) }, (_, i) => addDays(first, i));
}
