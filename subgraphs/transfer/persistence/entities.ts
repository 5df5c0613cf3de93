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
