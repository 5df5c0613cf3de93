/** Runs the gateway alone: `npm run start:gateway` (subgraph URLs from CLIENT_SUBGRAPH_URL...). */
import "../common/heap-flags";
import { loadConfig } from "../common/config";
import { log } from "../common/log";
import { runUntilSignal } from "../common/process";
import { startGateway } from "./server";

runUntilSignal(async (onStop) => {
  const config = loadConfig();
  const gateway = await startGateway(config, {
    subgraphUrls: {
      client: config.subgraphs.client.url,
      ledger: config.subgraphs.ledger.url,
      transfer: config.subgraphs.transfer.url,
    },
  });
  onStop("gateway", gateway.stop);
  log.info({ url: gateway.url, address: gateway.address }, "gateway ready");
});
