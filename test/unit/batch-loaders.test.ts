/** The loaders' batch functions answer in key order, whatever order the rows come in. */
import { loaderOfMany, loaderOfOne } from "../../common/db/batch-loaders";

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
});
