/**
 * The background worker: every `intervalMs` it claims due transfers from PostgreSQL and runs
 * them (sends to the rail, retries after a backoff, takes over from a runner that died). Any
 * number of instances can run against one database; SKIP LOCKED and the leases keep them
 * apart. `stop()` lets the current round finish.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { log } from "../../../common/log";
import type { TransferEngine } from "./engine";

export const WORKER_SUBJECT = "transfer-worker";

export interface TransferWorker {
  stop(): Promise<void>;
}

export function startTransferWorker(
  engine: TransferEngine,
  options: { intervalMs: number; batchSize?: number },
): TransferWorker {
  const controller = new AbortController();
  const batchSize = options.batchSize ?? 20;
  const loop = (async () => {
    while (!controller.signal.aborted) {
      let ran = 0;
      try {
        ran = await engine.runDue(WORKER_SUBJECT, batchSize);
      } catch (error) {
        log.error({ err: error }, "transfer worker round failed");
      }
      // A full batch means more may be due: go on at once.
      if (ran < batchSize) {
        await sleep(options.intervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
      }
    }
  })();
  return {
    stop: async () => {
      controller.abort();
      await loop;
    },
  };
}
