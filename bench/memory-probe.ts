/**
 * Preloaded (`node --expose-gc --require dist/bench/memory-probe.js`) into a process a benchmark
 * starts with an IPC channel. Between `{ probe: "start" }` and `{ probe: "stop" }` it forces a full
 * GC every `everyMs` and keeps the largest heapUsed + arrayBuffers seen right after one: the memory
 * the process really holds (its live set), without the garbage V8 lets pile up until the external
 * memory it tracks grows by its soft limit (about 64 MB), which is what a peak RSS mostly shows.
 * The reply is `{ probe: "stopped", liveMb }`.
 */
const gc = (globalThis as { gc?: () => void }).gc;
let timer: NodeJS.Timeout | undefined;
let live = 0;

function sample(): void {
  // V8 frees dead ArrayBuffers on a background thread after a GC; a second GC waits for that
  // sweep, so arrayBuffers then counts only the live ones.
  gc!();
  gc!();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  live = Math.max(live, heapUsed + arrayBuffers);
}

if (process.send && gc) {
  process.on("message", (message: { probe?: string; everyMs?: number }) => {
    if (message.probe === "start") {
      live = 0;
      sample();
      timer = setInterval(sample, message.everyMs ?? 100);
    } else if (message.probe === "stop") {
      clearInterval(timer);
      sample();
      process.send!({ probe: "stopped", liveMb: Math.round(live / 1_048_576) });
    }
  });
  // The channel must not keep the process alive after the benchmark stops it.
  process.channel?.unref();
}
