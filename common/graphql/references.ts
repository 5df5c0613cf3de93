/**
 * An entity's `__resolveReference` from a lookup by id. `_entities` calls it once per
 * representation, so `load` should go through a request-scoped loader (one SQL statement per
 * batch). A representation is caller input too: one without a string id names nothing.
 */
export function byId<TContext, TResult>(load: (id: string, ctx: TContext) => TResult) {
  return {
    __resolveReference(reference: { id?: unknown }, ctx: TContext): TResult | null {
      return typeof reference.id === "string" ? load(reference.id, ctx) : null;
    },
  };
}

/** For an entity another subgraph owns and this one only extends: the reference is all it needs. */
export const idOnly = byId((id) => ({ id }));
