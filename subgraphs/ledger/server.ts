import { CURRENCY_EXPONENTS } from "../../common/amount";
import type { Config } from "../../common/config";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import { registerStatusCounts } from "../../common/ops/metrics";
import type { LedgerContext } from "./context";
import { PaymentStatus } from "./domain/payment-status";
import { AccountService } from "./account.service";
import { BankAccountService } from "./bank-account.service";
import { PaymentService } from "./payment.service";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "./persistence";
import { AccountRepository } from "./persistence/account.repository";
import { createLedgerLoaders } from "./persistence/loaders";
import { PaymentRepository } from "./persistence/payment.repository";
import { PaymentGroupCommit } from "./persistence/group-commit";
import { TransactionRepository } from "./persistence/transaction.repository";
import { buildLedgerSchema } from "./schema";
import { TransactionService } from "./transaction.service";

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
      const repositories = {
        accounts: new AccountRepository(dataSource),
        payments: new PaymentRepository(dataSource),
        transactions: new TransactionRepository(dataSource),
      };
      await repositories.accounts.ensureBankAccounts(currencies);
      const groups = new PaymentGroupCommit(repositories.payments, config.ledger.groupCommitMs);
      registerStatusCounts(metrics, {
        name: "ledger_payments",
        help: "Payments by status (DRAFT, PENDING, POSTED, CANCELLED), counted in the database",
        statuses: Object.values(PaymentStatus),
        counts: () => repositories.payments.countPaymentsByStatus(),
      });
      return (base) => {
        const loaders = createLedgerLoaders(repositories);
        const accounts = new AccountService(repositories.accounts, loaders, base.caller, currencies);
        return {
          ...base,
          accounts,
          bankAccounts: new BankAccountService(repositories.accounts, base.caller),
          payments: new PaymentService(
            repositories.payments,
            groups,
            repositories.accounts,
            loaders,
            base.caller,
            base.requestId,
          ),
          transactions: new TransactionService(repositories.transactions, loaders, base.caller, accounts),
        };
      };
    },
  });
}
