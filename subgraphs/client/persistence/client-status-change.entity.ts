import { Field, ObjectType } from "type-graphql";
import { Column, Entity, PrimaryGeneratedColumn } from "typeorm";
import { ClientStatus } from "../domain/enums";

/** One entry of a client's status history. Append-only: a trigger refuses UPDATE and DELETE. */
@ObjectType({ description: "A change of a client's status: who, when, why." })
@Entity({ schema: "client", name: "client_status_change" })
export class ClientStatusChange {
  @PrimaryGeneratedColumn({ type: "bigint" })
  id!: string;

  @Column({ name: "client_id", type: "uuid" })
  clientId!: string;

  @Field(() => ClientStatus, {
    nullable: true,
    description: "Null for the status a client was created with.",
  })
  @Column({ name: "from_status", type: "text", nullable: true })
  from!: ClientStatus | null;

  @Field(() => ClientStatus)
  @Column({ name: "to_status", type: "text" })
  to!: ClientStatus;

  @Field(() => String, { nullable: true })
  @Column({ type: "text", nullable: true })
  reason!: string | null;

  @Field({ description: "The token subject that made the change." })
  @Column({ name: "changed_by", type: "text" })
  changedBy!: string;

  @Field(() => String, { nullable: true })
  @Column({ name: "request_id", type: "text", nullable: true })
  requestId!: string | null;

  @Field()
  @Column({ name: "changed_at", type: "timestamptz", default: () => "now()" })
  changedAt!: Date;
}
