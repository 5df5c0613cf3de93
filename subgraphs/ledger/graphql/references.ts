import { byCanonicalId } from "../../../common/graphql/canonical-ids";
import type { LedgerContext } from "../context";

export const ledgerReferenceResolvers = {
  Account: byCanonicalId((id, ctx: LedgerContext) => ctx.accounts.account(id)),
  Payment: byCanonicalId((id, ctx: LedgerContext) => ctx.payments.payment(id)),
  // The client subgraph owns clients; here a reference only needs its id for `Client.accounts`.
  Client: byCanonicalId((id) => ({ id })),
};
