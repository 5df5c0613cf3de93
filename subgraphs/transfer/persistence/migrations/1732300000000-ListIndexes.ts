import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  type IndexDefinition,
  replaceIndexesConcurrently,
  restoreReplacedIndexes,
} from "../../../../common/db/indexes";

/**
 * Every documented equality filter of `transfers` gets an index that also holds the keyset order
 * `(created_at, id)`, so a page reads `first + 1` entries and its count is index-only, however
 * many transfers there are (decision 0032). `accountId` matches either side of a transfer, so
 * both account columns have one (PostgreSQL ORs the two). `from`/`to` are ranges of the order
 * itself (`transfer_created_idx`); the amount bounds filter what those indexes return.
 * `(client_id, created_at, id)` and `(account_id, created_at, id)` replace the indexes without `id`.
 */
const INDEXES: IndexDefinition[] = [
  { name: "transfer_status_created_idx", on: "transfer.transfer (status, created_at, id)" },
  { name: "transfer_kind_created_idx", on: "transfer.transfer (kind, created_at, id)" },
  { name: "transfer_client_created_idx", on: "transfer.transfer (client_id, created_at, id)" },
  { name: "transfer_account_created_idx", on: "transfer.transfer (account_id, created_at, id)" },
  {
    name: "transfer_counter_account_created_idx",
    on: "transfer.transfer (counter_account_id, created_at, id)",
  },
];

const REPLACED: IndexDefinition[] = [
  { name: "transfer_client_idx", on: "transfer.transfer (client_id, created_at)" },
  { name: "transfer_account_idx", on: "transfer.transfer (account_id, created_at)" },
];

export class ListIndexes1732300000000 implements MigrationInterface {
  name = "ListIndexes1732300000000";
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await replaceIndexesConcurrently(db, "transfer", INDEXES, REPLACED);
  }

  async down(db: QueryRunner): Promise<void> {
    await restoreReplacedIndexes(db, "transfer", INDEXES, REPLACED);
  }
}
