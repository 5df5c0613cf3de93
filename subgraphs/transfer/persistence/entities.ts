import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";

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
  @Column({ name: "client_id", type: "uuid" }) clientId!: string;
  @Column({ name: "account_id", type: "uuid" }) accountId!: string;
  @Column({ name: "counter_account_id", type: "uuid", nullable: true }) counterAccountId!: string | null;
  /** A decimal with the currency's exponent, as the ledger formatted it (numeric keeps the scale). */
  @Column({ type: "numeric" }) amount!: string;
  @Column({ type: "char", length: 3 }) currency!: string;
  @Column({ type: "varchar", length: 140, nullable: true }) reference!: string | null;
  @Column({ name: "payment_id", type: "uuid", nullable: true }) paymentId!: string | null;
  @Column({ name: "failure_code", type: "text", nullable: true }) failureCode!: string | null;
  @Column({ name: "idempotency_scope", type: "text" }) idempotencyScope!: string;
  @Column({ name: "idempotency_key", type: "varchar", length: 200 }) idempotencyKey!: string;
  @Column({ name: "request_hash", type: "text" }) requestHash!: string;
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
}
