import type { MigrationInterface, QueryRunner } from "typeorm";
import {
  type IndexDefinition,
  replaceIndexesConcurrently,
  restoreReplacedIndexes,
} from "../../../../common/db/indexes";
import { createRowCounter, dropRowCounter } from "../../../../common/db/row-counter-ddl";
import { LEADING_DIGIT_COUNTER, STATUS_KIND_COUNTER } from "../counters";

/**
 * `minAmount`/`maxAmount` without a scan (decision 0046):
 * - the keyset order's index holds the amount too, so a page filtered by an amount reads the
 *   order and checks each amount in the index, fetching only the rows that match;
 * - an index of the amount (with status and kind, for an index-only count under those filters):
 *   the page of a selective range, and the counts of the rows in a bound's power of ten;
 * - the counter keeps transfers per status, kind and power of ten of the amount, replacing the
 *   status x kind counter of 1732360000000 (filled while writes go on, as that one was);
 *   1732380000000 replaces it in turn with buckets of two digits (decision 0051).
 */
const INDEXES: IndexDefinition[] = [
  { name: "transfer_created_amount_idx", on: "transfer.transfer (created_at, id, amount)" },
  { name: "transfer_amount_idx", on: "transfer.transfer (amount) INCLUDE (status, kind)" },
];

const REPLACED: IndexDefinition[] = [
  { name: "transfer_created_idx", on: "transfer.transfer (created_at, id)" },
];

export class AmountRanges1732370000000 implements MigrationInterface {
  name = "AmountRanges1732370000000";
  // Indexes built concurrently, and a counter filled while writes go on (createRowCounter).
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await replaceIndexesConcurrently(db, "transfer", INDEXES, REPLACED);
    await createRowCounter(db, LEADING_DIGIT_COUNTER);
    await dropRowCounter(db, STATUS_KIND_COUNTER);
  }

  async down(db: QueryRunner): Promise<void> {
    await createRowCounter(db, STATUS_KIND_COUNTER);
    await dropRowCounter(db, LEADING_DIGIT_COUNTER);
    await restoreReplacedIndexes(db, "transfer", INDEXES, REPLACED);
  }
}
