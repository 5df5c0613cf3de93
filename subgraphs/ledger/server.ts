import { CURRENCY_EXPONENTS } from "../../common/amount";
import type { Config } from "../../common/config";
import { NoticeHub } from "../../common/db/notice-hub";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import { registerGauge, registerStatusCounts } from "../../common/ops/metrics";
import type { LedgerContext } from "./context";
import { PaymentStatus } from "./domain/payment-status";
import { AccountService } from "./account.service";
import { ActivityService } from "./activity.service";
import { BankAccountService } from "./bank-account.service";
import { PaymentService } from "./payment.service";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "./persistence";
import { AccountRepository } from "./persistence/account.repository";
import { ActivityRepository, type ActivityNotice } from "./persistence/activity.repository";
import { createLedgerLoaders } from "./persistence/loaders";
import { PaymentRepository } from "./persistence/payment.repository";
import { TransactionRepository } from "./persistence/transaction.repository";
import { buildLedgerSchema } from "./schema";
import { TransactionService } from "./transaction.service";

export interface LedgerSubgraph extends Subgraph {
  /** Open accountActivity subscriptions in this process: `activity.size`. */
  activity: NoticeHub<ActivityNotice>;
}

/**
 * Connects, migrates, makes sure each offered currency has the bank's own accounts, and serves
 * the ledger, with one LISTEN on `ledger_activity` for its accountActivity subscriptions.
 */
export async function startLedgerSubgraph(config: Config, databaseUrl: string): Promise<LedgerSubgraph> {
  const { currencies } = config.ledger;
  const unknown = currencies.filter((code) => CURRENCY_EXPONENTS[code] === undefined);
  if (unknown.length) {
    throw new Error(`LEDGER_CURRENCIES has currencies without a known exponent: ${unknown.join(", ")}`);
  }
  const activity = new NoticeHub<ActivityNotice>("ledger_activity", (notice) => notice.accountId);
  const subgraph = await startSubgraph<LedgerContext>(config, databaseUrl, {
    database: { schema: LEDGER_SCHEMA, entities: ledgerEntities, migrations: ledgerMigrations },
    listen: config.subgraphs.ledger,
    buildSchema: buildLedgerSchema,
    prepare: async (dataSource, metrics) => {
      await activity.start(databaseUrl);
      const repositories = {
        accounts: new AccountRepository(dataSource),
        payments: new PaymentRepository(dataSource),
        transactions: new TransactionRepository(dataSource),
      };
      await repositories.accounts.ensureBankAccounts(currencies);
      registerStatusCounts(metrics, {
        name: "ledger_payments",
        help: "Payments by status (DRAFT, PENDING, POSTED, CANCELLED), counted in the database",
        statuses: Object.values(PaymentStatus),
        counts: () => repositories.payments.countPaymentsByStatus(),
      });
      registerGauge(
        metrics,
        "graphql_subscriptions_active",
        "Open accountActivity subscriptions at this subgraph",
        () => activity.size,
      );
      const activityRepository = new ActivityRepository(dataSource);
      return (base) => {
        const loaders = createLedgerLoaders(repositories);
        const accounts = new AccountService(repositories.accounts, loaders, base.caller, currencies);
        return {
          ...base,
          accounts,
          activity: new ActivityService(activityRepository, activity, accounts),
          bankAccounts: new BankAccountService(repositories.accounts, base.caller),
          payments: new PaymentService(
            repositories.payments,
            repositories.accounts,
            loaders,
            base.caller,
            base.requestId,
          ),
          transactions: new TransactionService(repositories.transactions, loaders, base.caller, accounts),
        };
      };
    },
  }).catch(async (error: unknown) => {
    await activity.stop(); // its LISTEN connection, if prepare got that far
    throw error;
  });
  return {
    ...subgraph,
    activity,
    stop: async () => {
      await subgraph.stop();
      await activity.stop();
    },
  };
}
