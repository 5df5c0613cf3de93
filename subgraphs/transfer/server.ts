import type { Config } from "../../common/config";
import type { RequestContext } from "../../common/graphql/context";
import { serviceTokenSource } from "../../common/auth/service-token";
import { prepareDocuments } from "../../common/documents";
import { documentEndpoints } from "../../common/documents/http";
import { type DocumentDeps, DocumentService } from "../../common/documents/service";
import { startSubgraph, type Subgraph } from "../../common/graphql/start-subgraph";
import { SubgraphTransport } from "../../common/graphql/subgraph-transport";
import { registerGauge, registerStatusCounts } from "../../common/ops/metrics";
import type { TransferContext } from "./context";
import { TransferStatus } from "./domain/transfer-status";
import {
  createTransferRepositories,
  TRANSFER_SCHEMA,
  transferEntities,
  transferMigrations,
} from "./persistence";
import { TRANSFER_COUNTER } from "./persistence/counters";
import { createTransferLoaders } from "./persistence/loaders";
import type { TransferRepository } from "./persistence/transfer.repository";
import { TransferEngine } from "./process/engine";
import { startTransferWorker, type TransferWorker } from "./process/worker";
import { type PaymentRail, SimulatedRail } from "./rail/payment-rail";
import { buildTransferSchema } from "./schema";
import { type TransferEventHub, transferEventHub } from "./events/event-hub";
import { LEDGER_TIMEOUT_MS, LedgerClient } from "./ledger/ledger-client";
import { transferDocumentOwner } from "./use-cases/documents";

export interface TransferSubgraph extends Subgraph {
  /** Runs transfers' steps; tests call `engine.runDue` to play the worker's part deterministically. */
  engine: TransferEngine;
  repository: TransferRepository;
  rail: PaymentRail;
  /** Open status subscriptions in this process: `events.size`. */
  events: TransferEventHub;
}

/**
 * The orchestrator's client of the ledger: its own credential, never the end user's token, over
 * the same pooled transport as the gateway's calls to subgraphs.
 */
function ledgerClient(
  config: Config,
  ledgerUrl: string,
): { transport: SubgraphTransport; ledger: LedgerClient } {
  const transport = new SubgraphTransport({
    ...config.upstream,
    timeoutMs: Math.min(config.upstream.timeoutMs, LEDGER_TIMEOUT_MS),
  });
  const ledger = new LedgerClient(
    ledgerUrl,
    serviceTokenSource(config.auth, "transfer-orchestrator"),
    transport,
  );
  return { transport, ledger };
}

/** What every request's context shares: the process's repositories, ledger client, engine, hub and settings. */
interface SharedParts {
  repositories: ReturnType<typeof createTransferRepositories>;
  ledger: LedgerClient;
  engine: TransferEngine;
  events: TransferEventHub;
  config: Config["transfers"];
}

/**
 * One request's context. Every field named, none spread: copying objects' properties at run
 * time was 2% of a transfer list's CPU.
 */
function transferContext(
  { repositories, ledger, engine, events, config }: SharedParts,
  documents: DocumentDeps,
  { caller, requestId }: RequestContext,
): TransferContext {
  return {
    caller,
    requestId,
    transfers: repositories.transfers,
    confirmations: repositories.confirmations,
    recipients: repositories.recipients,
    quotes: repositories.quotes,
    reconciliation: repositories.reconciliation,
    history: repositories.history,
    loaders: createTransferLoaders(repositories),
    ledger,
    engine,
    events,
    config,
    documents: new DocumentService(documents, caller, requestId),
  };
}

/**
 * Connects, migrates and serves the transfer orchestrator subgraph, with its background
 * worker when TRANSFER_WORKER is on. `ledgerUrl` is the ledger subgraph's GraphQL URL; `rail`
 * replaces the simulated payment rail.
 */
export async function startTransferSubgraph(
  config: Config,
  databaseUrl: string,
  ledgerUrl: string = config.subgraphs.ledger.url,
  rail: PaymentRail = new SimulatedRail(config.transfers.rail),
): Promise<TransferSubgraph> {
  const { transport, ledger } = ledgerClient(config, ledgerUrl);
  const events = transferEventHub();
  let engine: TransferEngine | undefined;
  let repository: TransferRepository | undefined;
  let worker: TransferWorker | undefined;
  let documents: DocumentDeps | undefined;
  const subgraph = await startSubgraph<TransferContext>(config, databaseUrl, {
    database: { schema: TRANSFER_SCHEMA, entities: transferEntities, migrations: transferMigrations },
    counters: [TRANSFER_COUNTER],
    listen: config.subgraphs.transfer,
    buildSchema: buildTransferSchema,
    prepare: async (dataSource, metrics) => {
      events.start(databaseUrl);
      const repositories = createTransferRepositories(dataSource);
      const { transfers, recipients } = repositories;
      registerStatusCounts(metrics, {
        name: "transfer_transfers",
        help: "Transfers by status, counted in the database",
        statuses: Object.values(TransferStatus),
        counts: () => transfers.countTransfersByStatus(),
      });
      registerGauge(
        metrics,
        "graphql_subscriptions_active",
        "Open transferStatusChanged subscriptions at this subgraph",
        () => events.size,
      );
      const running = new TransferEngine(
        transfers,
        recipients,
        ledger,
        rail,
        config.transfers.worker.leaseSeconds,
      );
      engine = running;
      repository = transfers;
      const documentDeps = await prepareDocuments(
        config,
        dataSource,
        TRANSFER_SCHEMA,
        transferDocumentOwner(transfers),
      );
      documents = documentDeps;
      const shared = { repositories, ledger, engine: running, events, config: config.transfers };
      return (base) => transferContext(shared, documentDeps, base);
    },
    routes: (verifier) => documentEndpoints(TRANSFER_SCHEMA, verifier, () => documents!),
  });
  if (config.transfers.worker.enabled) {
    worker = startTransferWorker(engine!, { intervalMs: config.transfers.worker.intervalMs });
  }
  return {
    ...subgraph,
    engine: engine!,
    repository: repository!,
    rail,
    events,
    stop: async () => {
      await worker?.stop();
      await subgraph.stop();
      await events.stop();
      await transport.close();
    },
  };
}
