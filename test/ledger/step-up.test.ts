/**
 * Account step-up (decision 0039) through the gateway: a front-office caller closes an account
 * only with a grant from a verified one-time code; the grant allows one action, expires, and the
 * code locks after OTP_MAX_ATTEMPTS wrong tries, with the rules transfer confirmations follow.
 */
import { randomUUID } from "node:crypto";
import { mintToken } from "../../common/auth/tokens";
import { CREATE_PAYMENT, fund, openAccount, paymentInput, settlementAccountId } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";
import { captureLogs } from "../helpers/ops";
import { accountCode, CLOSE, closeGrant, SEND_OTP, VERIFY_OTP } from "../helpers/step-up";
import { sql } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

async function frontOffice() {
  const clientId = randomUUID();
  return { clientId, token: await stack.clientToken(clientId) };
}

function code(result: { errors?: Array<{ extensions?: Record<string, any> }> }) {
  return result.errors?.[0]?.extensions;
}

describe("the step-up grant", () => {
  it("When a grant closes an account, then it cannot be used again; without one the close is refused", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    expect(code(await stack.graphql(CLOSE, { id: account.id }, { token }))).toMatchObject({
      code: "STEP_UP_REQUIRED",
      reason: "missing",
      action: "CLOSE_ACCOUNT",
    });
    const grant = await closeGrant(stack, account.id, token);
    const closed = await stack.graphql(CLOSE, { id: account.id, grant }, { token });
    expect(closed.data!.closeAccount).toEqual({ id: account.id, status: "CLOSED" });
    expect(code(await stack.graphql(CLOSE, { id: account.id, grant }, { token }))).toMatchObject({
      code: "STEP_UP_REQUIRED",
      reason: "used",
    });
  });

  it("When a code is sent, then the line that logs it carries the ledger's service and the request's id, and not the code", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const sent = `step-up-${randomUUID()}`;
    const capture = captureLogs();
    let otpId: string;
    try {
      const answer = await stack.graphql(
        SEND_OTP,
        { accountId: account.id, action: "CLOSE_ACCOUNT" },
        { token, headers: { "x-request-id": sent } },
      );
      otpId = answer.data!.sendAccountOtp.id as string;
    } finally {
      capture.stop();
    }
    const queued = capture.lines.filter((line) => line.msg === "account code queued");
    expect(queued).toEqual([
      expect.objectContaining({ service: "ledger", requestId: sent, otpId, accountId: account.id }),
    ]);
    expect(capture.raw.join("")).not.toContain(await accountCode(stack, otpId));
  });

  it("When the action fails, then the grant is not used up; it serves the close once the account is empty", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    await fund(stack, account.id, "2.00");
    const grant = await closeGrant(stack, account.id, token);
    expect(code(await stack.graphql(CLOSE, { id: account.id, grant }, { token }))!.code).toBe(
      "ACCOUNT_NOT_EMPTY",
    );
    const out = await stack.graphql(CREATE_PAYMENT, {
      input: paymentInput(account.id, await settlementAccountId(stack), "2.00", "withdrawal"),
      key: randomUUID(),
    });
    expect(out.errors).toBeUndefined();
    const closed = await stack.graphql(CLOSE, { id: account.id, grant }, { token });
    expect(closed.data!.closeAccount.status).toBe("CLOSED");
  });

  it("When a grant is another user's, another account's or expired, then it allows nothing", async () => {
    const { clientId, token } = await frontOffice();
    const a = await openAccount(stack, { clientId });
    const b = await openAccount(stack, { clientId });
    const grant = await closeGrant(stack, a.id, token);
    expect(code(await stack.graphql(CLOSE, { id: b.id, grant }, { token }))!.reason).toBe("unknown");
    const colleague = await stack.graphql(
      CLOSE,
      { id: a.id, grant },
      { token: await colleagueToken(clientId) },
    );
    expect(code(colleague)!.reason).toBe("unknown");
    expect(code(await stack.graphql(CLOSE, { id: a.id, grant: "made-up" }, { token }))!.reason).toBe(
      "unknown",
    );
    await sql(
      stack,
      `UPDATE ledger.account_otp SET grant_expires_at = now() - interval '1 second' WHERE account_id = $1`,
      [a.id],
    );
    expect(code(await stack.graphql(CLOSE, { id: a.id, grant }, { token }))!.reason).toBe("expired");
    const fresh = await closeGrant(stack, a.id, token);
    expect(
      (await stack.graphql(CLOSE, { id: a.id, grant: fresh }, { token })).data!.closeAccount.status,
    ).toBe("CLOSED");
  });

  it("When wrong codes are given, then each is counted and the third locks the code; a new code works", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const sent = await stack.graphql(SEND_OTP, { accountId: account.id, action: "CLOSE_ACCOUNT" }, { token });
    expect(sent.data!.sendAccountOtp).toMatchObject({
      accountId: account.id,
      action: "CLOSE_ACCOUNT",
      attemptsLeft: 3,
    });
    const otpId = sent.data!.sendAccountOtp.id;
    const right = await accountCode(stack, otpId);
    const wrong = right === "000000" ? "111111" : "000000";
    const tries = [];
    for (let i = 0; i < 3; i++)
      tries.push(code(await stack.graphql(VERIFY_OTP, { otpId, code: wrong }, { token })));
    expect(tries).toEqual([
      expect.objectContaining({ code: "CONFIRMATION_CODE_INVALID", attemptsLeft: 2, accountId: account.id }),
      expect.objectContaining({ code: "CONFIRMATION_CODE_INVALID", attemptsLeft: 1 }),
      expect.objectContaining({ code: "CONFIRMATION_LOCKED", attemptsLeft: 0 }),
    ]);
    expect(code(await stack.graphql(VERIFY_OTP, { otpId, code: right }, { token }))!.code).toBe(
      "CONFIRMATION_LOCKED",
    );
    const grant = await closeGrant(stack, account.id, token);
    expect((await stack.graphql(CLOSE, { id: account.id, grant }, { token })).data!.closeAccount.status).toBe(
      "CLOSED",
    );
  });

  it("When a code expires, or a new one replaces it, or another user verifies it, then it gives no grant", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const send = async () =>
      (await stack.graphql(SEND_OTP, { accountId: account.id, action: "CLOSE_ACCOUNT" }, { token })).data!
        .sendAccountOtp.id as string;
    const first = await send();
    await sql(stack, `UPDATE ledger.account_otp SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      first,
    ]);
    const expired = await stack.graphql(
      VERIFY_OTP,
      { otpId: first, code: await accountCode(stack, first) },
      { token },
    );
    expect(code(expired)!.code).toBe("CONFIRMATION_EXPIRED");
    const second = await send();
    const third = await send();
    const replaced = await stack.graphql(
      VERIFY_OTP,
      { otpId: second, code: await accountCode(stack, second) },
      { token },
    );
    expect(code(replaced)!.code).toBe("CONFIRMATION_NOT_FOUND");
    const colleague = await stack.graphql(
      VERIFY_OTP,
      { otpId: third, code: await accountCode(stack, third) },
      { token: await colleagueToken(clientId) },
    );
    expect(code(colleague)!.code).toBe("CONFIRMATION_NOT_FOUND");
  });

  it("When OTP_MAX_CODES codes were sent within 24 hours, then another is refused", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const send = () => stack.graphql(SEND_OTP, { accountId: account.id, action: "CLOSE_ACCOUNT" }, { token });
    for (let i = 0; i < stack.config.ledger.otp.maxCodes; i++) expect((await send()).errors).toBeUndefined();
    expect(code(await send())).toMatchObject({ code: "CONFIRMATION_LIMIT_REACHED", accountId: account.id });
  });

  it("When a system caller asks for a code, then 403; another client's account is 403 too", async () => {
    const account = await openAccount(stack);
    expect(
      code(await stack.graphql(SEND_OTP, { accountId: account.id, action: "CLOSE_ACCOUNT" }))!.code,
    ).toBe("FORBIDDEN");
    const { token } = await frontOffice();
    const theirs = await stack.graphql(
      SEND_OTP,
      { accountId: account.id, action: "CLOSE_ACCOUNT" },
      { token },
    );
    expect(code(theirs)!.code).toBe("FORBIDDEN");
  });
});

describe("step-up on a closed account", () => {
  it("When the account is CLOSED, then no code is sent: ACCOUNT_NOT_ACTIVE names it, and nothing is counted or kept", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    expect((await stack.graphql(CLOSE, { id: account.id })).data!.closeAccount.status).toBe("CLOSED");
    const refused = await stack.graphql(
      SEND_OTP,
      { accountId: account.id, action: "CLOSE_ACCOUNT" },
      { token },
    );
    expect(refused.data).toBeNull();
    expect(code(refused)).toMatchObject({
      code: "ACCOUNT_NOT_ACTIVE",
      accountId: account.id,
      status: "CLOSED",
    });
    expect(refused.errors![0].message).toContain(account.id);
    const rest = await stack.rest("POST", "/Accounts/send-otp", {
      token,
      body: { accountId: account.id, action: "closeAccount" },
    });
    expect(rest.status).toBe(409);
    expect(rest.body).toMatchObject({ code: "ACCOUNT_NOT_ACTIVE" });
    const kept = await sql<{ codes: number; notes: number }>(
      stack,
      `SELECT (SELECT count(*) FROM ledger.account_otp WHERE account_id = $1)::int AS codes,
              (SELECT count(*) FROM ledger.notification_outbox WHERE payload->>'accountId' = $1::text)::int AS notes`,
      [account.id],
    );
    expect(kept).toEqual([{ codes: 0, notes: 0 }]);
  });

  it("When the account is closed after a code was sent, then the right code gives no grant and the code is voided", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const sent = await stack.graphql(SEND_OTP, { accountId: account.id, action: "CLOSE_ACCOUNT" }, { token });
    const otpId = sent.data!.sendAccountOtp.id as string;
    expect((await stack.graphql(CLOSE, { id: account.id })).data!.closeAccount.status).toBe("CLOSED");
    const right = await accountCode(stack, otpId);
    const refused = await stack.graphql(VERIFY_OTP, { otpId, code: right }, { token });
    expect(refused.data).toBeNull();
    expect(code(refused)).toMatchObject({ code: "ACCOUNT_NOT_ACTIVE", accountId: account.id });
    const rest = await stack.rest("POST", "/Accounts/otp-verification", {
      token,
      body: { otpId, code: right },
    });
    expect(rest.status).toBe(409);
    expect(rest.body).toMatchObject({ code: "ACCOUNT_NOT_ACTIVE" });
    const [row] = await sql<{ status: string; grant: string | null }>(
      stack,
      `SELECT status, grant_hash AS grant FROM ledger.account_otp WHERE id = $1`,
      [otpId],
    );
    expect(row).toEqual({ status: "VOIDED", grant: null });
  });
});

describe("the step-up REST routes", () => {
  it("When the code is sent, verified and its grant given to DELETE /Accounts/{id}, then the documented bodies answer", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const sent = await stack.rest("POST", "/Accounts/send-otp", {
      token,
      body: { accountId: account.id, action: "closeAccount" },
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toMatchObject({ accountId: account.id, action: "closeAccount", attemptsLeft: 3 });
    expect(JSON.stringify(sent.body)).not.toContain(await accountCode(stack, sent.body.id));

    const wrong = await stack.rest("POST", "/Accounts/otp-verification", {
      token,
      body: { otpId: sent.body.id, code: "12345" },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0]).toMatchObject({ field: "code", rule: "matches" });

    const noGrant = await stack.rest("DELETE", `/Accounts/${account.id}`, { token });
    expect(noGrant.status).toBe(403);
    expect(noGrant.body).toMatchObject({ code: "STEP_UP_REQUIRED", reason: "missing" });

    const verified = await stack.rest("POST", "/Accounts/otp-verification", {
      token,
      body: { otpId: sent.body.id, code: await accountCode(stack, sent.body.id) },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({
      otpId: sent.body.id,
      accountId: account.id,
      action: "closeAccount",
    });
    const closed = await stack.rest("DELETE", `/Accounts/${account.id}`, {
      token,
      headers: { "X-Otp-Grant": verified.body.grant },
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id: account.id, status: "closed" });
    const again = await stack.rest("DELETE", `/Accounts/${account.id}`, {
      token,
      headers: { "X-Otp-Grant": verified.body.grant },
    });
    expect(again.status).toBe(403);
    expect(again.body).toMatchObject({ code: "STEP_UP_REQUIRED", reason: "used" });
  });
});

/** Another user of the same client: same client, another token subject. */
function colleagueToken(clientId: string): Promise<string> {
  return mintToken(stack.config.auth, { kind: "client", subject: `colleague-${clientId}`, clientId });
}
