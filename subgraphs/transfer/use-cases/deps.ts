/**
 * What the transfer use cases work with, per request: who asks, the adapters (ledger, engine)
 * and the repositories. Each use case takes only the part it needs (`Needs<...>`), so its
 * signature lists its dependencies; the GraphQL context holds them all.
 */
import type { Caller } from "../../../common/auth/caller";
import type { TransferConfig } from "../../../common/config";
import type { DocumentService } from "../../../common/documents/service";
import type { TransferEventHub } from "../events/event-hub";
import type { LedgerClient } from "../ledger/ledger-client";
import type { ConfirmationRepository } from "../persistence/confirmation.repository";
import type { TransferHistoryRepository } from "../persistence/history.repository";
import type { QuoteRepository } from "../persistence/quote.repository";
import type { RecipientRepository } from "../persistence/recipient.repository";
import type { ReconciliationRepository } from "../persistence/reconciliation.repository";
import type { TransferLoaders } from "../persistence/loaders";
import type { StepFacts, TransferRepository } from "../persistence/transfer.repository";
import type { Actor, TransferEngine } from "../process/engine";

export interface TransferDeps {
  /** Who asks. */
  caller: Caller;
  /** The request's id, passed on to the ledger and kept in the history. */
  requestId: string;
  transfers: TransferRepository;
  confirmations: ConfirmationRepository;
  recipients: RecipientRepository;
  quotes: QuoteRepository;
  /** The back office's reading of transfers (reconciliation, queued outgoing). */
  reconciliation: ReconciliationRepository;
  /** Transfers' stored status changes. */
  history: TransferHistoryRepository;
  /** Request-scoped batch loaders. */
  loaders: TransferLoaders;
  ledger: LedgerClient;
  /** Runs transfers' steps. */
  engine: TransferEngine;
  /** Committed status changes, live. */
  events: TransferEventHub;
  config: TransferConfig;
  /** The transfers' supporting documents (decision 0034). */
  documents: DocumentService;
}

/** Who asks, and the dependencies `K` a use case needs. */
export type Needs<K extends keyof TransferDeps = never> = Pick<TransferDeps, "caller" | "requestId" | K>;

/** Whoever asks runs the transfer's steps as itself. */
export function actorOf(deps: Needs): Actor {
  return { subject: deps.caller.subject, requestId: deps.requestId };
}

/** What the history records about a change this request makes. */
export function factsOf(deps: Needs, reason: string | null = null): StepFacts {
  return { reason, changedBy: deps.caller.subject, requestId: deps.requestId };
}
