import { Args, Ctx, FieldResolver, Int, Mutation, Resolver, Root } from "type-graphql";
import type { LedgerContext } from "../context";
import type { AccountOtpRow } from "../persistence/account-otp.repository";
import { AccountOtp, SendAccountOtpArgs, StepUpGrant, VerifyAccountOtpArgs } from "./step-up.types";

/** Thin: account step-up codes and grants (decision 0039). */
@Resolver(() => AccountOtp)
export class AccountOtpResolver {
  @Mutation(() => AccountOtp, {
    description:
      "Front office: sends a one-time code for one action on one of its accounts (never in the answer); an open code for the same action is replaced. ACCOUNT_NOT_ACTIVE for a CLOSED account; CONFIRMATION_LIMIT_REACHED after OTP_MAX_CODES in 24 hours.",
  })
  sendAccountOtp(@Args() { accountId, action }: SendAccountOtpArgs, @Ctx() ctx: LedgerContext) {
    return ctx.accountOtp.send(accountId, action);
  }

  @Mutation(() => StepUpGrant, {
    description:
      "Front office: the code of sendAccountOtp gives a grant that allows the action once, for OTP_GRANT_TTL_SECONDS. A wrong code counts; OTP_MAX_ATTEMPTS of them lock the code (ask for a new one). ACCOUNT_NOT_ACTIVE (and the code voided) once the account is CLOSED.",
  })
  verifyAccountOtp(@Args() { otpId, code }: VerifyAccountOtpArgs, @Ctx() ctx: LedgerContext) {
    return ctx.accountOtp.verify(otpId, code);
  }

  @FieldResolver(() => Int)
  attemptsLeft(@Root() otp: AccountOtpRow): number {
    return Math.max(otp.maxAttempts - otp.attempts, 0);
  }
}
