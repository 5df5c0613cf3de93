import type { LedgerContext } from "../context";

/** `_entities` resolves each representation through a request-scoped loader (batched SQL). */
export const ledgerReferenceResolvers = {
  Account: {
    __resolveReference(reference: { id?: unknown }, ctx: LedgerContext) {
      return typeof reference.id === "string" ? ctx.ledger.account(reference.id) : null;
    },
  },
  Payment: {
    __resolveReference(reference: { id?: unknown }, ctx: LedgerContext) {
      return typeof reference.id === "string" ? ctx.ledger.payment(reference.id) : null;
    },
  },
  // The client subgraph owns clients; here a reference only needs its id for `Client.accounts`.
  Client: {
    __resolveReference(reference: { id?: unknown }) {
      return typeof reference.id === "string" ? { id: reference.id } : null;
    },
  },
};
