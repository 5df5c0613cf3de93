import { AccountRow, EntryRow, PaymentEventRow, PaymentRow, TransactionRow } from "./entities";
import { CreateLedgerSchema1732180000000 } from "./migrations/1732180000000-CreateLedgerSchema";
import { AddBankAccountKinds1732210000000 } from "./migrations/1732210000000-AddBankAccountKinds";
import { PaymentIdempotencyPerClient1732240000000 } from "./migrations/1732240000000-PaymentIdempotencyPerClient";
import { PaymentTransitionContract1732260000000 } from "./migrations/1732260000000-PaymentTransitionContract";
import { AccountActivity1732290000000 } from "./migrations/1732290000000-AccountActivity";
import { ListIndexes1732300000000 } from "./migrations/1732300000000-ListIndexes";
import { PaymentGroups1732310000000 } from "./migrations/1732310000000-PaymentGroups";
import { DailyBalancesAndChecks1732330000000 } from "./migrations/1732330000000-DailyBalancesAndChecks";
import { AccountStepUpAndReconciliation1732340000000 } from "./migrations/1732340000000-AccountStepUpAndReconciliation";
import { ListCounts1732360000000 } from "./migrations/1732360000000-ListCounts";
import { ActivityWatches1732430000000 } from "./migrations/1732430000000-ActivityWatches";

/** The PostgreSQL schema this subgraph owns. */
export const LEDGER_SCHEMA = "ledger";
export const ledgerEntities = [AccountRow, PaymentRow, PaymentEventRow, TransactionRow, EntryRow];
/** In order; a new migration is appended here. */
export const ledgerMigrations = [
  CreateLedgerSchema1732180000000,
  AddBankAccountKinds1732210000000,
  PaymentIdempotencyPerClient1732240000000,
  PaymentTransitionContract1732260000000,
  AccountActivity1732290000000,
  ListIndexes1732300000000,
  PaymentGroups1732310000000,
  DailyBalancesAndChecks1732330000000,
  AccountStepUpAndReconciliation1732340000000,
  ListCounts1732360000000,
  ActivityWatches1732430000000,
];
