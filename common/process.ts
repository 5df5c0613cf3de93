import { flushLog, log } from "./log";

const STOP_TIMEOUT_MS = 15_000;

/** Registers how to undo one started part; `name` is logged when it has stopped. */
export type OnStop = (name: string, stop: () => Promise<void>) => void;

/**
 * Starts a service and stops it cleanly on SIGINT/SIGTERM, or when starting fails half
 * way: the registered stops run in reverse order of start (gateway, subgraphs, database).
 */
export function runUntilSignal(start: (onStop: OnStop) => Promise<void>): void {
  const stops: Array<{ name: string; stop: () => Promise<void> }> = [];
  let stopping = false;
  const stop = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    log.info({ reason }, "stopping");
    setTimeout(() => {
      log.error({ timeoutMs: STOP_TIMEOUT_MS }, "stopping took too long; exiting");
      process.exit(1);
    }, STOP_TIMEOUT_MS).unref();
    for (const { name, stop: stopPart } of stops.reverse()) {
      await stopPart().then(
        () => log.info({ part: name }, "stopped"),
        (error: unknown) => log.error({ err: error, part: name }, "error while stopping"),
      );
    }
    // Every line, "stopped" included, written in order before the exit (see flushLog).
    await flushLog();
    process.exit(exitCode);
  };
  // A second Ctrl-C while stopping must not kill the process before PostgreSQL is down;
  // a shutdown that hangs is cut off after STOP_TIMEOUT_MS instead.
  process.on("SIGINT", () => void stop("SIGINT", 0));
  process.on("SIGTERM", () => void stop("SIGTERM", 0));
  start((name, stopPart) => stops.push({ name, stop: stopPart })).catch((error: unknown) => {
    log.error({ err: error }, "failed to start");
    void stop("startup failure", 1);
  });
}
