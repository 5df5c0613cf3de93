/**
 * Every process entry point sets the services' V8 setting (common/heap-flags.ts, decision 0068)
 * by importing it before anything else, so it holds before the first allocation; the benches'
 * own servers too, so that every server a bench compares runs with it.
 */
import fs from "node:fs";
import path from "node:path";

const root = path.join(__dirname, "..", "..");

const ENTRY_POINTS = [
  "gateway/main.ts",
  "subgraphs/client/main.ts",
  "subgraphs/ledger/main.ts",
  "subgraphs/transfer/main.ts",
  "bin/start.ts",
  "bench/minimal-ledger.ts",
  "bench/minimal-list-server.ts",
  "bench/apollo-list-server.ts",
  "bench/gateways/stock.ts",
];

/** The module of the first `import` statement of a file. */
function firstImport(file: string): string | undefined {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  return /^import\s+(?:[^"']*\s+from\s+)?["']([^"']+)["']/m.exec(text)?.[1];
}

test.each(ENTRY_POINTS)("%s imports common/heap-flags first", (file) => {
  const imported = firstImport(file);
  expect(imported && path.join(path.dirname(file), imported)).toBe(path.join("common", "heap-flags"));
});

test("every service's main.ts is among the entry points checked", () => {
  const mains = fs
    .readdirSync(path.join(root, "subgraphs"))
    .map((name) => `subgraphs/${name}/main.ts`)
    .filter((file) => fs.existsSync(path.join(root, file)));
  expect(mains.length).toBeGreaterThan(0);
  for (const main of mains) expect(ENTRY_POINTS).toContain(main);
});
