/** GraphQL types of the back office's reports over transfers (decision 0038). */
import { Directive, Field, ID, Int, ObjectType } from "type-graphql";
import { TransferKind, TransferStatus } from "../domain/transfer-status";

@ObjectType({ description: "An entry on the settlement account, as the ledger booked it." })
export class SettlementEntry {
  @Field(() => ID) entryId!: string;
  @Field(() => ID, { nullable: true }) paymentId!: string | null;
  @Field(() => ID, { nullable: true, description: "The transfer its payment names, if any." })
  transferId!: string | null;
  @Field({ description: "From the settlement account's side: positive when money leaves the bank." })
  amount!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field() bookedAt!: Date;
}

@ObjectType({ description: "A settlement entry no transfer expects." })
export class UnmatchedSettlementEntry extends SettlementEntry {
  @Field(() => TransferStatus, {
    nullable: true,
    description:
      "The status of the transfer it names, when it names one that expects no settlement movement.",
  })
  transferStatus!: TransferStatus | null;
}

@ObjectType({ description: "A settlement movement the orchestrator expects for a transfer." })
export class ExpectedSettlement {
  @Field(() => ID) transferId!: string;
  @Field(() => TransferKind) kind!: TransferKind;
  @Field(() => TransferStatus) status!: TransferStatus;
  @Field({ description: "Signed as the settlement account sees it: + outgoing, - incoming." })
  amount!: string;
  @Field({ description: "When the orchestrator recorded the step that books it." }) settledAt!: Date;
}

@ObjectType({ description: "A transfer and the one settlement entry that books it, with the same amount." })
export class MatchedSettlement extends ExpectedSettlement {
  @Field(() => SettlementEntry) entry!: SettlementEntry;
}

@ObjectType({ description: "A transfer whose settlement entries differ from what it moved." })
export class SettlementDifference extends ExpectedSettlement {
  @Field({ description: "The sum of its entries." }) bookedAmount!: string;
  @Field({ description: "bookedAmount - amount." }) difference!: string;
  @Field(() => [SettlementEntry]) entries!: SettlementEntry[];
}

@ObjectType({
  description:
    "A settlement account's movements in [from, to) matched one to one with the transfers that sent money to and received it from the rail.",
})
export class ReconciliationReport {
  @Field() currency!: string;
  @Field() from!: Date;
  @Field() to!: Date;
  @Field({ description: "Sum of the settlement entries booked in the period." }) bookedTotal!: string;
  @Field(() => Int, { description: "Settlement entries booked in the period." }) entryCount!: number;
  @Field(() => [MatchedSettlement]) matched!: MatchedSettlement[];
  @Field(() => [SettlementDifference]) differences!: SettlementDifference[];
  @Field(() => [ExpectedSettlement], {
    description: "Expected by the orchestrator, not booked by the ledger.",
  })
  unmatchedTransfers!: ExpectedSettlement[];
  @Field(() => [UnmatchedSettlementEntry], { description: "Booked by the ledger, expected by no transfer." })
  unmatchedEntries!: UnmatchedSettlementEntry[];
}

@ObjectType({ description: "Outgoing transfers confirmed and not yet accepted by the rail." })
export class QueuedTransfers {
  @Field(() => Int) count!: number;
  @Field({ description: "Their total, in the currency." }) amount!: string;
}

/** The ledger's treasury position of a currency, extended here with what waits for the rail. */
@Directive('@key(fields: "currency")')
@ObjectType()
export class TreasuryPosition {
  @Field() currency!: string;
}
