/**
 * Log lines reach stdout while the service lives, though stdout is written in chunks of 4 KB
 * (common/log.ts): a line is flushed about 100 ms after it was written, and a line written
 * after a quiet spell too (the flush timer is armed by writes, not running all the time:
 * decision 0056). A process of its own: jest's own stdout is not the service's.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { projectRoot } from "../../common/paths";
import { REQUIRE_TYPESCRIPT } from "../helpers/processes";

test("each line is on stdout within a second of being logged, also after a quiet spell", async () => {
  const script = `${REQUIRE_TYPESCRIPT}
const { log } = require(${JSON.stringify(path.join(projectRoot(), "common/log.ts"))});
log.info({ line: "first" }, "first");
setTimeout(() => log.info({ line: "second" }, "second"), 1500);
setTimeout(() => undefined, 60_000);`;
  const child = spawn(process.execPath, ["-e", script], {
    cwd: projectRoot(),
    env: { ...process.env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const started = Date.now();
  const seen: Array<{ line: string; at: number }> = [];
  let pending = "";
  child.stdout.on("data", (chunk: Buffer) => {
    const lines = (pending + String(chunk)).split("\n");
    pending = lines.pop()!;
    for (const text of lines.filter(Boolean)) {
      seen.push({ line: (JSON.parse(text) as { line: string }).line, at: Date.now() - started });
    }
  });
  try {
    const deadline = Date.now() + 10_000;
    while (seen.length < 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    // Still running: the lines came from the flush timer, not from the exit.
    expect(child.exitCode).toBeNull();
    expect(seen.map((s) => s.line)).toEqual(["first", "second"]);
    // The second was logged 1.5 s after the first and is flushed within a second of it.
    expect(seen[1].at - seen[0].at).toBeGreaterThanOrEqual(1000);
    expect(seen[1].at - seen[0].at).toBeLessThan(2500);
  } finally {
    // Waited for, so neither the child nor its pipes outlive the test.
    const closed = new Promise((resolve) => child.once("close", resolve));
    child.kill("SIGKILL");
    await closed;
  }
}, 20_000);
