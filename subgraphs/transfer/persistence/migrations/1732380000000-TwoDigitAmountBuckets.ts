import type { MigrationInterface, QueryRunner } from "typeorm";
import { createRowCounter, dropRowCounter } from "../../../../common/db/row-counter-ddl";
import { LEADING_DIGIT_COUNTER, TWO_DIGIT_COUNTER } from "../counters";

/**
 * The transfer counter keeps the amount in buckets of its two leading significant digits
 * ([250, 260), decision 0051) instead of one ([200, 300), 1732370000000): a bound's rows counted
 * from the table are about ten times fewer, and a bound of two significant digits is an edge.
 * The new counter is filled while writes go on, then the old one is dropped, as 1732370000000
 * did (each trigger statement with a bounded lock wait). Its totals hold ten times the rows, and
 * a range's count reads a bound's bucket's total (any status and kind): an index of the bucket
 * finds it without reading them all. Built after the fill, on a few thousand rows (the roll-up
 * waits for it meanwhile, writers do not).
 */
export class TwoDigitAmountBuckets1732380000000 implements MigrationInterface {
  name = "TwoDigitAmountBuckets1732380000000";
  // A counter filled while writes go on (createRowCounter).
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await createRowCounter(db, TWO_DIGIT_COUNTER);
    await db.query(
      `CREATE INDEX IF NOT EXISTS transfer_amount2_count_bucket_idx ON ${TWO_DIGIT_COUNTER.totals} (amount_bucket)`,
    );
    await dropRowCounter(db, LEADING_DIGIT_COUNTER);
  }

  async down(db: QueryRunner): Promise<void> {
    await createRowCounter(db, LEADING_DIGIT_COUNTER);
    await dropRowCounter(db, TWO_DIGIT_COUNTER); // its index with its totals
  }
}
