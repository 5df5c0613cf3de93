import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Connection } from "../../../common/graphql/pagination";
import { TransferKind, TransferStatus } from "../domain/transfer-status";

export function registerTransferEnums(): void {
  registerEnumType(TransferKind, { name: "TransferKind" });
  registerEnumType(TransferStatus, { name: "TransferStatus" });
}

/** The ledger's account, extended here with its transfers; the ledger resolves its other fields. */
@Directive('@key(fields: "id")')
@ObjectType()
export class Account {
  @Field(() => ID) id!: string;
}

/** The client subgraph's client, extended here with its transfers. */
@Directive('@key(fields: "id")')
@ObjectType()
export class Client {
  @Field(() => ID) id!: string;
}

@ObjectType({
  description: "One step of a transfer: every status change with its sequence number, time and cause.",
})
export class TransferEvent {
  @Field(() => Int, { description: "1, 2, 3... per transfer, with no gap." }) sequence!: number;
  @Field(() => TransferStatus, { nullable: true }) from!: TransferStatus | null;
  @Field(() => TransferStatus) to!: TransferStatus;
  @Field(() => String, { nullable: true, description: "Why, e.g. the ledger's error code on failure." })
  reason!: string | null;
  @Field({ description: "Who or what caused it (a token subject)." }) changedBy!: string;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field() changedAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A customer's transfer: a recorded, resumable process over ledger payments." })
export class Transfer {
  @Field(() => ID) id!: string;
  @Field(() => TransferKind) kind!: TransferKind;
  @Field(() => TransferStatus) status!: TransferStatus;
  @Field(() => ID) clientId!: string;
  @Field(() => ID, { description: "The account debited." }) accountId!: string;
  @Field(() => ID, { nullable: true, description: "The account credited (internal transfers)." })
  counterAccountId!: string | null;
  @Field({ description: "Decimal string in the currency." }) amount!: string;
  @Field() currency!: string;
  @Field(() => String, { nullable: true }) reference!: string | null;
  @Field(() => ID, { nullable: true, description: "The ledger payment it drives." }) paymentId!:
    string | null;
  @Field(() => String, { nullable: true, description: "The error code that failed it." }) failureCode!:
    string | null;
  @Field() idempotencyKey!: string;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType({ description: "A page of transfers." })
export class TransferConnection extends Connection(Transfer) {}
