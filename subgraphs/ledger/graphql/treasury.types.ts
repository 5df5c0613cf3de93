/** GraphQL types of the bank's own view of its books (decision 0038). */
import { Directive, Field, ID, Int, ObjectType } from "type-graphql";
import { Connection } from "../../../common/graphql/pagination";

@Directive('@key(fields: "currency")')
@ObjectType({
  description:
    "The bank's books in one currency now, as decimal strings in that currency (the bank's view: what it owes is positive). The transfer subgraph adds the outgoing transfers queued for the rail.",
})
export class TreasuryPosition {
  @Field({ description: "ISO 4217 code." }) currency!: string;
  @Field({ description: "The settlement account: minus what the bank holds at the rail." })
  settlement!: string;
  @Field({ description: "The suspense account: incoming money waiting for its beneficiary." })
  suspense!: string;
  @Field({ description: "The FX position account: positive long, negative short." }) fxPosition!: string;
  @Field(() => String, {
    nullable: true,
    description: "fxPosition valued in the reporting currency at the mid rate; null without a rate.",
  })
  fxExposure!: string | null;
  @Field({ description: "Posted balances of all client accounts." }) clientBalances!: string;
  @Field({ description: "Held by PENDING payments on client accounts." }) clientHeld!: string;
  @Field(() => Int, { description: "Client accounts not closed." }) clientAccounts!: number;
  @Field({ description: "Every account of the currency sums to zero (double entry)." }) balanced!: boolean;
}

@ObjectType({
  description: "The bank's positions per currency and its FX exposure in one reporting currency.",
})
export class TreasurySummary {
  @Field() reportingCurrency!: string;
  @Field() asOf!: Date;
  @Field(() => [TreasuryPosition]) positions!: TreasuryPosition[];
  @Field({ description: "Sum of the valued FX positions (long minus short), in the reporting currency." })
  fxExposureNet!: string;
  @Field({ description: "Sum of their absolute values, in the reporting currency." })
  fxExposureGross!: string;
}

@ObjectType({ description: "One entry on a settlement account, with the transfer its payment names." })
export class SettlementMovement {
  @Field(() => ID) entryId!: string;
  @Field(() => ID) transactionId!: string;
  @Field(() => ID, { nullable: true }) paymentId!: string | null;
  @Field(() => ID, { nullable: true, description: "The payment's metadata transferId, if any." })
  transferId!: string | null;
  @Field() currency!: string;
  @Field({ description: "From the settlement account's side: positive when money leaves the bank." })
  amount!: string;
  @Field(() => String, { nullable: true }) description!: string | null;
  @Field() bookedAt!: Date;
  /** The keyset position: `bookedAt` and `entryId`. */
  createdAt!: Date;
  id!: string;
}

@ObjectType({ description: "A page of settlement movements, in booking order." })
export class SettlementMovementConnection extends Connection(SettlementMovement) {}
