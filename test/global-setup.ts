/**
 * Runs once before all suites: picks a real PostgreSQL (DATABASE_URL, else the machine's
 * server on 127.0.0.1:5432 when one answers, else the embedded one), creates a database
 * for this run and migrates it once. Each suite's stack copies it (TEST_DATABASE_URL) as a
 * template into a database of its own, so one suite's worker never runs another's transfers.
 */
import "reflect-metadata";
import net from "node:net";
import path from "node:path";
import { Client } from "pg";
import { loadConfig } from "../common/config";
import { createDataSource, migrate } from "../common/db/data-source";
import { ensureDatabase, startEmbeddedPostgres } from "../common/db/embedded";
import { projectRoot } from "../common/paths";
import { CLIENT_SCHEMA, clientEntities, clientMigrations } from "../subgraphs/client/persistence";
import { LEDGER_SCHEMA, ledgerEntities, ledgerMigrations } from "../subgraphs/ledger/persistence";
import { TRANSFER_SCHEMA, transferEntities, transferMigrations } from "../subgraphs/transfer/persistence";

declare global {
  var __TEST_DATABASE__: { adminUrl: string; name: string; stop?: () => Promise<void> } | undefined;
}

function answers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 }, () => {
      socket.destroy();
      resolve(true);
    });
    socket.on("error", () => resolve(false));
    socket.on("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function adminServer(): Promise<{ adminUrl: string; stop?: () => Promise<void> }> {
  const { databaseUrl } = loadConfig();
  if (databaseUrl) return { adminUrl: databaseUrl };
  if (await answers("127.0.0.1", 5432)) return { adminUrl: "postgres://postgres@127.0.0.1:5432/postgres" };
  const embedded = await startEmbeddedPostgres({
    dataDir: path.join(projectRoot(), ".data/test-postgres"),
    port: 54339,
  });
  return { adminUrl: embedded.url, stop: embedded.stop };
}

export default async function globalSetup(): Promise<void> {
  const server = await adminServer();
  const name = `core_banking_test_${Date.now()}_${process.pid}`;
  await ensureDatabase(server.adminUrl, name);
  const url = new URL(server.adminUrl);
  url.pathname = `/${name}`;
  process.env.TEST_DATABASE_URL = url.toString();
  process.env.TEST_ADMIN_DATABASE_URL = server.adminUrl;
  globalThis.__TEST_DATABASE__ = { adminUrl: server.adminUrl, name, stop: server.stop };

  for (const subgraph of [
    { schema: CLIENT_SCHEMA, entities: clientEntities, migrations: clientMigrations },
    { schema: LEDGER_SCHEMA, entities: ledgerEntities, migrations: ledgerMigrations },
    { schema: TRANSFER_SCHEMA, entities: transferEntities, migrations: transferMigrations },
  ]) {
    const { dataSource } = createDataSource({ url: url.toString(), ...subgraph });
    await dataSource.initialize();
    await migrate(dataSource, subgraph.schema);
    await dataSource.destroy();
  }
  const version = new Client({ connectionString: url.toString() });
  await version.connect();
  const { rows } = await version.query("SHOW server_version");
  await version.end();
  process.stdout.write(`\ntests use PostgreSQL ${rows[0].server_version}, database ${name}\n`);
}
