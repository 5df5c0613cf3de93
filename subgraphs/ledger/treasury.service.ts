/**
 * The bank's own view of its books, for system callers (decision 0038): positions per currency
 * (settlement, suspense, FX position, client balances and holds) with the FX exposure valued in
 * a reporting currency at the configured mid rates, and the settlement accounts' movements the
 * transfer orchestrator reconciles against. One instance per request.
 */
import { CURRENCY_EXPONENTS, formatAmount } from "../../common/amount";
import { type Caller, requireSystem } from "../../common/auth/caller";
import { validationError } from "../../common/errors";
import { valueAtMidRate } from "../../common/fx-rates";
import { requireReportPeriod } from "../../common/report-period";
import type { TreasuryRepository } from "./persistence/treasury.repository";

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
   * The currency's settlement movements booked in [from, to), plus any of `transferIds` whenever
   * booked. Amounts from the settlement account's side: positive when money leaves the bank.
   * @throws FORBIDDEN, VALIDATION_FAILED (`to`: `isAfterFrom`, `maxPeriod`).
   */
  async settlementMovements(currency: string, from: Date, to: Date, transferIds: string[]) {
    requireSystem(this.caller);
    requireReportPeriod(from, to);
    const rows = await this.repository.settlementMovements(currency.toUpperCase(), { from, to }, transferIds);
    return rows.map((row) => ({ ...row, amount: formatAmount(row.amount, row.currency) }));
  }
}
