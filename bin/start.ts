/**
 * `npm start`: the whole supergraph in one process. Starts the embedded PostgreSQL when
 * DATABASE_URL is unset, migrates, starts every subgraph and the gateway, and prints the
 * endpoint with a development token. Ctrl-C stops everything, the database included.
 * `npm start -- --seed` then fills it with demo data (bin/seed.ts).
 */
import "../common/heap-flags";
import "reflect-metadata";
import { loadConfig } from "../common/config";
import { mintToken } from "../common/auth/tokens";
import { startEmbeddedPostgres } from "../common/db/embedded";
import { log } from "../common/log";
import { runUntilSignal } from "../common/process";
import { startGateway } from "../gateway/server";
import { startClientSubgraph } from "../subgraphs/client/server";
import { startLedgerSubgraph } from "../subgraphs/ledger/server";
import { startTransferSubgraph } from "../subgraphs/transfer/server";
import { formatSummary, seed, seedToken } from "./seed";

runUntilSignal(async (onStop) => {
  const startedAt = Date.now();
  const config = loadConfig();
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const database = await startEmbeddedPostgres({
      ...config.embeddedPostgres,
      log: (line) => log.debug({ source: "postgres" }, line),
      onStop: (stop) => onStop("embedded PostgreSQL", stop),
    });
    databaseUrl = database.url;
    log.info(
      { dataDir: config.embeddedPostgres.dataDir, port: config.embeddedPostgres.port },
      "embedded PostgreSQL ready",
    );
  }
  const client = await startClientSubgraph(config, databaseUrl);
  onStop("client subgraph", client.stop);
  // The daily check asks the transfer subgraph, which starts after the ledger.
  let transferUrl = config.subgraphs.transfer.url;
  const ledger = await startLedgerSubgraph(config, databaseUrl, { transferUrl: () => transferUrl });
  onStop("ledger subgraph", ledger.stop);
  const transfer = await startTransferSubgraph(config, databaseUrl, ledger.url);
  transferUrl = transfer.url;
  onStop("transfer subgraph", transfer.stop);
  const gateway = await startGateway(config, {
    subgraphUrls: { client: client.url, ledger: ledger.url, transfer: transfer.url },
  });
  onStop("gateway", gateway.stop);

  const lines = [
    "",
    `Core banking supergraph ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`,
    `  GraphQL:  ${gateway.url}`,
    `  REST:     ${gateway.baseUrl}/internal/Clients  (OpenAPI: ${gateway.baseUrl}/openapi.json, UI: ${gateway.baseUrl}/docs)`,
  ];
  if (config.gateway.explorer) lines.push(`  Explorer: ${gateway.url} in a browser`);
  if (config.gateway.dashboard) lines.push(`  Live dashboard: ${gateway.baseUrl}/dashboard`);
  if (config.auth.usingDevelopmentSecret) {
    const token = await mintToken(config.auth, { kind: "system", subject: "dev-system" });
    lines.push("  Development system token (12h):", `  Authorization: Bearer ${token}`);
  }
  process.stdout.write(`${lines.join("\n")}\n\n`);

  if (process.argv.includes("--seed")) {
    // Demo data is a convenience: when it fails the supergraph keeps serving, and says why.
    await seedToken(config)
      .then((token) => seed({ graphqlUrl: gateway.url, databaseUrl, token }))
      .then(
        (summary) => process.stdout.write(formatSummary(summary)),
        (error: unknown) => log.error({ err: error }, "seeding demo data failed"),
      );
  }
});
