import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import type { TransferFailureCode } from "../domain/failure-codes";

/** A beneficiary at another bank that a client pays. Never deleted: hidden ones stay for past transfers. */
@Entity({ schema: "transfer", name: "recipient" })
export class RecipientRow {
  @PrimaryGeneratedColumn("uuid") id!: string;
  @Column({ name: "client_id", type: "uuid" }) clientId!: string;
  @Column({ type: "varchar", length: 140 }) name!: string;
  @Column({ type: "varchar", length: 34 }) iban!: string;
  @Column({ type: "varchar", length: 11, nullable: true }) bic!: string | null;
  @Column({ type: "char", length: 3 }) currency!: string;
  @Column({ type: "char", length: 2 }) country!: string;
  @Column({ type: "boolean" }) visible!: boolean;
  @Column({ name: "created_at", type: "timestamptz", precision: 3 }) createdAt!: Date;
  @Column({ name: "updated_at", type: "timestamptz", precision: 3 }) updatedAt!: Date;
}

/** A transfer: the customer-facing process over ledger payments. */
@Entity({ schema: "transfer", name: "transfer" })
export class TransferRow {
  @PrimaryGeneratedColumn("uuid") id!: string;
  @Column({ type: "text" }) kind!: string;
  @Column({ type: "text" }) status!: string;
  /** The rail (TransferType) that carries it; INTERNAL for internal and FX transfers. */
  @Column({ type: "text" }) type!: string;
  /** Null only for an incoming transfer no account matched (UNRECOGNIZED) until it is assigned. */
  @Column({ name: "client_id", type: "uuid", nullable: true }) clientId!: string | null;
  /** The account debited (outgoing, internal, FX source) or credited (incoming). */
  @Column({ name: "account_id", type: "uuid", nullable: true }) accountId!: string | null;
  /** The account credited (internal; the target of an FX transfer). */
  @Column({ name: "counter_account_id", type: "uuid", nullable: true }) counterAccountId!: string | null;
  /** The client credited when it is another client (an internal transfer to someone else's account). */
  @Column({ name: "counter_client_id", type: "uuid", nullable: true }) counterClientId!: string | null;
  @Column({ name: "recipient_id", type: "uuid", nullable: true }) recipientId!: string | null;
  /** The other bank's customer: the recipient (outgoing) or the sender (incoming). */
  @Column({ name: "counterparty_name", type: "varchar", length: 140, nullable: true })
  counterpartyName!: string | null;
  @Column({ name: "counterparty_iban", type: "varchar", length: 34, nullable: true })
  counterpartyIban!: string | null;
  /** Incoming: the beneficiary account number the sender gave. */
  @Column({ name: "account_number", type: "varchar", length: 34, nullable: true })
  accountNumber!: string | null;
  /** Outgoing: the rail's reference once it has the transfer. */
  @Column({ name: "rail_reference", type: "text", nullable: true }) railReference!: string | null;
  @Column({ name: "quote_id", type: "uuid", nullable: true }) quoteId!: string | null;
  @Column({ name: "target_amount", type: "numeric", nullable: true }) targetAmount!: string | null;
  @Column({ name: "target_currency", type: "char", length: 3, nullable: true }) targetCurrency!:
    string | null;
  @Column({ type: "numeric", nullable: true }) rate!: string | null;
  /** A decimal with the currency's exponent, as the ledger formatted it (numeric keeps the scale). */
  @Column({ type: "numeric" }) amount!: string;
  @Column({ type: "char", length: 3 }) currency!: string;
  @Column({ type: "varchar", length: 140, nullable: true }) reference!: string | null;
  @Column({ name: "payment_id", type: "uuid", nullable: true }) paymentId!: string | null;
  @Column({ name: "failure_code", type: "text", nullable: true }) failureCode!: TransferFailureCode | null;
  @Column({ name: "idempotency_scope", type: "text" }) idempotencyScope!: string;
  @Column({ name: "idempotency_key", type: "varchar", length: 200 }) idempotencyKey!: string;
  @Column({ name: "request_hash", type: "text" }) requestHash!: string;
  @Column({ name: "next_run_at", type: "timestamptz", precision: 3 }) nextRunAt!: Date;
  @Column({ name: "lease_until", type: "timestamptz", precision: 3, nullable: true })
  leaseUntil!: Date | null;
  @Column({ name: "lease_owner", type: "text", nullable: true }) leaseOwner!: string | null;
  @Column({ type: "integer" }) attempts!: number;
  @Column({ name: "last_error", type: "text", nullable: true }) lastError!: string | null;
  @Column({ name: "created_at", type: "timestamptz", precision: 3 }) createdAt!: Date;
  @Column({ name: "updated_at", type: "timestamptz", precision: 3 }) updatedAt!: Date;
}

/** One step of a transfer's history. Append-only. */
@Entity({ schema: "transfer", name: "transfer_event" })
export class TransferEventRow {
  @PrimaryGeneratedColumn({ type: "bigint" }) id!: string;
  @Column({ name: "transfer_id", type: "uuid" }) transferId!: string;
  @Column({ type: "integer" }) sequence!: number;
  @Column({ name: "from_status", type: "text", nullable: true }) from!: string | null;
  @Column({ name: "to_status", type: "text" }) to!: string;
  @Column({ type: "text", nullable: true }) reason!: string | null;
  @Column({ name: "changed_by", type: "text" }) changedBy!: string;
  @Column({ name: "request_id", type: "text", nullable: true }) requestId!: string | null;
  @Column({ name: "changed_at", type: "timestamptz", precision: 3 }) changedAt!: Date;
  /**
   * The transfer's parties when this change was written (copied by a trigger, never by a writer):
   * whose subscriptions it reaches, live and replayed.
   */
  @Column({ name: "client_id", type: "uuid", nullable: true, insert: false, update: false })
  clientId!: string | null;
  @Column({ name: "counter_client_id", type: "uuid", nullable: true, insert: false, update: false })
  counterClientId!: string | null;
  @Column({ name: "account_id", type: "uuid", nullable: true, insert: false, update: false })
  accountId!: string | null;
  @Column({ name: "counter_account_id", type: "uuid", nullable: true, insert: false, update: false })
  counterAccountId!: string | null;
}

/**
 * A status event's place in the commit-ordered log (decision 0028): positions are handed out as
 * transactions commit, so every reader sees a prefix. Written only by the database's trigger.
 */
@Entity({ schema: "transfer", name: "event_log" })
export class EventLogRow {
  @PrimaryColumn({ type: "bigint" }) position!: string;
  @Column({ name: "event_id", type: "bigint" }) eventId!: string;
  /** When the trigger logged it, just before its commit's WAL flush; null for events logged before this was kept. */
  @Column({ name: "logged_at", type: "timestamptz", nullable: true }) loggedAt!: Date | null;
}

/** A one-time code sent to the client to confirm an outgoing transfer; only its HMAC is kept. */
@Entity({ schema: "transfer", name: "confirmation" })
export class ConfirmationRow {
  @PrimaryGeneratedColumn("uuid") id!: string;
  @Column({ name: "transfer_id", type: "uuid" }) transferId!: string;
  @Column({ name: "code_hash", type: "text" }) codeHash!: string;
  /** OPEN, USED, VOIDED (a new code was sent, or the transfer cancelled) or LOCKED (too many wrong codes). */
  @Column({ type: "text" }) status!: string;
  @Column({ type: "integer" }) attempts!: number;
  @Column({ name: "max_attempts", type: "integer" }) maxAttempts!: number;
  @Column({ name: "expires_at", type: "timestamptz", precision: 3 }) expiresAt!: Date;
  @Column({ name: "created_at", type: "timestamptz", precision: 3 }) createdAt!: Date;
  @Column({ name: "closed_at", type: "timestamptz", precision: 3, nullable: true }) closedAt!: Date | null;
}

/** A quoted exchange rate, good until `expiresAt` for one FX transfer. */
@Entity({ schema: "transfer", name: "fx_quote" })
export class FxQuoteRow {
  @PrimaryGeneratedColumn("uuid") id!: string;
  @Column({ name: "client_id", type: "uuid" }) clientId!: string;
  @Column({ name: "source_account_id", type: "uuid" }) sourceAccountId!: string;
  @Column({ name: "target_account_id", type: "uuid" }) targetAccountId!: string;
  @Column({ name: "source_currency", type: "char", length: 3 }) sourceCurrency!: string;
  @Column({ name: "target_currency", type: "char", length: 3 }) targetCurrency!: string;
  @Column({ name: "source_amount", type: "numeric" }) sourceAmount!: string;
  @Column({ name: "target_amount", type: "numeric" }) targetAmount!: string;
  @Column({ name: "mid_rate", type: "numeric" }) midRate!: string;
  @Column({ type: "numeric" }) rate!: string;
  @Column({ name: "spread_bps", type: "integer" }) spreadBps!: number;
  @Column({ name: "expires_at", type: "timestamptz", precision: 3 }) expiresAt!: Date;
  @Column({ name: "created_at", type: "timestamptz", precision: 3 }) createdAt!: Date;
}
