/** The input objects and argument sets of the transfer subgraph's fields, with their validation rules. */
import { CLIENT_FILTER_DESCRIPTION, UuidField } from "../../../common/graphql/uuid-field";
import { IsISO4217CurrencyCode, IsOptional, Matches, ValidateNested } from "class-validator";
import { ArgsType, Field, ID, InputType, Int } from "type-graphql";
import { MaxChars, MinChars } from "../../../common/validation";
import { DeclaredFileInput } from "../../../common/documents/graphql";
import { TransferDocumentCategory } from "../domain/documents";
import { TransferKind, TransferStatus } from "../domain/transfer-status";

/**
 * A required amount: a decimal string of at most 20 characters here; the use case reads it
 * against its currency (common/amount.ts).
 */
export function AmountField(
  description = 'Positive decimal string within the currency\'s exponent, e.g. "10.50".',
): PropertyDecorator {
  return (target: object, key: string | symbol) => {
    if (typeof key !== "string") throw new Error("AmountField decorates named properties only");
    MaxChars(20)(target, key);
    MinChars(1)(target, key);
    Field({ description })(target, key);
  };
}

@InputType({ description: "A beneficiary account at another bank." })
export class AddRecipientInput {
  @UuidField({ nullable: true, description: CLIENT_FILTER_DESCRIPTION })
  clientId?: string | null;

  @Field()
  @MinChars(1)
  @MaxChars(140)
  name!: string;

  @Field({ description: "IBAN; spaces and case are ignored." })
  @MinChars(15)
  @MaxChars(42)
  iban!: string;

  @Field(() => String, { nullable: true, description: "BIC (8 or 11 characters)." })
  @IsOptional()
  @Matches(/^[A-Za-z]{6}[A-Za-z0-9]{2}([A-Za-z0-9]{3})?$/)
  bic?: string | null;

  @Field({ description: "ISO 4217 code." })
  @IsISO4217CurrencyCode()
  currency!: string;
}

@InputType()
export class RecipientFilterInput {
  @UuidField({ nullable: true })
  clientId?: string | null;

  @Field(() => String, { nullable: true }) currency?: string | null;

  @Field(() => Boolean, { nullable: true, description: "Also list hidden recipients." })
  includeHidden?: boolean | null;
}

@InputType({ description: "Money between two accounts of this bank, in one currency." })
export class InternalTransferInput {
  @UuidField() debitAccountId!: string;
  @UuidField() creditAccountId!: string;

  @AmountField()
  amount!: string;

  @Field(() => String, { nullable: true })
  @IsOptional()
  @MaxChars(140)
  reference?: string | null;
}

@InputType()
export class TransferFilterInput {
  @Field(() => TransferKind, { nullable: true }) kind?: TransferKind | null;
  @Field(() => TransferStatus, { nullable: true }) status?: TransferStatus | null;

  @UuidField({ nullable: true })
  clientId?: string | null;

  @UuidField({ nullable: true, description: "Debited or credited." })
  accountId?: string | null;

  @Field(() => Date, { nullable: true, description: "Created at or after." }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: "Created before." }) to?: Date | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "In its current status since before this time: its newest status change (statusChangedAt) was before it.",
  })
  statusChangedBefore?: Date | null;

  @Field(() => String, { nullable: true, description: "Decimal string; amounts at or above." })
  @IsOptional()
  @Matches(/^\d{1,16}(\.\d{1,3})?$/)
  minAmount?: string | null;

  @Field(() => String, { nullable: true, description: "Decimal string; amounts at or below." })
  @IsOptional()
  @Matches(/^\d{1,16}(\.\d{1,3})?$/)
  maxAmount?: string | null;
}

@InputType({ description: "Money to one of the client's recipients at another bank." })
export class OutgoingTransferInput {
  @UuidField({ description: "The client account debited." }) accountId!: string;
  @UuidField({ description: "The recipient (same currency as the account)." })
  recipientId!: string;

  @AmountField()
  amount!: string;

  @Field(() => String, { nullable: true, description: "Shown to the recipient." })
  @IsOptional()
  @MaxChars(140)
  reference?: string | null;
}

@InputType({ description: "Money from another bank, as the rail delivers it (IncomingRequests)." })
export class IncomingTransferInput {
  @Field({ description: "The rail's id of the transfer: a second delivery with it credits nothing." })
  @MinChars(1)
  @MaxChars(200)
  externalId!: string;

  @Field({ description: "The beneficiary account number as the sender gave it (12 digits for this bank)." })
  @MinChars(1)
  @MaxChars(34)
  accountNumber!: string;

  @AmountField()
  amount!: string;

  @Field({ description: "ISO 4217 code." }) @IsISO4217CurrencyCode() currency!: string;

  @Field() @MinChars(1) @MaxChars(140) senderName!: string;

  @Field(() => String, { nullable: true, description: "The sender's IBAN; spaces and case are ignored." })
  @IsOptional()
  @MaxChars(42)
  senderIban?: string | null;

  @Field(() => String, { nullable: true }) @IsOptional() @MaxChars(140) reference?: string | null;
}

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
  @Field(() => InternalTransferInput)
  @ValidateNested() // type-graphql hands over class instances, so the input's own rules run
  input!: InternalTransferInput;
}

@ArgsType()
export class CreateOutgoingTransferArgs extends IdempotencyArgs {
  @Field(() => OutgoingTransferInput)
  @ValidateNested()
  input!: OutgoingTransferInput;
}

@ArgsType()
export class CreateFxTransferArgs extends IdempotencyArgs {
  @UuidField() quoteId!: string;
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
  @UuidField() sourceAccountId!: string;
  @UuidField() targetAccountId!: string;

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
  @UuidField({ nullable: true }) transferId?: string | null;
  @UuidField({ nullable: true, description: "Front office: always its own client." })
  clientId?: string | null;
  @UuidField({ nullable: true, description: "Debited or credited." })
  accountId?: string | null;
  @Field(() => ID, {
    nullable: true,
    description:
      "With transferId: first the events after this sequence number, then live ones (no gap, no duplicate).",
  })
  afterSequence?: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      "A cursor: an event's or a snapshot's `position`. First every event of the filter after it, in log order, then live ones: each once, across restarts.",
  })
  after?: string | null;
}

@ArgsType()
export class SnapshotArgs {
  @UuidField({ nullable: true, description: "Debited or credited. Front office: always its own client." })
  clientId?: string | null;
  @UuidField({ nullable: true, description: "Debited or credited." })
  accountId?: string | null;
  @Field(() => Int, { defaultValue: 20, description: "How many of the newest transfers to list, 0 to 100." })
  recent!: number;
}

@InputType({ description: "A transfer document to upload: what the bytes will be." })
export class CreateTransferDocumentUploadInput extends DeclaredFileInput {
  @UuidField()
  transferId!: string;

  @Field(() => TransferDocumentCategory)
  category!: TransferDocumentCategory;
}
