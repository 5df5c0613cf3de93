import { byCanonicalId } from "../../../common/graphql/canonical-ids";
import type { TransferContext } from "../context";
import { transfer } from "../use-cases/queries";
import { recipient } from "../use-cases/recipients";

export const transferReferenceResolvers = {
  Transfer: byCanonicalId((id, ctx: TransferContext) => transfer(ctx, id)),
  Recipient: byCanonicalId((id, ctx: TransferContext) => recipient(ctx, id)),
  // Accounts and clients live elsewhere; here a reference needs only its id, for `transfers`.
  Account: byCanonicalId((id) => ({ id })),
  Client: byCanonicalId((id) => ({ id })),
  // The ledger's treasury position: here only its currency is needed, for `queuedOutgoing`.
  TreasuryPosition: {
    __resolveReference: (reference: { currency?: unknown }) =>
      typeof reference.currency === "string" ? { currency: reference.currency } : null,
  },
};
