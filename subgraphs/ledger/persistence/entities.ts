/**
 * Ledger rows. Money columns are bigint minor units, read as strings (never JavaScript
 * numbers) and formatted with the currency's exponent by the GraphQL layer.
 */
import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from "typeorm";
import { AccountKind, AccountStatus } from "../domain/account-status";
import { PaymentStatus } from "../domain/payment-status";

@Entity({ schema: "ledger", name: "account" })
export class AccountRow {
  @PrimaryGeneratedColumn("uuid") id!: string;
  @Column({ type: "varchar", length: 34 }) number!: string;
  @Column({ type: "text" }) kind!: AccountKind;
  @Column({ name: "client_id", type: "uuid", nullable: true }) clientId!: string | null;
  @Column({ type: "char", length: 3 }) currency!: string;
  @Column({ type: "varchar", length: 100 }) name!: string;
  @Column({ type: "text" }) status!: AccountStatus;
  @Column({ name: "overdraft_limit", type: "bigint" }) overdraftLimit!: string;
  @Column({ type: "integer" }) position!: number;
  @Column({ type: "bigint" }) posted!: string;
  @Column({ type: "bigint" }) pending!: string;
  /** The last account activity its balances include (migration 1732290000000). */
  @Column({ name: "activity_sequence", type: "bigint" }) activitySequence!: string;
  @Column({ name: "created_at", type: "timestamptz", precision: 3 }) createdAt!: Date;
  @Column({ name: "updated_at", type: "timestamptz", precision: 3 }) updatedAt!: Date;
}

@Entity({ schema: "ledger", name: "payment" })
export class PaymentRow {
  @PrimaryColumn("uuid") id!: string;
  @Column({ name: "idempotency_scope", type: "text" }) idempotencyScope!: string;
  @Column({ name: "idempotency_key", type: "varchar", length: 200 }) idempotencyKey!: string;
  @Column({ name: "request_hash", type: "text" }) requestHash!: string;
  @Column({ name: "debit_account_id", type: "uuid" }) debitAccountId!: string;
  @Column({ name: "credit_account_id", type: "uuid" }) creditAccountId!: string;
  @Column({ type: "bigint" }) amount!: string;
  @Column({ type: "char", length: 3 }) currency!: string;
  @Column({ type: "varchar", length: 500 }) description!: string;
  @Column({ type: "jsonb", nullable: true }) metadata!: Record<string, unknown> | null;
  @Column({ type: "text" }) status!: PaymentStatus;
  @Column({ name: "created_by", type: "text" }) createdBy!: string;
  @Column({ name: "created_at", type: "timestamptz", precision: 3 }) createdAt!: Date;
  @Column({ name: "updated_at", type: "timestamptz", precision: 3 }) updatedAt!: Date;
}

@Entity({ schema: "ledger", name: "payment_event" })
export class PaymentEventRow {
  @PrimaryGeneratedColumn({ type: "bigint" }) id!: string;
  @Column({ name: "payment_id", type: "uuid" }) paymentId!: string;
  @Column({ name: "from_status", type: "text", nullable: true }) from!: PaymentStatus | null;
  @Column({ name: "to_status", type: "text" }) to!: PaymentStatus;
  @Column({ name: "changed_by", type: "text" }) changedBy!: string;
  @Column({ name: "request_id", type: "text", nullable: true }) requestId!: string | null;
  @Column({ name: "changed_at", type: "timestamptz", precision: 3 }) changedAt!: Date;
}

@Entity({ schema: "ledger", name: "ledger_transaction" })
export class TransactionRow {
  @PrimaryGeneratedColumn("uuid") id!: string;
  @Column({ name: "payment_id", type: "uuid", nullable: true }) paymentId!: string | null;
  @Column({ type: "text" }) kind!: "IMMEDIATE" | "POST";
  @Column({ name: "created_at", type: "timestamptz", precision: 3 }) createdAt!: Date;
}

@Entity({ schema: "ledger", name: "entry" })
export class EntryRow {
  @PrimaryGeneratedColumn({ type: "bigint" }) id!: string;
  @Column({ name: "transaction_id", type: "uuid" }) transactionId!: string;
  @Column({ name: "account_id", type: "uuid" }) accountId!: string;
  @Column({ type: "char", length: 3 }) currency!: string;
  @Column({ type: "bigint" }) amount!: string;
  @Column({ name: "balance_after", type: "bigint" }) balanceAfter!: string;
}
