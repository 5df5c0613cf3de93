import type { Config } from "../../common/config";
import type { Caller } from "../../common/auth/caller";
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
import { TRANSFER_COUNTERS } from "./persistence/counters";
import { createTransferLoaders, type TransferLoaders } from "./persistence/loaders";
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
 * time was 2% of a transfer list's CPU. The loaders (six DataLoaders) and the documents'
 * service are made when first asked for: a list uses neither (decision 0050).
 */
class TransferRequest implements TransferContext {
  readonly transfers: TransferContext["transfers"];
  readonly confirmations: TransferContext["confirmations"];
  readonly recipients: TransferContext["recipients"];
  readonly quotes: TransferContext["quotes"];
  readonly reconciliation: TransferContext["reconciliation"];
  readonly history: TransferContext["history"];
  readonly ledger: TransferContext["ledger"];
  readonly engine: TransferContext["engine"];
  readonly events: TransferContext["events"];
  readonly config: TransferContext["config"];
  private loadersMade?: TransferLoaders;
  private documentsMade?: DocumentService;

  constructor(
    private readonly shared: SharedParts,
    private readonly documentDeps: DocumentDeps,
    readonly caller: Caller,
    readonly requestId: string,
  ) {
    const { repositories } = shared;
    this.transfers = repositories.transfers;
    this.confirmations = repositories.confirmations;
    this.recipients = repositories.recipients;
    this.quotes = repositories.quotes;
    this.reconciliation = repositories.reconciliation;
    this.history = repositories.history;
    this.ledger = shared.ledger;
    this.engine = shared.engine;
    this.events = shared.events;
    this.config = shared.config;
  }

  get loaders(): TransferLoaders {
    return (this.loadersMade ??= createTransferLoaders(this.shared.repositories));
  }

  get documents(): DocumentService {
    return (this.documentsMade ??= new DocumentService(this.documentDeps, this.caller, this.requestId));
  }
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
    counters: TRANSFER_COUNTERS,
    listen: config.subgraphs.transfer,
    buildSchema: buildTransferSchema,
    prepare: async (dataSource, metrics) => {
      await events.start(databaseUrl);
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
      return ({ caller, requestId }) => new TransferRequest(shared, documentDeps, caller, requestId);
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
