/**
 * Daily account balances: reading the closed days (system callers: any account; an account's
 * own field: its owner too) and recalculating a range of them. One instance per request.
 */
import { formatAmount } from "../../common/amount";
import { type Caller, requireSystem } from "../../common/auth/caller";
import { validationError } from "../../common/errors";
import { fetchPage, type Page } from "../../common/graphql/pagination";
import { requireUuids } from "../../common/require-uuids";
import type { AccountService } from "./account.service";
import { daysBetween, isBusinessDay } from "./domain/business-day";
import type { AccountRow } from "./persistence/entities";
import type {
  DailyBalanceFilter,
  DailyBalanceRepository,
  DailyBalanceRow,
  DailyFigures,
} from "./persistence/daily-balance.repository";

/** The longest range one recalculation may cover. */
export const MAX_RECALCULATION_DAYS = 366;

export class DailyBalanceService {
  constructor(
    private readonly repository: DailyBalanceRepository,
    private readonly accounts: AccountService,
    private readonly caller: Caller,
  ) {}

  /** Stored daily balances, by day then row, filtered. System callers. */
  dailyBalances(filter: DailyBalanceFilter, first?: number | null, after?: string | null) {
    requireSystem(this.caller);
    if (filter.accountId) requireUuids({ accountId: filter.accountId });
    checkRange(filter.from, filter.to);
    return formatted(
      fetchPage(first, after, (size, position) => this.repository.listDailyBalances(filter, size, position)),
    );
  }

  /** One account's closed days (its owner or a system caller). */
  accountDailyBalances(
    account: AccountRow,
    range: { from?: string | null; to?: string | null },
    first?: number | null,
    after?: string | null,
  ) {
    this.accounts.requireOwnAccount(account);
    checkRange(range.from, range.to);
    return formatted(
      fetchPage(first, after, (size, position) =>
        this.repository.listDailyBalances({ ...range, accountId: account.id }, size, position),
      ),
    );
  }

  /** Recomputes the closed days of [from, to] from the entries; corrects and reports each difference. */
  async recalculate(input: { from: string; to: string; accountId?: string | null }) {
    requireSystem(this.caller);
    if (input.accountId) requireUuids({ accountId: input.accountId });
    checkRange(input.from, input.to);
    if (daysBetween(input.from, input.to) > MAX_RECALCULATION_DAYS) {
      throw validationError([
        {
          field: "to",
          rule: "maxRange",
          message: `A recalculation covers at most ${MAX_RECALCULATION_DAYS} days`,
        },
      ]);
    }
    const result = await this.repository.recalculate(
      input.from,
      input.to,
      input.accountId ?? null,
      this.caller.subject,
    );
    return {
      id: result.id,
      from: input.from,
      to: input.to,
      accountId: input.accountId ?? null,
      rowsChecked: result.rowsChecked,
      rowsCorrected: result.differences.length,
      differences: result.differences.map((d) => ({
        accountId: d.accountId,
        businessDay: d.businessDay,
        currency: d.currency,
        stored: d.stored ? figures(d.stored, d.currency) : null,
        actual: figures(d.actual, d.currency),
      })),
    };
  }
}

/** A stored row as the API shows it: amounts as decimal strings of the currency. */
function dailyBalanceOf(row: DailyBalanceRow) {
  return { ...row, ...figures(row, row.currency) };
}

/** The page with its rows as the API shows them; `totalCount` and `edges` stay lazy (counted only when selected). */
async function formatted(
  page: Promise<Page<DailyBalanceRow>>,
): Promise<Page<ReturnType<typeof dailyBalanceOf>>> {
  const read = await page;
  return {
    nodes: read.nodes.map(dailyBalanceOf),
    get edges() {
      return read.edges.map((edge) => ({ cursor: edge.cursor, node: dailyBalanceOf(edge.node) }));
    },
    get totalCount() {
      return read.totalCount;
    },
    get totalCountIsExact() {
      return read.totalCountIsExact;
    },
    pageInfo: read.pageInfo,
  };
}

function figures(f: DailyFigures, currency: string) {
  return {
    openingBalance: formatAmount(f.opening, currency),
    closingBalance: formatAmount(f.closing, currency),
    totalDebits: formatAmount(f.totalDebits, currency),
    totalCredits: formatAmount(f.totalCredits, currency),
    entryCount: f.entryCount,
  };
}

/** `from` and `to` are dates (YYYY-MM-DD), `from` not after `to`. */
export function checkRange(from?: string | null, to?: string | null): void {
  for (const [field, value] of [
    ["from", from],
    ["to", to],
  ] as const) {
    if (value != null && !isBusinessDay(value)) {
      throw validationError([
        { field, rule: "isDate", message: `${field} must be a date written YYYY-MM-DD` },
      ]);
    }
  }
  if (from && to && from > to) {
    throw validationError([{ field: "to", rule: "notBeforeFrom", message: "to must not be before from" }]);
  }
}
