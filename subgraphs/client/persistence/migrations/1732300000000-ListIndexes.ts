import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  createIndexesConcurrently,
  createIndexes,
  dropIndexesConcurrently,
  dropIndexes,
  type IndexDefinition,
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

export class ListIndexes1732300000000 implements MigrationInterface {
  name = "ListIndexes1732300000000";
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await createIndexesConcurrently(db, "client", INDEXES);
    await dropIndexesConcurrently(db, "client", ["client_status_idx"]);
  }

  async down(db: QueryRunner): Promise<void> {
    await createIndexes(db, [{ name: "client_status_idx", on: "client.client (status)" }]);
    await dropIndexes(
      db,
      "client",
      INDEXES.map((index) => index.name),
    );
  }
}
