/**
 * `node dist/bench/profile-top.js <file.cpuprofile> [--top N] [--skip-ms MS]`: where a V8 CPU profile (`node
 * --cpu-prof`, e.g. `bench:lists --profile DIR`) spent its time: self time by package
 * (`node_modules/<package>`, `node:` internals, our own files) and the top functions. `--skip-ms` leaves out the first milliseconds (start-up).
 */
import fs from "node:fs";
import { option } from "./support";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The package a script belongs to: `node_modules/<name>` (scoped too), `node:internal`, or our path. */
function packageOf(url: string, functionName: string): string {
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

function main() {
  const file = process.argv[2];
  const top = Number(option("--top", "25"));
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const skipMs = Number(option("--skip-ms", "0"));
  const self = new Map<number, number>();
  let elapsed = 0;
  profile.samples.forEach((id, i) => {
    elapsed += profile.timeDeltas[i] ?? 0;
    if (elapsed >= skipMs * 1000) self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = [...self.entries()]
    .filter(([id]) => byId.get(id)!.callFrame.functionName === "(idle)")
    .reduce((a, [, time]) => a + time, 0);
  const busy = total - idle;
  const tally = (key: (node: ProfileNode) => string) => {
    const sums = new Map<string, number>();
    for (const [id, time] of self) {
      const node = byId.get(id)!;
      if (node.callFrame.functionName === "(idle)") continue;
      sums.set(key(node), (sums.get(key(node)) ?? 0) + time);
    }
    return [...sums.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, time]) => ({ name, selfPct: Math.round((1000 * time) / busy) / 10 }));
  };
  process.stdout.write(`${file}: ${Math.round(busy / 1000)} ms busy of ${Math.round(total / 1000)} ms\n`);
  console.table(tally((node) => packageOf(node.callFrame.url, node.callFrame.functionName)));
  console.table(
    tally(
      (node) =>
        `${node.callFrame.functionName || "(anonymous)"} ${packageOf(node.callFrame.url, "")}:${node.callFrame.lineNumber + 1}`,
    ),
  );
}

main();
