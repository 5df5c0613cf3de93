/**
 * GeneralLedger - System Reports and TreasuryManagement routes of DESIGN.md section 7 (system
 * callers, the result envelope): the settlement reconciliation report (run by the transfer
 * orchestrator, decision 0038) and the treasury summary (the ledger's positions, with the transfer
 * subgraph's queued outgoing transfers joined in by the supergraph).
 */
import type { GraphQLSchema } from "graphql";
import type { RestRoute } from "../../route";
import { fragmentDto } from "../shared";

const ENTRY = `entryId paymentId transferId amount description bookedAt`;
const EXPECTED = `transferId kind status amount settledAt`;
const RECONCILIATION_DTO = fragmentDto(`
fragment ReconciliationReportDto on ReconciliationReport {
  currency from to bookedTotal entryCount
  matched { ${EXPECTED} entry { ${ENTRY} } }
  differences { ${EXPECTED} bookedAmount difference entries { ${ENTRY} } }
  unmatchedTransfers { ${EXPECTED} }
  unmatchedEntries { ${ENTRY} transferStatus }
}`);
const TREASURY_DTO = fragmentDto(`
fragment TreasurySummaryDto on TreasurySummary {
  reportingCurrency asOf fxExposureNet fxExposureGross
  positions {
    currency settlement suspense fxPosition fxExposure clientBalances clientHeld clientAccounts balanced
    queuedOutgoing { count amount }
  }
}`);

export const reportComponentSchemas = (schema: GraphQLSchema) => ({
  ...RECONCILIATION_DTO.component(schema),
  ...TREASURY_DTO.component(schema),
});

export const reportRoutes: RestRoute[] = [
  {
    method: "get",
    path: "/internal/Reports/ReconciliationReport",
    summary:
      "The currency's settlement account movements in [from, to) (at most 31 days) matched one to one with the transfers that sent money to and received it from the rail: matched, differences in amount, unmatched transfers and unmatched entries",
    tag: "GeneralLedger - Reports",
    auth: "system",
    input: {
      query: {
        currency: { variable: "currency", description: "ISO 4217 code" },
        from: { variable: "from", description: "Start, included (ISO 8601)" },
        to: { variable: "to", description: "End, excluded (ISO 8601)" },
      },
    },
    operation: `query ReconciliationReport($currency: String!, $from: DateTimeISO!, $to: DateTimeISO!) {
      reconciliationReport(currency: $currency, from: $from, to: $to) { ...ReconciliationReportDto }
    } ${RECONCILIATION_DTO.fragment}`,
    result: (data, schema) => RECONCILIATION_DTO.toRest(data.reconciliationReport, schema),
    resultSchema: () => RECONCILIATION_DTO.ref,
  },
  {
    method: "get",
    path: "/internal/TreasuryManagement/summary",
    summary:
      "Per currency: settlement, suspense and FX positions, client balances and held funds, outgoing transfers queued for the rail, and the FX exposure valued in the reporting currency at the configured rates",
    tag: "GeneralLedger - TreasuryManagement",
    auth: "system",
    input: {
      query: {
        reportingCurrency: {
          variable: "reportingCurrency",
          description:
            "Currency to value FX positions in (default REPORTING_CURRENCY); it needs a rate in FX_RATES",
        },
      },
    },
    operation: `query TreasurySummary($reportingCurrency: String) {
      treasurySummary(reportingCurrency: $reportingCurrency) { ...TreasurySummaryDto }
    } ${TREASURY_DTO.fragment}`,
    result: (data, schema) => TREASURY_DTO.toRest(data.treasurySummary, schema),
    resultSchema: () => TREASURY_DTO.ref,
  },
];
