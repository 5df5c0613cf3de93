/**
 * The two shapes of a request-scoped DataLoader: one row per key (by id, by number) and the rows
 * of each key (a client's accounts, a transfer's events). `find` reads the whole batch in one
 * statement; the rows, in whatever order they came, are given back in key order (as DataLoader
 * requires) by their text column `key`. Create loaders per request, never at module level.
 */
import DataLoader from "dataloader";

/** The columns of `T` that hold text (ids, numbers): what a loader's key can be matched with. */
type TextColumn<T> = { [P in keyof T]: T[P] extends string | null | undefined ? P : never }[keyof T];

/** A loader of the row whose `key` column is the key, or null where none is found. */
export function loaderOfOne<T>(
  find: (keys: readonly string[]) => Promise<T[]>,
  key: TextColumn<T>,
): DataLoader<string, T | null> {
  return new DataLoader<string, T | null>(async (keys) => {
    const found = new Map<unknown, T>();
    for (const row of await find(keys)) found.set(row[key], row);
    return keys.map((wanted) => found.get(wanted) ?? null);
  });
}

/** A loader of the rows whose `key` column is the key, in the order `find` returned them (none: `[]`). */
export function loaderOfMany<T>(
  find: (keys: readonly string[]) => Promise<T[]>,
  key: TextColumn<T>,
): DataLoader<string, T[]> {
  return new DataLoader<string, T[]>(async (keys) => {
    const found = new Map<unknown, T[]>();
    for (const row of await find(keys)) {
      const rows = found.get(row[key]);
      if (rows) rows.push(row);
      else found.set(row[key], [row]);
    }
    return keys.map((wanted) => found.get(wanted) ?? []);
  });
}

/**
 * A service's request-scoped loaders, each made when a request first uses it: `makers` names
 * each loader and how to make it over `source` (the process's repositories). A request uses one
 * or two of a service's loaders (a payment, one of the ledger's eight), and making them all was
 * eight DataLoaders, their closures and maps, on every request. Spelled
 * `loaderSet<Repositories>()({ name: (repositories) => loader, ... })`.
 */
export function loaderSet<S>() {
  return <L extends Record<string, object>>(makers: { [K in keyof L]: (source: S) => L[K] }) =>
    lazily<S, L>(makers);
}

/**
 * The loader `name` of a {@link loaderSet}'s `loaders` if this request has made it, else
 * undefined: to drop rows from a cache that may not exist (a loader not made holds nothing).
 */
export function madeLoader<L extends Record<string, object>, K extends keyof L & string>(
  loaders: Readonly<L>,
  name: K,
): L[K] | undefined {
  return (loaders as unknown as { made: Map<string, L[K]> }).made.get(name);
}

function lazily<S, L extends Record<string, object>>(makers: {
  [K in keyof L]: (source: S) => L[K];
}): (source: S) => Readonly<L> {
  class Loaders {
    readonly made = new Map<string, object>();
    constructor(readonly source: S) {}
  }
  for (const name of Object.keys(makers)) {
    Object.defineProperty(Loaders.prototype, name, {
      enumerable: true,
      get(this: Loaders) {
        let loader = this.made.get(name);
        if (!loader) this.made.set(name, (loader = makers[name]!(this.source)));
        return loader;
      },
    });
  }
  return (source) => new Loaders(source) as unknown as Readonly<L>;
}
