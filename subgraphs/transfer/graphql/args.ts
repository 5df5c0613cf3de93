/** The argument sets of the transfer subgraph's fields (inputs of one object are in inputs.ts). */
import { IsISO4217CurrencyCode, IsOptional, IsUUID, Matches } from "class-validator";
import { ArgsType, Field, ID } from "type-graphql";
import { MaxChars, MinChars } from "../../../common/validation";
import { AmountField, InternalTransferInput, OutgoingTransferInput } from "./inputs";

@ArgsType()
export class IdempotencyArgs {
  @Field({
    description:
      "Kept per client the transfer is for, whoever asks: the same key and request return the first transfer; another request is refused (IDEMPOTENCY_KEY_REUSED).",
  })
  @MinChars(1)
  @MaxChars(200)
  idempotencyKey!: string;
}

@ArgsType()
export class CreateInternalTransferArgs extends IdempotencyArgs {
  @Field(() => InternalTransferInput) input!: InternalTransferInput;
}

@ArgsType()
export class CreateOutgoingTransferArgs extends IdempotencyArgs {
  @Field(() => OutgoingTransferInput) input!: OutgoingTransferInput;
}

@ArgsType()
export class CreateFxTransferArgs extends IdempotencyArgs {
  @Field(() => ID) @IsUUID() quoteId!: string;
}

@ArgsType()
export class CodeArgs {
  @Field(() => ID) id!: string;

  @Field({ description: "The six-digit one-time code the client received." })
  @Matches(/^\d{6}$/)
  code!: string;
}

@ArgsType()
export class FxQuoteArgs {
  @Field(() => ID) @IsUUID() sourceAccountId!: string;
  @Field(() => ID) @IsUUID() targetAccountId!: string;

  @AmountField("The source amount, a decimal string in the source currency.")
  amount!: string;
}

@ArgsType()
export class TransferTypeArgs {
  @Field({ description: "A 12-digit account number of this bank, or an IBAN (spaces and case ignored)." })
  @MinChars(1)
  @MaxChars(42)
  recipientAccountNumber!: string;

  @Field({ description: "ISO 4217 code." })
  @IsISO4217CurrencyCode()
  currency!: string;
}

@ArgsType()
export class StatusChangedArgs {
  @Field(() => ID, { nullable: true }) @IsOptional() @IsUUID() transferId?: string | null;
  @Field(() => ID, { nullable: true, description: "Front office: always its own client." })
  @IsOptional()
  @IsUUID()
  clientId?: string | null;
  @Field(() => ID, { nullable: true, description: "Debited or credited." })
  @IsOptional()
  @IsUUID()
  accountId?: string | null;
  @Field(() => ID, {
    nullable: true,
    description:
      "With transferId: first the events after this sequence number, then live ones (no gap, no duplicate).",
  })
  afterSequence?: string | null;
}
