/**
 * The documented limits of the ledger's business days (README "Daily balances and checks",
 * decision 0036). Fixed rather than keys: they are part of what the daily check means, and tests
 * pass their own to the check.
 */
export const DAY_LIMITS = {
  /** A business day is closed this long after its midnight, so postings begun before midnight have committed. */
  closeGraceMinutes: 10,
  /**
   * The daily check reports a transfer that has been in its unfinished status this long (since its newest
   * status change; unrecognized incoming ones aside).
   */
  transferMaxMinutes: 60,
  /** The daily check reports money waiting in suspense (an unrecognized incoming transfer) longer than this. */
  suspenseMaxDays: 3,
} as const;
