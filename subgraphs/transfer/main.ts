/** Runs the transfer orchestrator subgraph alone: `npm run start:transfer` (needs DATABASE_URL). */
import "../../common/heap-flags";
import "reflect-metadata";
import { loadConfig } from "../../common/config";
import { log } from "../../common/log";
import { runUntilSignal } from "../../common/process";
import { startTransferSubgraph } from "./server";

runUntilSignal(async (onStop) => {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error("DATABASE_URL is required to run a subgraph alone");
  const server = await startTransferSubgraph(config, config.databaseUrl);
  onStop("transfer subgraph", server.stop);
  log.info({ url: server.url, address: server.address }, "transfer subgraph ready");
});
