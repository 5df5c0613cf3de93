import type { MigrationInterface, QueryRunner } from "typeorm";
import { createRowCounter, dropRowCounter } from "../../../../common/db/row-counter-ddl";
import { STATUS_KIND_COUNTER } from "../counters";

/**
 * The exact count of transfers per status and kind, kept by triggers and read without a scan by
 * `totalCount` (decision 0043). Filled from the rows already there while writes go on. Replaced
 * by counts per amount decade too in 1732370000000.
 */
export class ListCounts1732360000000 implements MigrationInterface {
  name = "ListCounts1732360000000";
  // Writes go on while it counts: the triggers commit first (createRowCounter).
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await createRowCounter(db, STATUS_KIND_COUNTER);
  }

  async down(db: QueryRunner): Promise<void> {
    await dropRowCounter(db, STATUS_KIND_COUNTER);
  }
}
