import type { MigrationInterface, QueryRunner } from "typeorm";

/**
 * A move that takes a transfer away from its parties (an assigned incoming transfer whose credit
 * the account refused goes back to suspense, owned by nobody) is still heard by those who heard
 * the transfer's previous event: without it the client would see ASSIGNING and never learn how it
 * ended. An event's parties are the transfer's after the move, or, when the move left it with no
 * client, the parties of its previous event (decision 0026).
 */
export class EventPartiesOfAnEndedClaim1732270000000 implements MigrationInterface {
  name = "EventPartiesOfAnEndedClaim1732270000000";

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION transfer.event_parties() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT client_id, counter_client_id, account_id, counter_account_id
          INTO NEW.client_id, NEW.counter_client_id, NEW.account_id, NEW.counter_account_id
          FROM transfer.transfer WHERE id = NEW.transfer_id;
        IF NEW.client_id IS NULL AND NEW.counter_client_id IS NULL THEN
          SELECT client_id, counter_client_id, account_id, counter_account_id
            INTO NEW.client_id, NEW.counter_client_id, NEW.account_id, NEW.counter_account_id
            FROM transfer.transfer_event
           WHERE transfer_id = NEW.transfer_id AND sequence < NEW.sequence
           ORDER BY sequence DESC LIMIT 1;
        END IF;
        RETURN NEW;
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE OR REPLACE FUNCTION transfer.event_parties() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT client_id, counter_client_id, account_id, counter_account_id
          INTO NEW.client_id, NEW.counter_client_id, NEW.account_id, NEW.counter_account_id
          FROM transfer.transfer WHERE id = NEW.transfer_id;
        RETURN NEW;
      END $$`);
  }
}
