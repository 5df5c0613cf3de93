import type { MigrationInterface, QueryRunner } from "typeorm";
import { createRowCounter, dropRowCounter } from "../../../../common/db/row-counter-ddl";
import { THREE_DIGIT_COUNTER } from "../counters";

/**
 * A second amount counter, transfers per status, kind and three leading significant digits of the
 * amount ([15.5, 15.6), decision 0058), beside the two-digit one (which stays): a range's count
 * reads the bounds' buckets from it, so the rows of a bound counted from the amount index are
 * about ten times fewer. Made and filled while writes go on, as 1732380000000's was; its totals
 * (about eight times the two-digit one's rows) get an index of the bucket, which a count reads by
 * ranges of it, built after the fill.
 */
export class ThreeDigitAmountBuckets1732410000000 implements MigrationInterface {
  name = "ThreeDigitAmountBuckets1732410000000";
  // A counter filled while writes go on (createRowCounter).
  transaction = false;

  async up(db: QueryRunner): Promise<void> {
    await createRowCounter(db, THREE_DIGIT_COUNTER);
    await db.query(
      `CREATE INDEX IF NOT EXISTS transfer_amount3_count_bucket_idx ON ${THREE_DIGIT_COUNTER.totals} (amount_bucket)`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await dropRowCounter(db, THREE_DIGIT_COUNTER); // its index with its totals
  }
}
