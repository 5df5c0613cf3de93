import type { ClientContext } from "../context";

/**
 * `_entities` calls this once per representation; the loader turns a batch of them
 * into one SQL statement.
 */
export const clientReferenceResolvers = {
  Client: {
    __resolveReference(reference: { id: string }, ctx: ClientContext) {
      return ctx.clients.get(reference.id);
    },
  },
};
