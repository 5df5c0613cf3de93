/**
 * Profiles processes a bench starts itself (Node refuses `--cpu-prof` in NODE_OPTIONS):
 * `NODE_OPTIONS="--require ./dist/bench/cpu-profile-preload.js" CPU_PROFILE_DIR=DIR
 * CPU_PROFILE_MATCH=subgraphs/ledger npm run bench:cost` writes `DIR/<pid>.cpuprofile` for each
 * process whose script path contains CPU_PROFILE_MATCH, when it exits. Summarise with profile-top.
 */
import fs from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";

const dir = process.env.CPU_PROFILE_DIR;
const match = process.env.CPU_PROFILE_MATCH ?? "";
if (dir && (process.argv[1] ?? "").includes(match)) {
  const session = new Session();
  session.connect();
  session.post("Profiler.enable");
  session.post("Profiler.start");
  process.on("exit", () => {
    // An in-thread session answers synchronously, so the profile is written before the exit.
    session.post("Profiler.stop", (error, result) => {
      if (!error)
        fs.writeFileSync(path.join(dir, `${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
