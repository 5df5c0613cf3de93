import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  type IndexDefinition,
  replaceIndexesConcurrently,
  restoreReplacedIndexes,
} from "../../../../common/db/indexes";

/**
 * `accounts` lists client accounts only, in creation order: partial indexes on `kind = 'CLIENT'`
 * for no filter and for each documented equality filter, each holding the keyset order
 * `(created_at, id)`, so a page reads `first + 1` entries and its count is index-only however
 * many accounts there are (decision 0032). `number` is unique already. `transactions` by `kind`
 * gets the same; by payment it has `ledger_transaction_payment_idx`.
 */
const INDEXES: IndexDefinition[] = [
  { name: "account_client_kind_created_idx", on: "ledger.account (created_at, id) WHERE kind = 'CLIENT'" },
  {
    name: "account_client_id_created_idx",
    on: "ledger.account (client_id, created_at, id) WHERE kind = 'CLIENT'",
  },
  {
    name: "account_currency_created_idx",
    on: "ledger.account (currency, created_at, id) WHERE kind = 'CLIENT'",
  },
  { name: "account_status_created_idx", on: "ledger.account (status, created_at, id) WHERE kind = 'CLIENT'" },
  { name: "ledger_transaction_kind_created_idx", on: "ledger.ledger_transaction (kind, created_at, id)" },
];

export class ListIndexes1732300000000 implements MigrationInterface {
  name = "ListIndexes1732300000000";
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await replaceIndexesConcurrently(db, "ledger", INDEXES, []);
  }

  async down(db: QueryRunner): Promise<void> {
    await restoreReplacedIndexes(db, "ledger", INDEXES, []);
  }
}
