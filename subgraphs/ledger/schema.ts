import type { GraphQLSchema } from "graphql";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { canonicalIds } from "../../common/graphql/canonical-ids";
import { PageInfo } from "../../common/graphql/pagination";
import { AccountOtpResolver } from "./graphql/account-otp.resolver";
import { AccountResolver, ClientAccountsResolver } from "./graphql/account.resolver";
import { BackgroundJobResolver } from "./graphql/background-job.resolver";
import { CheckRunResolver } from "./graphql/check-run.resolver";
import { AccountDailyBalanceResolver, DailyBalanceResolver } from "./graphql/daily-balance.resolver";
import { registerDailyEnums } from "./graphql/daily-types";
import { AccountActivityResolver } from "./graphql/activity.resolver";
import { PaymentResolver } from "./graphql/payment.resolver";
import { ledgerReferenceResolvers } from "./graphql/references";
import { EntryResolver, TransactionResolver } from "./graphql/transaction.resolver";
import { registerStepUpEnums } from "./graphql/step-up.types";
import { TreasuryResolver } from "./graphql/treasury.resolver";
import { registerLedgerEnums } from "./graphql/types";

/** The general ledger subgraph's schema (printed to schema/ledger.graphql by `npm run compose`). */
export async function buildLedgerSchema(): Promise<GraphQLSchema> {
  registerLedgerEnums();
  registerDailyEnums();
  registerStepUpEnums();
  const schema = await buildFederatedSchema(
    {
      resolvers: [
        AccountResolver,
        ClientAccountsResolver,
        AccountActivityResolver,
        PaymentResolver,
        TransactionResolver,
        EntryResolver,
        DailyBalanceResolver,
        AccountDailyBalanceResolver,
        CheckRunResolver,
        BackgroundJobResolver,
        AccountOtpResolver,
        TreasuryResolver,
      ],
      orphanedTypes: [PageInfo],
    },
    ledgerReferenceResolvers,
  );
  return canonicalIds(schema);
}
