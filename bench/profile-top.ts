/**
 * `node dist/bench/profile-top.js <file.cpuprofile>... [--top N] [--skip-ms MS] [--per PATTERN] [--keep-all]
 * [--inclusive PATTERN[,PATTERN...]]`: where V8 CPU profiles (`node --cpu-prof`, e.g. `bench:lists --profile
 * DIR`) spent their time: self time by package (`node_modules/<package>`, `node:` internals, our own files) and
 * the top functions, as percentages of busy time (everything but `(idle)`).
 *
 * - `--skip-ms MS` leaves out the first milliseconds of each profile (start-up).
 * - `--per PATTERN` gives every figure in units of the self time of the functions whose name holds PATTERN
 *   (e.g. `parserOnHeadersComplete`: node parsing one request's headers, the same work per request in any node
 *   HTTP server), so a figure reads "per request, in header parses". It prints the unit's time and sample
 *   count, and leaves `(idle)`, `(program)` and `writev` (a syscall whose time depends on the peer) out of the
 *   busy total and the tables; `--keep-all` keeps them (without --per, only `(idle)` is left out).
 * - `--inclusive PATTERN,...`: for each pattern (a substring of the function name or of `name url:line` as
 *   printed), the time spent in matching functions and everything they called (each sample once, even when
 *   matches nest), and the functions of that subtree with the most self time (top 10, the matches included).
 * - Several files: one column per file, rows ranked by the first file (to compare two processes side by side).
 */
import fs from "node:fs";
import path from "node:path";
import { option } from "./support";

export interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Options {
  skipMs: number;
  /** Substring of the function name whose self time is the unit; percentages of busy time without it. */
  per?: string;
  /** Keep `(program)` and `writev` in the figures under `--per`. */
  keepAll?: boolean;
}

/** One profile, read: self time (µs) of the nodes counted, and what the figures are divided by. */
export interface Summary {
  byId: Map<number, ProfileNode>;
  parent: Map<number, number>;
  /** Self time (µs) per node id counted (after --skip-ms, without the excluded nodes), in first-sample order. */
  self: Map<number, number>;
  /** Time after --skip-ms, excluded nodes included (µs). */
  total: number;
  /** Time of the left-out functions (µs) by name: `(idle)`, and under --per `(program)` and `writev`. */
  excluded: Map<string, number>;
  /** Time counted (µs): total less excluded. */
  busy: number;
  /** The unit under --per: self time (µs) and samples of the matching functions. */
  unit?: { time: number; samples: number };
}

/** The package a script belongs to: `node_modules/<name>` (scoped too), `node:internal`, or our path. */
export function packageOf(url: string, functionName: string): string {
  if (!url) return functionName.startsWith("(") ? functionName : "(native)";
  const modules = url.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const rest = url.slice(modules + "node_modules/".length).split("/");
    return rest[0].startsWith("@") ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith("node:")) return `node:${url.slice(5).split("/")[0]}`;
  const dist = url.indexOf("/dist/");
  return dist >= 0
    ? `ours: ${url
        .slice(dist + 6)
        .split("/")
        .slice(0, 2)
        .join("/")}`
    : url;
}

/** A function as the function table prints it: `name package:line`. */
export function functionLabel(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || "(anonymous)"} ${packageOf(url, "")}:${lineNumber + 1}`;
}

export const packageKey = (node: ProfileNode) => packageOf(node.callFrame.url, node.callFrame.functionName);

/** Self time (µs) and sample count per node id, samples from `skipMs` on, in first-sample order. */
export function selfTimes(
  profile: Profile,
  skipMs: number,
): { time: Map<number, number>; count: Map<number, number> } {
  const time = new Map<number, number>();
  const count = new Map<number, number>();
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed < skipMs * 1000) return;
    time.set(id, (time.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
    count.set(id, (count.get(id) ?? 0) + 1);
  });
  return { time, count };
}

/** Reads one profile: what is counted, what is left out, and the unit (`options.per`). */
export function summarise(profile: Profile, options: Options): Summary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const { time, count } = selfTimes(profile, options.skipMs);
  const left = new Set(
    options.per !== undefined && !options.keepAll ? ["(idle)", "(program)", "writev"] : ["(idle)"],
  );
  const self = new Map<number, number>();
  const excluded = new Map<string, number>();
  let total = 0;
  let unit: Summary["unit"];
  if (options.per !== undefined) unit = { time: 0, samples: 0 };
  for (const [id, micros] of time) {
    total += micros;
    const name = byId.get(id)!.callFrame.functionName;
    if (unit && name.includes(options.per!)) {
      unit.time += micros;
      unit.samples += count.get(id)!;
    }
    if (left.has(name)) excluded.set(name, (excluded.get(name) ?? 0) + micros);
    else self.set(id, micros);
  }
  const busy = total - [...excluded.values()].reduce((a, b) => a + b, 0);
  return { byId, parent, self, total, excluded, busy, unit };
}

/** A time (µs) as printed: % of busy time, or units under --per (2 decimals). */
export function figure(summary: Summary, micros: number): number {
  if (summary.unit) return Math.round((100 * micros) / summary.unit.time) / 100;
  return Math.round((1000 * micros) / summary.busy) / 10;
}

/** Self time (µs) summed by `key`, over the nodes counted (or those `within` says), in first-sample order. */
export function tally(
  summary: Summary,
  key: (node: ProfileNode) => string,
  within: (id: number) => boolean = () => true,
): Map<string, number> {
  const sums = new Map<string, number>();
  for (const [id, time] of summary.self) {
    if (!within(id)) continue;
    const name = key(summary.byId.get(id)!);
    sums.set(name, (sums.get(name) ?? 0) + time);
  }
  return sums;
}

/** The `top` keys, by the first map's time (most first), then by the others' summed time. */
export function rank(sums: Map<string, number>[], top: number): string[] {
  const keys = [...new Set(sums.flatMap((map) => [...map.keys()]))];
  const rest = (key: string) => sums.slice(1).reduce((a, map) => a + (map.get(key) ?? 0), 0);
  return keys
    .sort((a, b) => (sums[0].get(b) ?? 0) - (sums[0].get(a) ?? 0) || rest(b) - rest(a))
    .slice(0, top);
}

/**
 * Rows for console.table: `name`, then one column per summary (`columns`), the time of `sums[i]` in
 * summary i's figures; the `top` rows by the first.
 */
export function rows(
  summaries: Summary[],
  sums: Map<string, number>[],
  columns: string[],
  top: number,
): Record<string, string | number>[] {
  return rank(sums, top).map((name) => {
    const row: Record<string, string | number> = { name };
    summaries.forEach((summary, i) => (row[columns[i]] = figure(summary, sums[i].get(name) ?? 0)));
    return row;
  });
}

/** Whether a node's function name, or its printed `name url:line`, holds `pattern`. */
export const matches = (node: ProfileNode, pattern: string) =>
  node.callFrame.functionName.includes(pattern) || functionLabel(node).includes(pattern);

/**
 * Whether a node is a match for `pattern` or below one (memoised per node). Asked of each counted node, it
 * counts every sample once however many matches are above it (recursion, nested matches).
 */
export function inSubtree(summary: Summary, pattern: string): (id: number) => boolean {
  const known = new Map<number, boolean>();
  const inside = (id: number): boolean => {
    let answer = known.get(id);
    if (answer === undefined) {
      const up = summary.parent.get(id);
      answer = matches(summary.byId.get(id)!, pattern) || (up !== undefined && inside(up));
      known.set(id, answer);
    }
    return answer;
  };
  return inside;
}

/** Inclusive time (µs) of `pattern`: its subtree's self times, each counted node once; and that by function. */
export function inclusive(
  summary: Summary,
  pattern: string,
): { time: number; byFunction: Map<string, number> } {
  const byFunction = tally(summary, functionLabel, inSubtree(summary, pattern));
  return { time: [...byFunction.values()].reduce((a, b) => a + b, 0), byFunction };
}

/** Under this many samples the unit's own sampling error is large (about 1/sqrt(samples)). */
const FEW_SAMPLES = 30;
const ms = (micros: number) => Math.round(micros / 1000);

/** The line that opens a profile's output: busy time, and under --per the unit and what was left out. */
export function heading(file: string, summary: Summary, per?: string): string {
  if (!summary.unit) return `${file}: ${ms(summary.busy)} ms busy of ${ms(summary.total)} ms\n`;
  const left = [...summary.excluded].map(([name, time]) => `${name} ${ms(time)} ms`).join(", ");
  return (
    `${file}: unit = self time of '${per}': ${(summary.unit.time / 1000).toFixed(1)} ms in ${summary.unit.samples}` +
    ` samples; busy ${ms(summary.busy)} ms = ${figure(summary, summary.busy)} units of ${ms(summary.total)} ms` +
    ` (left out: ${left || "nothing"})` +
    (summary.unit.samples < FEW_SAMPLES ? ` - only ${summary.unit.samples} unit samples: a rough unit` : "") +
    "\n"
  );
}

/** Column names: `selfPct` or `units` for one file, else the files' names (their paths when names repeat). */
export function columnNames(files: string[], per?: string): string[] {
  if (files.length === 1) return [per === undefined ? "selfPct" : "units"];
  const names = files.map((file) => path.basename(file));
  return new Set(names).size === names.length ? names : files;
}

/** Prints the package and function tables, then each --inclusive pattern's time and top functions. */
export function report(
  files: string[],
  summaries: Summary[],
  options: Options & { top: number; inclusive: string[] },
) {
  const columns = columnNames(files, options.per);
  files.forEach((file, i) => process.stdout.write(heading(file, summaries[i], options.per)));
  const table = (key: (node: ProfileNode) => string) =>
    console.table(
      rows(
        summaries,
        summaries.map((summary) => tally(summary, key)),
        columns,
        options.top,
      ),
    );
  table(packageKey);
  table(functionLabel);
  for (const pattern of options.inclusive) {
    const found = summaries.map((summary) => inclusive(summary, pattern));
    const unit = options.per === undefined ? "%" : " units";
    const times = found.map(({ time }, i) => `${figure(summaries[i], time)}${unit}`).join(" | ");
    process.stdout.write(`inclusive '${pattern}': ${times}\n`);
    console.table(
      rows(
        summaries,
        found.map(({ byFunction }) => byFunction),
        columns,
        10,
      ),
    );
  }
}

const VALUED = new Set(["--top", "--skip-ms", "--per", "--inclusive"]);
const FLAGS = new Set(["--keep-all"]);

/** The profile files: the arguments that are neither options nor their values. */
export function positional(args: string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (VALUED.has(args[i])) i++;
    else if (FLAGS.has(args[i])) continue;
    else if (args[i].startsWith("--")) throw new Error(`unknown option ${args[i]}`);
    else files.push(args[i]);
  }
  return files;
}

function main() {
  const files = positional(process.argv.slice(2));
  if (files.length === 0)
    throw new Error("usage: profile-top.js <file.cpuprofile>... (see the header comment)");
  const per = process.argv.includes("--per") ? (option("--per", "") ?? "") : undefined;
  const options = {
    top: Number(option("--top", "25")),
    skipMs: Number(option("--skip-ms", "0")),
    per,
    keepAll: process.argv.includes("--keep-all"),
    inclusive: process.argv.includes("--inclusive")
      ? (option("--inclusive", "") ?? "").split(",").filter(Boolean)
      : [],
  };
  if (per !== undefined && !per) throw new Error("--per needs a function name pattern");
  const summaries = files.map((file) =>
    summarise(JSON.parse(fs.readFileSync(file, "utf8")) as Profile, options),
  );
  summaries.forEach((summary, i) => {
    if (summary.unit && summary.unit.time === 0)
      throw new Error(`${files[i]}: no self time in a function matching '${per}' (after --skip-ms)`);
  });
  report(files, summaries, options);
}

if (require.main === module) main();
