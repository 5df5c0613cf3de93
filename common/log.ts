import pino from "pino";
import { logLevel } from "./config";
import { currentRequestScope } from "./request-id";

/** Where log lines go: one JSON document per `write`, newline included. */
export interface LogDestination {
  write(line: string): unknown;
}

// pino's own default (stdout, flushed on exit), behind a switch so tests can read the lines.
const stdout = pino.destination({ dest: process.stdout.fd || 1, sync: false });
let destination: LogDestination = stdout;

/**
 * One JSON-lines logger for every service. A line written while a request is being served
 * carries that request's `service` and `requestId` (a mixin reading the request's
 * AsyncLocalStorage scope, see common/request-id.ts), so no code has to pass a logger along.
 */
export const log = pino(
  {
    level: logLevel(),
    base: undefined,
    mixin: () => {
      const scope = currentRequestScope();
      return scope ? { service: scope.service, requestId: scope.requestId } : {};
    },
  },
  { write: (line: string) => destination.write(line) },
);

/** Sends log lines to `target` instead of stdout (tests); returns the undo. */
export function setLogDestination(target: LogDestination): () => void {
  const previous = destination;
  destination = target;
  return () => {
    destination = previous;
  };
}
