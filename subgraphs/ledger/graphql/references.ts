import { byId, idOnly } from "../../../common/graphql/references";
import type { LedgerContext } from "../context";

export const ledgerReferenceResolvers = {
  Account: byId((id, ctx: LedgerContext) => ctx.ledger.account(id)),
  Payment: byId((id, ctx: LedgerContext) => ctx.ledger.payment(id)),
  // The client subgraph owns clients; here a reference only needs its id for `Client.accounts`.
  Client: idOnly,
};
