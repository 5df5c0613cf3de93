/** The loaders' batch functions answer in key order, whatever order the rows come in. */
import { loaderOfMany, loaderOfOne, loaderSet, madeLoader } from "../../common/db/batch-loaders";

interface Row {
  id: string;
  ownerId: string | null;
}

const rows: Row[] = [
  { id: "c", ownerId: "x" },
  { id: "a", ownerId: null },
  { id: "b", ownerId: "x" },
  { id: "d", ownerId: "y" },
];

/** A finder over `rows` that records each batch it is asked for. */
function finder(by: keyof Row) {
  const batches: string[][] = [];
  const find = async (keys: readonly string[]) => {
    batches.push([...keys]);
    return rows.filter((row) => keys.includes(row[by] as string));
  };
  return { find, batches };
}

describe("batch loaders", () => {
  it("When rows are loaded by id, then one batch answers each key with its row or null, in key order", async () => {
    const { find, batches } = finder("id");
    const loader = loaderOfOne(find, "id");
    const found = await Promise.all(["b", "z", "a", "c"].map((id) => loader.load(id)));
    expect(found).toEqual([rows[2], null, rows[1], rows[0]]);
    expect(batches).toEqual([["b", "z", "a", "c"]]);
  });

  it("When rows are loaded per owner, then each key gets its rows in the order found, and none is []", async () => {
    const { find, batches } = finder("ownerId");
    const loader = loaderOfMany(find, "ownerId");
    const found = await Promise.all(["y", "none", "x"].map((owner) => loader.load(owner)));
    expect(found).toEqual([[rows[3]], [], [rows[0], rows[2]]]);
    expect(batches).toHaveLength(1);
  });

  it("When a set of loaders is made per request, then each loader is made on first use, once per request, over the source", async () => {
    const made: string[] = [];
    const perRequest = loaderSet<{ name: string; find: (keys: readonly string[]) => Promise<Row[]> }>()({
      byId: (source) => {
        made.push(`byId ${source.name}`);
        return loaderOfOne(source.find, "id");
      },
      byOwner: (source) => {
        made.push(`byOwner ${source.name}`);
        return loaderOfMany(source.find, "ownerId");
      },
    });
    const { find } = finder("id");
    const first = perRequest({ name: "first", find });
    const second = perRequest({ name: "second", find });
    expect(made).toEqual([]);
    expect(await first.byId.load("a")).toEqual(rows[1]);
    expect(first.byId).toBe(first.byId);
    expect(made).toEqual(["byId first"]);
    // Another request's loader is its own: nothing cached by the first is shared.
    expect(second.byId).not.toBe(first.byId);
    expect(made).toEqual(["byId first", "byId second"]);
    expect(Object.keys(Object.getPrototypeOf(first) as object)).toEqual(["byId", "byOwner"]);
    // A loader not used yet is not made by asking whether it was.
    expect(madeLoader(first, "byOwner")).toBeUndefined();
    expect(madeLoader(first, "byId")).toBe(first.byId);
    expect(made).toEqual(["byId first", "byId second"]);
  });
});
