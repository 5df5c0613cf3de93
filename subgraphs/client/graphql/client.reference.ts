import type { ClientContext } from "../context";

/**
 * `_entities` calls this once per representation; the loader turns a batch of them
 * into one SQL statement.
 */
export const clientReferenceResolvers = {
  Client: {
    __resolveReference(reference: { id?: unknown }, ctx: ClientContext) {
      // A representation is caller input too: one without a usable id names no client.
      return typeof reference.id === "string" ? ctx.clients.get(reference.id) : null;
    },
  },
};
