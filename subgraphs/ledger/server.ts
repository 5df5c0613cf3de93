import type { Config } from "../../common/config";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import { registerStatusCounts } from "../../common/ops/metrics";
import type { LedgerContext } from "./context";
import { CURRENCY_EXPONENTS } from "./domain/money";
import { PaymentStatus } from "./domain/payment-status";
import { LedgerService } from "./ledger.service";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "./persistence";
import { createLedgerLoaders } from "./persistence/ledger.loaders";
import { LedgerRepository } from "./persistence/ledger.repository";
import { buildLedgerSchema } from "./schema";

export type LedgerSubgraph = Subgraph;

/** Connects, migrates, makes sure each offered currency has the bank's own accounts, and serves the ledger. */
export function startLedgerSubgraph(config: Config, databaseUrl: string): Promise<LedgerSubgraph> {
  const { currencies } = config.ledger;
  const unknown = currencies.filter((code) => CURRENCY_EXPONENTS[code] === undefined);
  if (unknown.length) {
    return Promise.reject(
      new Error(`LEDGER_CURRENCIES has currencies without a known exponent: ${unknown.join(", ")}`),
    );
  }
  return startSubgraph<LedgerContext>(config, databaseUrl, {
    database: { schema: LEDGER_SCHEMA, entities: ledgerEntities, migrations: ledgerMigrations },
    listen: config.subgraphs.ledger,
    buildSchema: buildLedgerSchema,
    prepare: async (dataSource, metrics) => {
      const repository = new LedgerRepository(dataSource);
      await repository.ensureBankAccounts(currencies);
      registerStatusCounts(metrics, {
        name: "ledger_payments",
        help: "Payments by status (DRAFT, PENDING, POSTED, CANCELLED), counted in the database",
        statuses: Object.values(PaymentStatus),
        counts: () => repository.countPaymentsByStatus(),
      });
      return (base) => ({
        ...base,
        ledger: new LedgerService(
          repository,
          createLedgerLoaders(repository),
          base.caller,
          base.requestId,
          currencies,
        ),
      });
    },
  });
}
