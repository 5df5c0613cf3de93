/**
 * What the daily check needs to know about transfers, asked of their owner: the transfer
 * orchestrator's GraphQL API (`transfers(filter: {status, to})`), with the ledger's own system
 * credential, never its tables (decision 0036). One request, one alias per unfinished status;
 * each answers the oldest transfers (up to a page) and how many there are.
 */

/** Transfer statuses that are not final and move on by themselves (UNRECOGNIZED waits in suspense). */
export const IN_FLIGHT_STATUSES = [
  "CREATED",
  "PENDING_CONFIRMATION",
  "CONFIRMED",
  "PROCESSING",
  "SENDING",
  "SENT",
  "REJECTED",
  "CANCELLING",
  "RECEIVED",
  "SUSPENDING",
  "ASSIGNING",
  "SOURCE_DEBITED",
  "REFUNDING",
] as const;

/** An incoming transfer whose money waits in the suspense account for an operator. */
export const SUSPENSE_STATUS = "UNRECOGNIZED";

export interface TransferFact {
  id: string;
  kind: string;
  status: string;
  amount: string;
  currency: string;
  createdAt: string;
  /** When it entered its current status (its newest status change). */
  statusChangedAt: string;
}

/**
 * Which time a transfer's age is measured from: its creation, or its newest status change (the
 * time it entered the status it is in).
 */
export type TransferClock = "created" | "statusChanged";

/** The `transfers` filter field that bounds each clock. */
const BEFORE_FILTER: Record<TransferClock, string> = { created: "to", statusChanged: "statusChangedBefore" };

export interface TransferFactsPort {
  /** Transfers in any of `statuses` whose `clock` is before `before`, per status. */
  olderThan(statuses: readonly string[], before: Date, clock: TransferClock): Promise<TransferFact[]>;
}

const PAGE = 100;
const TIMEOUT_MS = 10_000;

export class TransferFacts implements TransferFactsPort {
  constructor(
    private readonly url: () => string,
    private readonly token: () => Promise<string>,
  ) {}

  async olderThan(statuses: readonly string[], before: Date, clock: TransferClock): Promise<TransferFact[]> {
    const fields = statuses
      .map(
        (status) =>
          `${status}: transfers(filter: {status: ${status}, ${BEFORE_FILTER[clock]}: $before}, first: ${PAGE}) { nodes { id kind status amount currency createdAt statusChangedAt } }`,
      )
      .join("\n");
    const response = await fetch(this.url(), {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${await this.token()}` },
      body: JSON.stringify({
        query: `query DailyCheckTransfers($before: DateTimeISO!) { ${fields} }`,
        variables: { before: before.toISOString() },
      }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    const body = (await response.json().catch(() => ({}))) as {
      data?: Record<string, { nodes: TransferFact[] }> | null;
      errors?: { message: string }[];
    };
    if (!body.data || body.errors?.length) {
      throw new Error(
        `the transfer orchestrator answered ${response.status}: ${body.errors?.[0]?.message ?? "no data"}`,
      );
    }
    return statuses.flatMap((status) => body.data![status]?.nodes ?? []);
  }
}
