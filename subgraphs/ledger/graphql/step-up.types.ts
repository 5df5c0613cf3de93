/** GraphQL types and arguments of account step-up (decision 0039). */
import { Matches } from "class-validator";
import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { UuidField } from "../../../common/graphql/uuid-field";
import { AccountOtpAction } from "../domain/step-up";

export function registerStepUpEnums(): void {
  registerEnumType(AccountOtpAction, {
    name: "AccountOtpAction",
    description: "An account action a front-office caller needs a step-up grant for.",
    valuesConfig: {
      CLOSE_ACCOUNT: { description: "closeAccount (DELETE /Accounts/{id})." },
    },
  });
}

@ObjectType({
  description:
    "A one-time code sent for one action on one account (never the code itself: it goes to the client through the outbox).",
})
export class AccountOtp {
  @Field(() => ID, { description: "Give it to verifyAccountOtp with the code." }) id!: string;
  @Field(() => ID) accountId!: string;
  @Field(() => AccountOtpAction) action!: AccountOtpAction;
  @Field(() => Int, { description: "Wrong codes still allowed before the code locks." })
  attemptsLeft!: number;
  @Field() expiresAt!: Date;
  @Field() createdAt!: Date;
}

@ObjectType({ description: "A step-up grant: allows its action on its account once, until it expires." })
export class StepUpGrant {
  @Field({
    description:
      "Pass it to the action (closeAccount's otpGrant; REST header X-Otp-Grant). Shown once: only its hash is kept.",
  })
  grant!: string;
  @Field(() => ID) otpId!: string;
  @Field(() => ID) accountId!: string;
  @Field(() => AccountOtpAction) action!: AccountOtpAction;
  @Field() expiresAt!: Date;
}

@ArgsType()
export class SendAccountOtpArgs {
  @UuidField() accountId!: string;
  @Field(() => AccountOtpAction) action!: AccountOtpAction;
}

@ArgsType()
export class VerifyAccountOtpArgs {
  @UuidField({ description: "The id sendAccountOtp answered." }) otpId!: string;

  @Field({ description: "The six-digit one-time code the client received." })
  @Matches(/^\d{6}$/)
  code!: string;
}
