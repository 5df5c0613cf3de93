/**
 * GeneralLedger account step-up routes (decision 0039): `/Accounts/send-otp` sends a one-time code
 * for one action on one of the caller's accounts (never in the answer), `/Accounts/otp-verification`
 * turns the code into a grant that allows that action once (`X-Otp-Grant` on `DELETE /Accounts/{id}`).
 * Front-office callers only; a system caller needs no step-up (403).
 */
import type { GraphQLSchema } from "graphql";
import type { RestRoute } from "../../route";
import { dtoOf, fragmentDto } from "../shared";

const ACCOUNT_OTP_DTO = fragmentDto(`
fragment AccountOtpDto on AccountOtp { id accountId action attemptsLeft expiresAt createdAt }`);
const STEP_UP_GRANT_DTO = fragmentDto(`
fragment StepUpGrantDto on StepUpGrant { grant otpId accountId action expiresAt }`);
const TAG = "GeneralLedger - Accounts";

export const accountOtpComponentSchemas = (schema: GraphQLSchema) => ({
  ...ACCOUNT_OTP_DTO.component(schema),
  ...STEP_UP_GRANT_DTO.component(schema),
});

export const accountOtpRoutes: RestRoute[] = [
  {
    method: "post",
    path: "/Accounts/send-otp",
    summary:
      "Send a one-time code for one action on one of the caller's accounts, body `{accountId, action}` (action `closeAccount`); the code goes to the client, never into the answer; an open code for the same action is replaced. 429 CONFIRMATION_LIMIT_REACHED after OTP_MAX_CODES in 24 hours",
    tag: TAG,
    auth: "any",
    input: { body: { accountId: "accountId", action: "action" } },
    operation: `mutation SendAccountOtp($accountId: ID!, $action: AccountOtpAction!) {
      sendAccountOtp(accountId: $accountId, action: $action) { ...AccountOtpDto }
    } ${ACCOUNT_OTP_DTO.fragment}`,
    result: dtoOf("sendAccountOtp", ACCOUNT_OTP_DTO),
    resultSchema: () => ACCOUNT_OTP_DTO.ref,
  },
  {
    method: "post",
    path: "/Accounts/otp-verification",
    summary:
      "Verify the code, body `{otpId, code}`: answers a grant that allows the action once until `expiresAt` (send it as `X-Otp-Grant`). A wrong code is 400 CONFIRMATION_CODE_INVALID with `attemptsLeft`; the last one locks the code (423)",
    tag: TAG,
    auth: "any",
    input: { body: { otpId: "otpId", code: "code" } },
    operation: `mutation VerifyAccountOtp($otpId: ID!, $code: String!) {
      verifyAccountOtp(otpId: $otpId, code: $code) { ...StepUpGrantDto }
    } ${STEP_UP_GRANT_DTO.fragment}`,
    result: dtoOf("verifyAccountOtp", STEP_UP_GRANT_DTO),
    resultSchema: () => STEP_UP_GRANT_DTO.ref,
  },
];
