/**
 * The bank's own view of its books, for system callers (decision 0038): positions per currency
 * (settlement, suspense, FX position, client balances and holds) with the FX exposure valued in
 * a reporting currency at the configured mid rates, and the settlement accounts' movements the
 * transfer orchestrator reconciles against. One instance per request.
 */
import { CURRENCY_EXPONENTS, formatAmount } from "../../common/amount";
import { type Caller, requireSystem } from "../../common/auth/caller";
import { validationError } from "../../common/errors";
import { fetchPage, type PageArgs } from "../../common/graphql/pagination";
import { valueAtMidRate } from "../../common/fx-rates";
import { MAX_SETTLEMENT_TRANSFER_IDS, requireReportPeriod } from "../../common/report-period";
import type { SettlementMovementRow, TreasuryRepository } from "./persistence/treasury.repository";

export interface TreasurySettings {
  reportingCurrency: string;
  fxRates: Record<string, string>;
}

export class TreasuryService {
  constructor(
    private readonly repository: TreasuryRepository,
    private readonly caller: Caller,
    private readonly settings: TreasurySettings,
  ) {}

  /**
   * Every currency's positions now, and the FX positions valued in `reportingCurrency` (default
   * REPORTING_CURRENCY); a currency without a rate is listed with a null valuation.
   * @throws FORBIDDEN, VALIDATION_FAILED (`reportingCurrency`: `hasRate`).
   */
  async summary(reportingCurrency?: string | null) {
    requireSystem(this.caller);
    const { fxRates } = this.settings;
    const reporting = (reportingCurrency ?? this.settings.reportingCurrency).toUpperCase();
    const reportingExponent = CURRENCY_EXPONENTS[reporting];
    if (reportingExponent === undefined || !Object.hasOwn(fxRates, reporting)) {
      throw validationError([
        {
          field: "reportingCurrency",
          rule: "hasRate",
          message: `reportingCurrency must be a currency with a rate in FX_RATES: ${Object.keys(fxRates).join(", ")}`,
        },
      ]);
    }
    const to = { code: reporting, exponent: reportingExponent };
    let net = 0n;
    let gross = 0n;
    const positions = (await this.repository.positions()).map((row) => {
      const from = { code: row.currency, exponent: CURRENCY_EXPONENTS[row.currency] };
      const valued = Object.hasOwn(fxRates, row.currency)
        ? valueAtMidRate(fxRates, BigInt(row.fxPosition), from, to)
        : null;
      if (valued !== null) {
        net += valued;
        gross += valued < 0n ? -valued : valued;
      }
      const amount = (minor: string) => formatAmount(minor, row.currency);
      return {
        currency: row.currency,
        settlement: amount(row.settlement),
        suspense: amount(row.suspense),
        fxPosition: amount(row.fxPosition),
        fxExposure: valued === null ? null : formatAmount(valued, reporting),
        clientBalances: amount(row.clientPosted),
        clientHeld: amount(row.clientHeld),
        clientAccounts: row.clientAccounts,
        balanced: BigInt(row.total) === 0n,
      };
    });
    return {
      reportingCurrency: reporting,
      asOf: new Date(),
      positions,
      fxExposureNet: formatAmount(net, reporting),
      fxExposureGross: formatAmount(gross, reporting),
    };
  }

  /**
   * One page of the currency's settlement movements booked in [from, to), in booking order.
   * Amounts from the settlement account's side: positive when money leaves the bank.
   * @throws FORBIDDEN, VALIDATION_FAILED (`to`: `isAfterFrom`, `maxPeriod`; `first`: `range`;
   *   `after`: `isCursor`).
   */
  async settlementMovements(currency: string, period: { from: Date; to: Date }, page: PageArgs) {
    requireSystem(this.caller);
    requireReportPeriod(period.from, period.to);
    return fetchPage(
      page.first,
      page.after,
      async (size, after) => {
        const found = await this.repository.settlementMovements(currency.toUpperCase(), period, size, after);
        return { ...found, rows: found.rows.map(presentMovement) };
      },
      isEntryId,
    );
  }

  /**
   * The currency's settlement movements of the given transfers, whenever booked (at most
   * {@link MAX_SETTLEMENT_TRANSFER_IDS} transfers a call).
   * @throws FORBIDDEN, VALIDATION_FAILED (`transferIds`: `maxItems`).
   */
  async settlementMovementsOfTransfers(currency: string, transferIds: string[]) {
    requireSystem(this.caller);
    if (transferIds.length > MAX_SETTLEMENT_TRANSFER_IDS) {
      throw validationError([
        {
          field: "transferIds",
          rule: "maxItems",
          message: `transferIds may name at most ${MAX_SETTLEMENT_TRANSFER_IDS} transfers`,
        },
      ]);
    }
    const rows = await this.repository.settlementMovementsOfTransfers(currency.toUpperCase(), transferIds);
    return rows.map(presentMovement);
  }
}

/** A settlement movement's cursor carries its entry id (a bigint), not a UUID. */
function isEntryId(id: unknown): boolean {
  return typeof id === "string" && /^[1-9]\d{0,18}$/.test(id) && BigInt(id) <= MAX_BIGINT;
}

/** PostgreSQL's largest `bigint`: an entry id beyond it is no cursor of ours. */
const MAX_BIGINT = 9223372036854775807n;

function presentMovement(row: SettlementMovementRow) {
  return { ...row, amount: formatAmount(row.amount, row.currency) };
}
