/** Runs the general ledger subgraph alone: `npm run start:ledger` (needs DATABASE_URL). */
import "../../common/heap-flags";
import "reflect-metadata";
import { loadConfig } from "../../common/config";
import { log } from "../../common/log";
import { runUntilSignal } from "../../common/process";
import { startLedgerSubgraph } from "./server";

runUntilSignal(async (onStop) => {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error("DATABASE_URL is required to run a subgraph alone");
  const server = await startLedgerSubgraph(config, config.databaseUrl);
  onStop("ledger subgraph", server.stop);
  log.info({ url: server.url, address: server.address }, "ledger subgraph ready");
});
