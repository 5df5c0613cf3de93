import type { GraphQLSchema } from "graphql";
import { buildFederatedSchema } from "../../common/graphql/build-subgraph-schema";
import { canonicalIds } from "../../common/graphql/canonical-ids";
import { PageInfo } from "../../common/graphql/pagination";
import { AccountResolver, ClientAccountsResolver } from "./graphql/account.resolver";
import { AccountActivityResolver } from "./graphql/activity.resolver";
import { PaymentResolver } from "./graphql/payment.resolver";
import { ledgerReferenceResolvers } from "./graphql/references";
import { EntryResolver, TransactionResolver } from "./graphql/transaction.resolver";
import { registerLedgerEnums } from "./graphql/types";

/** The general ledger subgraph's schema (printed to schema/ledger.graphql by `npm run compose`). */
export async function buildLedgerSchema(): Promise<GraphQLSchema> {
  registerLedgerEnums();
  const schema = await buildFederatedSchema(
    {
      resolvers: [
        AccountResolver,
        ClientAccountsResolver,
        AccountActivityResolver,
        PaymentResolver,
        TransactionResolver,
        EntryResolver,
      ],
      orphanedTypes: [PageInfo],
    },
    ledgerReferenceResolvers,
  );
  return canonicalIds(schema);
}
