import pino from "pino";
import { logLevel } from "./config";
import { currentRequestScope } from "./request-id";

/** Where log lines go: one JSON document per `write`, newline included. */
export interface LogDestination {
  write(line: string): unknown;
}

// Stdout, written in chunks of at least 4 KB or every 100 ms, whichever comes first (and flushed
// on exit): one write per request line cost the gateway about a tenth of its CPU under load.
// Behind a switch so tests can read the lines.
const stdout = pino.destination({ dest: process.stdout.fd || 1, sync: false, minLength: 4096 });
/**
 * A flush 100 ms after something may wait in the buffer: a line was written, or a write ended
 * (what came in meanwhile stays buffered below 4 KB). sonic-boom's own `periodicFlush` writes
 * every 100 ms even when nothing is buffered (an empty `write(2)` ten times a second, 1-2% of a
 * busy subgraph's CPU when the level filters every line out), and a timer of ours that ran every
 * 100 ms woke an idle service ten times a second for nothing (decision 0056): the timer is set
 * only when something may wait, and not again before it has run.
 */
let flushTimer: NodeJS.Timeout | undefined;
const flushSoon = () => {
  if (flushTimer) return;
  flushTimer = setTimeout(() => {
    flushTimer = undefined;
    stdout.flush();
  }, 100).unref();
};
stdout.on("write", (bytes: number) => {
  if (bytes > 0) flushSoon();
});
/**
 * Writes out every line the log holds and waits until they are written (at most `timeoutMs`):
 * what a process awaits before `process.exit`. pino's own flush at exit writes the buffer at once,
 * while an earlier chunk may still be on its way, so the last lines could come out first (a CI
 * smoke run saw "embedded PostgreSQL stopped" before the subgraphs' lines logged earlier).
 */
export function flushLog(timeoutMs = 2_000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, timeoutMs);
    stdout.flush(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

let destination: LogDestination = {
  write(line) {
    flushSoon();
    return stdout.write(line);
  },
};

/**
 * One JSON-lines logger for every service. A line written while a request is being served
 * carries that request's `service` and `requestId` (a mixin reading the request's
 * AsyncLocalStorage scope, see common/request-id.ts), so no code has to pass a logger along.
 */
export const log = pino(
  {
    level: logLevel(),
    base: undefined,
    serializers: { err: safeError },
    mixin: () => {
      const scope = currentRequestScope();
      return scope ? { service: scope.service, requestId: scope.requestId } : {};
    },
  },
  { write: (line: string) => destination.write(line) },
);

/**
 * An error as logged: pino's standard form without what a database error copies from the
 * request (TypeORM's `query` and `parameters`, PostgreSQL's `detail` such as `Key (email)=(…)`),
 * which can hold personal data and one-time codes.
 */
function safeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as Record<string, unknown>;
  if (!serialized || typeof serialized !== "object") return serialized;
  const { query: _query, parameters: _parameters, detail: _detail, driverError, ...rest } = serialized;
  if (driverError && typeof driverError === "object") {
    const { detail: _driverDetail, ...driver } = driverError as Record<string, unknown>;
    return { ...rest, driverError: driver };
  }
  return rest;
}

/** Sends log lines to `target` instead of stdout (tests); returns the undo. */
export function setLogDestination(target: LogDestination): () => void {
  const previous = destination;
  destination = target;
  return () => {
    destination = previous;
  };
}
