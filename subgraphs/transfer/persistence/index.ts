import type { DataSource } from "typeorm";
import { ConfirmationRepository } from "./confirmation.repository";
import {
  ConfirmationRow,
  EventLogRow,
  FxQuoteRow,
  RecipientRow,
  TransferEventRow,
  TransferRow,
} from "./entities";
import { TransferHistoryRepository } from "./history.repository";
import { CreateTransferSchema1732190000000 } from "./migrations/1732190000000-CreateTransferSchema";
import { CreateTransfers1732200000000 } from "./migrations/1732200000000-CreateTransfers";
import { TransferProcesses1732220000000 } from "./migrations/1732220000000-TransferProcesses";
import { TransferEventNotify1732230000000 } from "./migrations/1732230000000-TransferEventNotify";
import { TransferIdempotencyPerClient1732250000000 } from "./migrations/1732250000000-TransferIdempotencyPerClient";
import { BothSidesOfAMovement1732260000000 } from "./migrations/1732260000000-BothSidesOfAMovement";
import { EventPartiesOfAnEndedClaim1732270000000 } from "./migrations/1732270000000-EventPartiesOfAnEndedClaim";
import { CommitOrderedEventLog1732280000000 } from "./migrations/1732280000000-CommitOrderedEventLog";
import { ListIndexes1732300000000 } from "./migrations/1732300000000-ListIndexes";
import { TransferDocuments1732320000000 } from "./migrations/1732320000000-TransferDocuments";
import { ReconciliationAndTreasuryIndexes1732340000000 } from "./migrations/1732340000000-ReconciliationAndTreasuryIndexes";
import { ListCounts1732360000000 } from "./migrations/1732360000000-ListCounts";
import { AmountRanges1732370000000 } from "./migrations/1732370000000-AmountRanges";
import { TwoDigitAmountBuckets1732380000000 } from "./migrations/1732380000000-TwoDigitAmountBuckets";
import { EventLogCommitTimes1732390000000 } from "./migrations/1732390000000-EventLogCommitTimes";
import { CoveringAmountIndex1732400000000 } from "./migrations/1732400000000-CoveringAmountIndex";
import { ThreeDigitAmountBuckets1732410000000 } from "./migrations/1732410000000-ThreeDigitAmountBuckets";
import { QuoteRepository } from "./quote.repository";
import { ReconciliationRepository } from "./reconciliation.repository";
import { RecipientRepository } from "./recipient.repository";
import { TransferRepository } from "./transfer.repository";

/** The PostgreSQL schema this subgraph owns. */
export const TRANSFER_SCHEMA = "transfer";
export const transferEntities = [
  RecipientRow,
  TransferRow,
  TransferEventRow,
  EventLogRow,
  ConfirmationRow,
  FxQuoteRow,
];
/** In order; a new migration is appended here. */
export const transferMigrations = [
  CreateTransferSchema1732190000000,
  CreateTransfers1732200000000,
  TransferProcesses1732220000000,
  TransferEventNotify1732230000000,
  TransferIdempotencyPerClient1732250000000,
  BothSidesOfAMovement1732260000000,
  EventPartiesOfAnEndedClaim1732270000000,
  CommitOrderedEventLog1732280000000,
  ListIndexes1732300000000,
  TransferDocuments1732320000000,
  ReconciliationAndTreasuryIndexes1732340000000,
  ListCounts1732360000000,
  AmountRanges1732370000000,
  TwoDigitAmountBuckets1732380000000,
  EventLogCommitTimes1732390000000,
  CoveringAmountIndex1732400000000,
  ThreeDigitAmountBuckets1732410000000,
];

/** The subgraph's repositories, one per aggregate, over one data source. */
export function createTransferRepositories(db: DataSource) {
  return {
    transfers: new TransferRepository(db),
    recipients: new RecipientRepository(db),
    confirmations: new ConfirmationRepository(db),
    quotes: new QuoteRepository(db),
    history: new TransferHistoryRepository(db),
    reconciliation: new ReconciliationRepository(db),
  };
}
