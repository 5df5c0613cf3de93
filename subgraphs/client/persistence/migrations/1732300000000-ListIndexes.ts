import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  type IndexDefinition,
  replaceIndexesConcurrently,
  restoreReplacedIndexes,
} from "../../../../common/db/indexes";

/**
 * Every documented equality filter of `clients` gets an index that also holds the keyset order
 * `(created_at, id)`, so a page reads `first + 1` entries and its count is index-only, however
 * many clients there are (decision 0032). `(status, created_at, id)` replaces `(status)`.
 * `search` (a substring of names, email, external id) is not index-backed.
 */
const INDEXES: IndexDefinition[] = [
  { name: "client_status_created_idx", on: "client.client (status, created_at, id)" },
  { name: "client_type_created_idx", on: "client.client (type, created_at, id)" },
  { name: "client_risk_level_created_idx", on: "client.client (risk_level, created_at, id)" },
];

const REPLACED: IndexDefinition[] = [{ name: "client_status_idx", on: "client.client (status)" }];

export class ListIndexes1732300000000 implements MigrationInterface {
  name = "ListIndexes1732300000000";
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await replaceIndexesConcurrently(db, "client", INDEXES, REPLACED);
  }

  async down(db: QueryRunner): Promise<void> {
    await restoreReplacedIndexes(db, "client", INDEXES, REPLACED);
  }
}
