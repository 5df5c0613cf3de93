/**
 * bench/profile-top.ts on a profile made here: figures in units of a function's self time (--per), what is
 * left out of them, inclusive time with a recursive match counted once, and two files side by side.
 */
import {
  columnNames,
  heading,
  inclusive,
  packageKey,
  positional,
  type Profile,
  type ProfileNode,
  rows,
  summarise,
  tally,
} from "../../bench/profile-top";

const node = (id: number, functionName: string, url: string, lineNumber: number, children: number[] = []) =>
  ({ id, callFrame: { functionName, url, lineNumber }, children }) satisfies ProfileNode;

const NODES: ProfileNode[] = [
  node(1, "(root)", "", -1, [2, 6, 7, 8]),
  node(2, "walk", "file:///app/node_modules/pkga/index.js", 9, [3]),
  node(3, "visit", "node:internal/streams/x", 19, [4]),
  node(4, "walk", "file:///app/node_modules/pkga/index.js", 9, [5]), // walk, recursively
  node(5, "leaf", "file:///app/node_modules/pkgc/leaf.js", 0, [9]),
  node(6, "parserOnHeadersComplete", "node:_http_common", 70),
  node(7, "(idle)", "", -1),
  node(8, "(program)", "", -1),
  node(9, "writev", "", -1), // under leaf, so under walk
];

/** Self times (µs): leaf 500 (start-up) + 4000, parser 2 × 1000, walk 1000 + 3000, visit 2000, idle 10000, (program) 5000, writev 6000. */
const FIRST: Profile = {
  nodes: NODES,
  samples: [5, 6, 2, 3, 4, 5, 6, 7, 8, 9],
  timeDeltas: [500, 1000, 1000, 2000, 3000, 4000, 1000, 10000, 5000, 6000],
};

/** Another process, three header parses: parser 3000, walk 1000, leaf 2000, idle 9000. */
const SECOND: Profile = {
  nodes: NODES,
  samples: [6, 2, 6, 6, 5, 7],
  timeDeltas: [1000, 1000, 1000, 1000, 2000, 9000],
};

const PER = { skipMs: 0, per: "parserOnHeadersComplete" };

describe("profile-top", () => {
  it("When --per is given, then the unit is the matching self time and (idle), (program), writev are left out", () => {
    const summary = summarise(FIRST, PER);
    expect(summary.unit).toEqual({ time: 2000, samples: 2 });
    expect(summary.total).toBe(33500);
    expect([...summary.excluded]).toEqual([
      ["(idle)", 10000],
      ["(program)", 5000],
      ["writev", 6000],
    ]);
    expect(summary.busy).toBe(12500);
    expect(rows([summary], [tally(summary, packageKey)], ["units"], 25)).toEqual([
      { name: "pkgc", units: 2.25 },
      { name: "pkga", units: 2 },
      { name: "node:_http_common", units: 1 },
      { name: "node:internal", units: 1 },
    ]);
    expect(heading("f", summary, PER.per)).toBe(
      "f: unit = self time of 'parserOnHeadersComplete': 2.0 ms in 2 samples; busy 13 ms = 6.25 units of 34 ms" +
        " (left out: (idle) 10 ms, (program) 5 ms, writev 6 ms) - only 2 unit samples: a rough unit\n",
    );
  });

  it("When --keep-all is given, then only (idle) is left out, in units", () => {
    const summary = summarise(FIRST, { ...PER, keepAll: true });
    expect(summary.busy).toBe(23500);
    expect(rows([summary], [tally(summary, packageKey)], ["units"], 3)).toEqual([
      { name: "(native)", units: 3 }, // writev
      { name: "(program)", units: 2.5 },
      { name: "pkgc", units: 2.25 },
    ]);
  });

  it("When no --per is given, then figures are % of busy time with only (idle) left out", () => {
    const summary = summarise(FIRST, { skipMs: 0 });
    expect(summary.unit).toBeUndefined();
    expect(summary.busy).toBe(23500);
    expect(rows([summary], [tally(summary, packageKey)], ["selfPct"], 25)).toEqual([
      { name: "(native)", selfPct: 25.5 },
      { name: "(program)", selfPct: 21.3 },
      { name: "pkgc", selfPct: 19.1 },
      { name: "pkga", selfPct: 17 },
      { name: "node:_http_common", selfPct: 8.5 },
      { name: "node:internal", selfPct: 8.5 },
    ]);
  });

  it("When --skip-ms is given, then the samples before it are not counted", () => {
    const summary = summarise(FIRST, { ...PER, skipMs: 1 });
    expect(summary.total).toBe(33000);
    expect(summary.busy).toBe(12000);
    expect(tally(summary, packageKey).get("pkgc")).toBe(4000);
  });

  it("When the matched function calls itself, then each sample below it counts once", () => {
    const summary = summarise(FIRST, PER);
    const walk = inclusive(summary, "walk");
    // walk 1000 + visit 2000 + walk 3000 + leaf 4500; not the inner walk's 7500 again, nor writev.
    expect(walk.time).toBe(10500);
    expect(rows([summary], [walk.byFunction], ["units"], 10)).toEqual([
      { name: "leaf pkgc:1", units: 2.25 },
      { name: "walk pkga:10", units: 2 },
      { name: "visit node:internal:20", units: 1 },
    ]);
    expect(inclusive(summarise(FIRST, { ...PER, keepAll: true }), "walk").time).toBe(16500);
    // A pattern can name the printed `name url:line`.
    expect(inclusive(summary, "pkgc:1").time).toBe(4500);
    expect(inclusive(summary, "nothing like it").time).toBe(0);
  });

  it("When two files are given, then each is a column in its own units, rows ranked by the first", () => {
    const summaries = [summarise(FIRST, PER), summarise(SECOND, PER)];
    expect(summaries[1].unit).toEqual({ time: 3000, samples: 3 });
    const columns = columnNames(["/tmp/a/1.cpuprofile", "/tmp/b/2.cpuprofile"], PER.per);
    expect(columns).toEqual(["1.cpuprofile", "2.cpuprofile"]);
    const sums = summaries.map((summary) => tally(summary, packageKey));
    expect(rows(summaries, sums, columns, 3)).toEqual([
      { name: "pkgc", "1.cpuprofile": 2.25, "2.cpuprofile": 0.67 },
      { name: "pkga", "1.cpuprofile": 2, "2.cpuprofile": 0.33 },
      { name: "node:_http_common", "1.cpuprofile": 1, "2.cpuprofile": 1 },
    ]);
    expect(columnNames(["/a/x.cpuprofile", "/b/x.cpuprofile"])).toEqual([
      "/a/x.cpuprofile",
      "/b/x.cpuprofile",
    ]);
    expect(columnNames(["/a/x.cpuprofile"])).toEqual(["selfPct"]);
  });

  it("When options are mixed with files, then only the files are positional", () => {
    expect(
      positional(["a", "--per", "p", "b", "--keep-all", "--inclusive", "x,y", "--top", "5", "c"]),
    ).toEqual(["a", "b", "c"]);
    expect(() => positional(["a", "--pre", "p"])).toThrow("unknown option --pre");
  });
});
