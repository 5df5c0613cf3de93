import { CLIENT_FILTER_DESCRIPTION, UuidField } from "../../../common/graphql/uuid-field";
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsISO4217CurrencyCode,
  IsOptional,
  Matches,
  ValidateNested,
} from "class-validator";
import { GraphQLJSONObject } from "graphql-scalars";
import { ArgsType, Field, ID, InputType } from "type-graphql";
import { MaxChars, MinChars } from "../../../common/validation";
import { AccountStatus } from "../domain/account-status";
import { TransactionKind } from "./types";

const DECIMAL = /^\d{1,16}(\.\d+)?$/;

@InputType()
export class OpenAccountInput {
  @UuidField({ nullable: true, description: CLIENT_FILTER_DESCRIPTION })
  clientId?: string | null;

  @Field({ description: "ISO 4217 code of an offered currency (availableCurrencies)." })
  @IsISO4217CurrencyCode()
  currency!: string;

  @Field()
  @MinChars(1)
  @MaxChars(100)
  name!: string;

  @Field(() => String, { nullable: true, description: "Decimal string; system callers only; default 0." })
  @IsOptional()
  @Matches(DECIMAL)
  overdraftLimit?: string | null;
}

@InputType({ description: "Only the given fields change." })
export class UpdateAccountInput {
  @Field(() => String, { nullable: true })
  @IsOptional()
  @MinChars(1)
  @MaxChars(100)
  name?: string | null;

  @Field(() => AccountStatus, { nullable: true, description: "ACTIVE or BLOCKED; system callers only." })
  status?: AccountStatus | null;

  @Field(() => String, { nullable: true, description: "Decimal string; system callers only." })
  @IsOptional()
  @Matches(DECIMAL)
  overdraftLimit?: string | null;
}

@InputType()
export class AccountFilterInput {
  @UuidField({ nullable: true })
  clientId?: string | null;
  @Field(() => String, { nullable: true }) currency?: string | null;
  @Field(() => AccountStatus, { nullable: true }) status?: AccountStatus | null;
  @Field(() => String, { nullable: true }) number?: string | null;
}

@InputType()
export class TransactionFilterInput {
  @UuidField({ nullable: true, description: "Required for front-office callers (one of their accounts)." })
  accountId?: string | null;

  @UuidField({ nullable: true })
  paymentId?: string | null;
  @Field(() => TransactionKind, { nullable: true }) kind?: TransactionKind | null;
  @Field(() => Date, { nullable: true, description: "Created at or after." }) from?: Date | null;
  @Field(() => Date, { nullable: true, description: "Created before." }) to?: Date | null;
}

@InputType({ description: "A payment between two ACTIVE accounts of the same currency." })
export class PaymentInput {
  @Field(() => ID) debitAccountId!: string;
  @Field(() => ID) creditAccountId!: string;

  @Field({ description: 'Positive decimal string within the currency\'s exponent, e.g. "10.50".' })
  amount!: string;

  @Field()
  @MinChars(1)
  @MaxChars(500)
  description!: string;

  @Field(() => GraphQLJSONObject, { nullable: true }) metadata?: Record<string, unknown> | null;
}

/** What every payment operation's key means (decision 0020). */
const IDEMPOTENCY_KEY_DESCRIPTION =
  "Kept per client of the payment (its debit account's, else its credit account's) and shared by the five payment operations. The same key with the same request answers the payment as it is now and moves nothing again; with another request (other input, another payment or operation) it is refused (IDEMPOTENCY_KEY_REUSED).";

@ArgsType()
export class CreatePaymentArgs {
  @Field(() => PaymentInput)
  @ValidateNested()
  input!: PaymentInput;

  @Field({ description: IDEMPOTENCY_KEY_DESCRIPTION })
  @MinChars(1)
  @MaxChars(200)
  idempotencyKey!: string;
}

/** Most payments one `createPayments` call may hold. */
export const MAX_BATCH_PAYMENTS = 100;

@InputType({ description: "One payment of a batch, with its own idempotency key." })
export class PaymentBatchInput extends PaymentInput {
  @Field({ description: IDEMPOTENCY_KEY_DESCRIPTION })
  @MinChars(1)
  @MaxChars(200)
  idempotencyKey!: string;
}

@ArgsType()
export class CreatePaymentsArgs {
  @Field(() => [PaymentBatchInput], {
    description: `1 to ${MAX_BATCH_PAYMENTS} payments, made in this order.`,
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BATCH_PAYMENTS)
  @ValidateNested()
  payments!: PaymentBatchInput[];

  @Field({
    defaultValue: false,
    description:
      "false (default): each payment is made or refused on its own. true: if any is refused, none is made (the others answer BATCH_NOT_APPLIED).",
  })
  allOrNothing!: boolean;
}

@ArgsType()
export class PaymentTransitionArgs {
  @Field(() => ID) id!: string;

  @Field({ description: IDEMPOTENCY_KEY_DESCRIPTION })
  @MinChars(1)
  @MaxChars(200)
  idempotencyKey!: string;
}

@ArgsType()
export class AccountActivityArgs {
  @UuidField() accountId!: string;
  @Field(() => ID, {
    nullable: true,
    description:
      "First every activity after this sequence (the last one you saw), then live ones: none missed, none twice.",
  })
  afterSequence?: string | null;
}
