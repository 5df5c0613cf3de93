/**
 * One service in a process of its own, for tests that cross real process boundaries (a
 * subgraph killed or frozen mid-request). Configured by the environment like `main.ts`;
 * prints `{"url": ...}` on one line once it serves. Started by `startServiceProcess`.
 */
import "reflect-metadata";
import { loadConfig } from "../../../common/config";
import { startClientSubgraph } from "../../../subgraphs/client/server";
import { startLedgerSubgraph } from "../../../subgraphs/ledger/server";

async function main(): Promise<void> {
  const config = loadConfig();
  const databaseUrl = config.databaseUrl!;
  const which = process.argv[2];
  const server =
    which === "client"
      ? await startClientSubgraph(config, databaseUrl)
      : which === "ledger"
        ? await startLedgerSubgraph(config, databaseUrl)
        : undefined;
  if (!server) throw new Error(`unknown service "${which}"`);
  process.stdout.write(`${JSON.stringify({ url: server.url, address: server.address })}\n`);
  process.on("SIGTERM", () => void server.stop().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
