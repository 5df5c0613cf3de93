/** Account step-up helpers (decision 0039): send a code, read it from the ledger's outbox, verify it. */
import type { Stack } from "./stack";
import { sql } from "./transfers";

export const SEND_OTP = `mutation($accountId: ID!, $action: AccountOtpAction!) {
  sendAccountOtp(accountId: $accountId, action: $action) { id accountId action attemptsLeft expiresAt }
}`;
export const VERIFY_OTP = `mutation($otpId: ID!, $code: String!) {
  verifyAccountOtp(otpId: $otpId, code: $code) { grant otpId accountId action expiresAt }
}`;
export const CLOSE = `mutation($id: ID!, $grant: String) { closeAccount(id: $id, otpGrant: $grant) { id status } }`;

/** The code the ledger's outbox holds for an account code, as the delivery process would read it. */
export async function accountCode(stack: Stack, otpId: string): Promise<string> {
  const [row] = await sql<{ code: string }>(
    stack,
    `SELECT payload->>'code' AS code FROM ledger.notification_outbox WHERE payload->>'otpId' = $1`,
    [otpId],
  );
  return row.code;
}

/** A step-up grant of `token`'s caller for closing `accountId`. */
export async function closeGrant(stack: Stack, accountId: string, token: string): Promise<string> {
  const sent = await stack.graphql(SEND_OTP, { accountId, action: "CLOSE_ACCOUNT" }, { token });
  if (!sent.data) throw new Error(`sendAccountOtp failed: ${JSON.stringify(sent.errors)}`);
  const otpId = sent.data.sendAccountOtp.id as string;
  const verified = await stack.graphql(
    VERIFY_OTP,
    { otpId, code: await accountCode(stack, otpId) },
    { token },
  );
  if (!verified.data) throw new Error(`verifyAccountOtp failed: ${JSON.stringify(verified.errors)}`);
  return verified.data.verifyAccountOtp.grant as string;
}
