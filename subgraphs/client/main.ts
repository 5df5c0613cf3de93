/** Runs the client profile subgraph alone: `npm run start:client` (needs DATABASE_URL). */
import "../../common/heap-flags";
import "reflect-metadata";
import { loadConfig } from "../../common/config";
import { log } from "../../common/log";
import { runUntilSignal } from "../../common/process";
import { startClientSubgraph } from "./server";

runUntilSignal(async (onStop) => {
  const config = loadConfig();
  if (!config.databaseUrl) throw new Error("DATABASE_URL is required to run a subgraph alone");
  const server = await startClientSubgraph(config, config.databaseUrl);
  onStop("client subgraph", server.stop);
  log.info({ url: server.url, address: server.address }, "client subgraph ready");
});
