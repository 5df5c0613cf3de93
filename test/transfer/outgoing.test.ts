/**
 * Outgoing transfers end to end through the gateway: a one-time code confirms, the funds are
 * held, the rail takes it, the payment is posted to settlement; or it is cancelled, rejected
 * or refused, and nothing stays held. The OTP rules (expiry, attempts, resend) hold.
 */
import { randomUUID } from "node:crypto";
import { balance, fund, openAccount, settlementAccountId } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";
import {
  addRecipient,
  CONFIRM,
  CREATE_OUTGOING,
  key,
  READ_TRANSFER,
  runWorker,
  sentCode,
  sql,
  unbalancedCurrencies,
  OUTGOING_COMPLETED,
} from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const CANCEL = `mutation($id: ID!) { cancelTransfer(id: $id) { id status statusHistory { to } } }`;
const RESEND = `mutation($id: ID!) { resendConfirmationCode(id: $id) { id status attemptsLeft expiresAt } }`;

/** A client with a funded EUR account and a recipient, and an outgoing transfer waiting for its code. */
async function pendingTransfer(amount = "25.00", funds = "100.00") {
  const account = await openAccount(stack);
  await fund(stack, account.id, funds);
  const recipientId = await addRecipient(stack, account.clientId);
  const token = await stack.clientToken(account.clientId);
  const created = await stack.graphql(
    CREATE_OUTGOING,
    { input: { accountId: account.id, recipientId, amount, reference: "Invoice 42" }, key: key() },
    { token },
  );
  expect(created.errors).toBeUndefined();
  return { account, recipientId, token, transfer: created.data!.createOutgoingTransfer };
}

describe("outgoing transfers", () => {
  it("When a customer creates, confirms and the rail accepts, then the money leaves once and every step is recorded", async () => {
    const { account, token, transfer } = await pendingTransfer();
    expect(transfer).toMatchObject({
      kind: "OUTGOING",
      type: "SEPA",
      status: "PENDING_CONFIRMATION",
      amount: "25.00",
      counterpartyName: "Erika Mustermann",
      confirmation: { status: "OPEN", attemptsLeft: 3 },
    });
    const code = await sentCode(stack, transfer.id);
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(transfer)).not.toContain(code);
    const [stored] = await sql(stack, `SELECT code_hash FROM transfer.confirmation WHERE transfer_id = $1`, [
      transfer.id,
    ]);
    expect(stored.code_hash).not.toContain(code);
    expect(await balance(stack, account.id)).toMatchObject({ posted: "100.00", pending: "0.00" });

    const confirmed = await stack.graphql(CONFIRM, { id: transfer.id, code }, { token });
    expect(confirmed.data!.confirmTransfer).toMatchObject({ status: "PROCESSING" });
    expect(await balance(stack, account.id)).toMatchObject({
      posted: "100.00",
      pending: "25.00",
      available: "75.00",
    });

    await runWorker(stack);
    const settlementBefore = await balance(stack, await settlementAccountId(stack));
    const done = await stack.graphql(
      `query($id: ID!) { transfer(id: $id) {
        status railReference paymentId statusHistory { sequence from to changedBy }
        account { balance { posted pending available } } client { id }
      } }`,
      { id: transfer.id },
      { token },
    );
    expect(done.errors).toBeUndefined();
    expect(done.data!.transfer).toMatchObject({
      status: "COMPLETED",
      railReference: expect.stringMatching(/^SIM-/),
      account: { balance: { posted: "75.00", pending: "0.00", available: "75.00" } },
      client: { id: account.clientId },
    });
    expect(done.data!.transfer.statusHistory.map((e: { to: string }) => e.to)).toEqual(OUTGOING_COMPLETED);
    expect(done.data!.transfer.statusHistory.map((e: { sequence: number }) => e.sequence)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    expect(stack.transfer.rail.constructor.name).toBe("SimulatedRail");
    expect((stack.transfer.rail as unknown as { sends: Map<string, number> }).sends.get(transfer.id)).toBe(1);
    const payment = await stack.graphql(
      `query($id: ID!) { payment(id: $id) { status amount creditAccountId } }`,
      {
        id: done.data!.transfer.paymentId,
      },
    );
    expect(payment.data!.payment).toMatchObject({
      status: "POSTED",
      amount: "25.00",
      creditAccountId: await settlementAccountId(stack),
    });
    expect(settlementBefore).toBeDefined();
    expect(await unbalancedCurrencies(stack)).toEqual({});
  });

  it("When the same key is sent again, then the first transfer is answered and one code was sent", async () => {
    const account = await openAccount(stack);
    const recipientId = await addRecipient(stack, account.clientId);
    const input = { accountId: account.id, recipientId, amount: "1.00" };
    const k = key();
    const [a, b] = await Promise.all([
      stack.graphql(CREATE_OUTGOING, { input, key: k }),
      stack.graphql(CREATE_OUTGOING, { input, key: k }),
    ]);
    expect(a.data!.createOutgoingTransfer.id).toBe(b.data!.createOutgoingTransfer.id);
    const codes = await sql(
      stack,
      `SELECT 1 FROM transfer.notification_outbox WHERE payload->>'transferId' = $1`,
      [a.data!.createOutgoingTransfer.id],
    );
    expect(codes).toHaveLength(1);
    const other = await stack.graphql(CREATE_OUTGOING, { input: { ...input, amount: "2.00" }, key: k });
    expect(other.errors![0].extensions).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED" });
  });

  it("When the balance is too low at confirmation, then the confirmation fails cleanly: FAILED, nothing held", async () => {
    const { account, token, transfer } = await pendingTransfer("150.00", "100.00");
    const result = await stack.graphql(
      CONFIRM,
      { id: transfer.id, code: await sentCode(stack, transfer.id) },
      { token },
    );
    expect(result.errors![0].extensions).toMatchObject({
      code: "INSUFFICIENT_FUNDS",
      transferId: transfer.id,
    });
    const read = await stack.graphql(READ_TRANSFER, { id: transfer.id }, { token });
    expect(read.data!.transfer).toMatchObject({ status: "FAILED", failureCode: "INSUFFICIENT_FUNDS" });
    expect(await balance(stack, account.id)).toMatchObject({ posted: "100.00", pending: "0.00" });
    const payment = await stack.graphql(`query($id: ID!) { payment(id: $id) { status } }`, {
      id: read.data!.transfer.paymentId,
    });
    expect(payment.data!.payment.status).toBe("CANCELLED");
  });

  it("When the rail rejects a transfer, then it FAILS and the hold is released", async () => {
    const rejecting = (stack.transfer.rail as unknown as { options: { rejectRate: number } }).options;
    const { account, token, transfer } = await pendingTransfer();
    await stack.graphql(CONFIRM, { id: transfer.id, code: await sentCode(stack, transfer.id) }, { token });
    rejecting.rejectRate = 1;
    try {
      await runWorker(stack);
    } finally {
      rejecting.rejectRate = 0;
    }
    const read = await stack.graphql(READ_TRANSFER, { id: transfer.id }, { token });
    expect(read.data!.transfer).toMatchObject({ status: "FAILED", failureCode: "RAIL_REJECTED" });
    expect(read.data!.transfer.statusHistory.map((e: { to: string }) => e.to).slice(-3)).toEqual([
      "SENDING",
      "REJECTED",
      "FAILED",
    ]);
    expect(await balance(stack, account.id)).toMatchObject({ posted: "100.00", pending: "0.00" });
  });

  describe("cancelling", () => {
    it("When cancelled before confirmation, then it is CANCELLED and the code no longer works", async () => {
      const { account, token, transfer } = await pendingTransfer();
      const code = await sentCode(stack, transfer.id);
      const cancelled = await stack.graphql(CANCEL, { id: transfer.id }, { token });
      expect(cancelled.data!.cancelTransfer.status).toBe("CANCELLED");
      const late = await stack.graphql(CONFIRM, { id: transfer.id, code }, { token });
      expect(late.errors![0].extensions).toMatchObject({ code: "TRANSFER_ALREADY_FINISHED" });
      expect(await balance(stack, account.id)).toMatchObject({ posted: "100.00", pending: "0.00" });
    });

    it("When cancelled while queued for the rail, then the hold is released and the rail never sees it", async () => {
      const { account, token, transfer } = await pendingTransfer();
      await stack.graphql(CONFIRM, { id: transfer.id, code: await sentCode(stack, transfer.id) }, { token });
      const cancelled = await stack.graphql(CANCEL, { id: transfer.id }, { token });
      expect(cancelled.data!.cancelTransfer).toMatchObject({ status: "CANCELLED" });
      expect(cancelled.data!.cancelTransfer.statusHistory.map((e: { to: string }) => e.to).slice(-2)).toEqual(
        ["CANCELLING", "CANCELLED"],
      );
      await runWorker(stack);
      expect((stack.transfer.rail as unknown as { sends: Map<string, number> }).sends.has(transfer.id)).toBe(
        false,
      );
      expect(await balance(stack, account.id)).toMatchObject({ posted: "100.00", pending: "0.00" });
    });

    it("When the rail already has it, then cancelling is refused and nothing changes", async () => {
      const { token, transfer } = await pendingTransfer();
      await stack.graphql(CONFIRM, { id: transfer.id, code: await sentCode(stack, transfer.id) }, { token });
      await stack.transfer.engine.run(transfer.id, { subject: "test", requestId: "test" }, { maxSteps: 1 }); // PROCESSING -> SENDING
      const refused = await stack.graphql(CANCEL, { id: transfer.id }, { token });
      expect(refused.errors![0].extensions).toMatchObject({
        code: "TRANSFER_INVALID_STATE",
        status: "SENDING",
      });
      await runWorker(stack);
      const read = await stack.graphql(READ_TRANSFER, { id: transfer.id }, { token });
      expect(read.data!.transfer.status).toBe("COMPLETED");
    });
  });

  describe("one-time codes", () => {
    it("When a wrong code is given, then attempts count down and the third wrong one locks the confirmation", async () => {
      const { token, transfer } = await pendingTransfer();
      const code = await sentCode(stack, transfer.id);
      const wrong = code === "000000" ? "111111" : "000000";
      const first = await stack.graphql(CONFIRM, { id: transfer.id, code: wrong }, { token });
      expect(first.errors![0].extensions).toMatchObject({
        code: "CONFIRMATION_CODE_INVALID",
        attemptsLeft: 2,
      });
      const second = await stack.graphql(CONFIRM, { id: transfer.id, code: wrong }, { token });
      expect(second.errors![0].extensions).toMatchObject({
        code: "CONFIRMATION_CODE_INVALID",
        attemptsLeft: 1,
      });
      const third = await stack.graphql(CONFIRM, { id: transfer.id, code: wrong }, { token });
      expect(third.errors![0].extensions).toMatchObject({ code: "CONFIRMATION_LOCKED", attemptsLeft: 0 });
      const right = await stack.graphql(CONFIRM, { id: transfer.id, code }, { token });
      expect(right.errors![0].extensions).toMatchObject({ code: "CONFIRMATION_LOCKED" });
      const read = await stack.graphql(
        `query($id: ID!) { transfer(id: $id) { status confirmation { status attemptsLeft } } }`,
        { id: transfer.id },
        { token },
      );
      expect(read.data!.transfer).toMatchObject({
        status: "PENDING_CONFIRMATION",
        confirmation: { status: "LOCKED", attemptsLeft: 0 },
      });

      // A new code unlocks it; the old one stays void.
      const resent = await stack.graphql(RESEND, { id: transfer.id }, { token });
      expect(resent.data!.resendConfirmationCode).toMatchObject({ status: "OPEN", attemptsLeft: 3 });
      const fresh = await sentCode(stack, transfer.id);
      if (fresh !== code) {
        const old = await stack.graphql(CONFIRM, { id: transfer.id, code }, { token });
        expect(old.errors![0].extensions).toMatchObject({ code: "CONFIRMATION_CODE_INVALID" });
      }
      const ok = await stack.graphql(CONFIRM, { id: transfer.id, code: fresh }, { token });
      expect(ok.data!.confirmTransfer.status).toBe("PROCESSING");
    });

    it("When a code is resent, then the earlier code is void", async () => {
      const { token, transfer } = await pendingTransfer();
      const first = await sentCode(stack, transfer.id);
      await stack.graphql(RESEND, { id: transfer.id }, { token });
      const second = await sentCode(stack, transfer.id);
      const states = await sql(
        stack,
        `SELECT status FROM transfer.confirmation WHERE transfer_id = $1 ORDER BY created_at, id`,
        [transfer.id],
      );
      expect(states.map((s) => s.status)).toEqual(["VOIDED", "OPEN"]);
      if (first !== second) {
        const old = await stack.graphql(CONFIRM, { id: transfer.id, code: first }, { token });
        expect(old.errors![0].extensions).toMatchObject({
          code: "CONFIRMATION_CODE_INVALID",
          attemptsLeft: 2,
        });
      }
      const ok = await stack.graphql(CONFIRM, { id: transfer.id, code: second }, { token });
      expect(ok.data!.confirmTransfer.status).toBe("PROCESSING");
    });

    it("When the code has expired, then it is refused with CONFIRMATION_EXPIRED and a new code works", async () => {
      const { token, transfer } = await pendingTransfer();
      const code = await sentCode(stack, transfer.id);
      // Five minutes pass: the confirmation's expiry moves into the past.
      await sql(
        stack,
        `UPDATE transfer.confirmation SET expires_at = now() - interval '1 second' WHERE transfer_id = $1`,
        [transfer.id],
      );
      const late = await stack.graphql(CONFIRM, { id: transfer.id, code }, { token });
      expect(late.errors![0].extensions).toMatchObject({
        code: "CONFIRMATION_EXPIRED",
        transferId: transfer.id,
      });
      await stack.graphql(RESEND, { id: transfer.id }, { token });
      const ok = await stack.graphql(
        CONFIRM,
        { id: transfer.id, code: await sentCode(stack, transfer.id) },
        { token },
      );
      expect(ok.data!.confirmTransfer.status).toBe("PROCESSING");
    });

    it("When five codes were sent, then a sixth is refused: resending cannot buy unlimited guesses", async () => {
      const { token, transfer } = await pendingTransfer();
      for (let i = 0; i < 4; i++) {
        const resent = await stack.graphql(RESEND, { id: transfer.id }, { token });
        expect(resent.errors).toBeUndefined();
      }
      const sixth = await stack.graphql(RESEND, { id: transfer.id }, { token });
      expect(sixth.errors![0].extensions).toMatchObject({
        code: "CONFIRMATION_LIMIT_REACHED",
        transferId: transfer.id,
      });
      const ok = await stack.graphql(
        CONFIRM,
        { id: transfer.id, code: await sentCode(stack, transfer.id) },
        { token },
      );
      expect(ok.data!.confirmTransfer.status).toBe("PROCESSING");
    });

    it("When a confirmation is created, then it expires five minutes later by default", async () => {
      const { transfer } = await pendingTransfer();
      const [row] = await sql(
        stack,
        `SELECT extract(epoch FROM expires_at - created_at)::int AS ttl FROM transfer.confirmation WHERE transfer_id = $1`,
        [transfer.id],
      );
      expect(row.ttl).toBe(300);
    });

    it("When a code is not six digits, then it is a validation error and no attempt is counted", async () => {
      const { token, transfer } = await pendingTransfer();
      const result = await stack.graphql(CONFIRM, { id: transfer.id, code: "12ab" }, { token });
      expect(result.errors![0].extensions).toMatchObject({
        code: "VALIDATION_FAILED",
        fields: [expect.objectContaining({ field: "code", rule: "matches" })],
      });
      const [row] = await sql(stack, `SELECT attempts FROM transfer.confirmation WHERE transfer_id = $1`, [
        transfer.id,
      ]);
      expect(row.attempts).toBe(0);
    });
  });

  describe("who may do what", () => {
    it("When another client's token confirms, cancels or reads the transfer, then it is FORBIDDEN", async () => {
      const { transfer } = await pendingTransfer();
      const stranger = await stack.clientToken(randomUUID());
      const code = await sentCode(stack, transfer.id);
      for (const [query, variables] of [
        [CONFIRM, { id: transfer.id, code }],
        [CANCEL, { id: transfer.id }],
        [RESEND, { id: transfer.id }],
        [READ_TRANSFER, { id: transfer.id }],
      ] as const) {
        const result = await stack.graphql(query, variables, { token: stranger });
        expect(result.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
      }
    });

    it("When a customer debits another client's account or pays another client's recipient, then it is refused", async () => {
      const mine = await openAccount(stack);
      const theirs = await openAccount(stack);
      const token = await stack.clientToken(mine.clientId);
      const myRecipient = await addRecipient(stack, mine.clientId);
      const theirRecipient = await addRecipient(stack, theirs.clientId);
      const debitTheirs = await stack.graphql(
        CREATE_OUTGOING,
        { input: { accountId: theirs.id, recipientId: myRecipient, amount: "1.00" }, key: key() },
        { token },
      );
      expect(debitTheirs.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
      const payTheirs = await stack.graphql(
        CREATE_OUTGOING,
        { input: { accountId: mine.id, recipientId: theirRecipient, amount: "1.00" }, key: key() },
        { token },
      );
      expect(payTheirs.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
    });

    it("When the amount has too many decimals or the currencies differ, then nothing is recorded", async () => {
      const account = await openAccount(stack);
      const eurRecipient = await addRecipient(stack, account.clientId);
      const usdRecipient = await addRecipient(stack, account.clientId, { currency: "USD" });
      const decimals = await stack.graphql(CREATE_OUTGOING, {
        input: { accountId: account.id, recipientId: eurRecipient, amount: "1.001" },
        key: key(),
      });
      expect(decimals.errors![0].extensions).toMatchObject({
        code: "VALIDATION_FAILED",
        fields: [expect.objectContaining({ field: "amount", rule: "isDecimal" })],
      });
      const currency = await stack.graphql(CREATE_OUTGOING, {
        input: { accountId: account.id, recipientId: usdRecipient, amount: "1.00" },
        key: key(),
      });
      expect(currency.errors![0].extensions).toMatchObject({ code: "CURRENCY_MISMATCH" });
      const recorded = await sql(stack, `SELECT 1 FROM transfer.transfer WHERE account_id = $1`, [
        account.id,
      ]);
      expect(recorded).toHaveLength(0);
    });

    it("When a system caller debits one of the bank's own accounts, then it is refused: those move by ledger payments", async () => {
      const recipientOwner = await openAccount(stack);
      const recipientId = await addRecipient(stack, recipientOwner.clientId);
      const result = await stack.graphql(CREATE_OUTGOING, {
        input: { accountId: await settlementAccountId(stack), recipientId, amount: "1.00" },
        key: key(),
      });
      expect(result.errors![0].extensions).toMatchObject({
        code: "VALIDATION_FAILED",
        fields: [expect.objectContaining({ field: "accountId", rule: "clientAccount" })],
      });
    });

    it("When a customer calls an operator action, then it is FORBIDDEN", async () => {
      const { token, transfer } = await pendingTransfer();
      const result = await stack.graphql(
        `mutation($id: ID!) { continueTransfer(id: $id) { id } }`,
        { id: transfer.id },
        { token },
      );
      expect(result.errors![0].extensions).toMatchObject({ code: "FORBIDDEN" });
    });
  });

  it("When the recipient's country and currency decide the rail, then transferType names it", async () => {
    const account = await openAccount(stack);
    const cases: Array<[string, string, string]> = [
      ["DE89370400440532013000", "EUR", "SEPA"],
      ["GB82WEST12345698765432", "GBP", "FASTER_PAYMENTS"],
      ["GB82WEST12345698765432", "EUR", "SEPA"],
      ["DE89370400440532013000", "USD", "SWIFT"],
      [account.number, "EUR", "INTERNAL"],
    ];
    for (const [number, currency, type] of cases) {
      const result = await stack.graphql(
        `query($n: String!, $c: String!) { transferType(recipientAccountNumber: $n, currency: $c) }`,
        {
          n: number,
          c: currency,
        },
      );
      expect([number, currency, result.data?.transferType]).toEqual([number, currency, type]);
    }
    const bad = await stack.graphql(
      `{ transferType(recipientAccountNumber: "DE88370400440532013000", currency: "EUR") }`,
    );
    const typo = await stack.graphql(
      `query($n: String!) { transferType(recipientAccountNumber: $n, currency: "EUR") }`,
      {
        n: `${account.number.slice(0, 11)}${(Number(account.number[11]) + 1) % 10}`,
      },
    );
    expect(typo.errors![0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [expect.objectContaining({ field: "recipientAccountNumber", rule: "accountNumberChecksum" })],
    });
    expect(bad.errors![0].extensions).toMatchObject({
      code: "VALIDATION_FAILED",
      fields: [expect.objectContaining({ field: "recipientAccountNumber", rule: "ibanChecksum" })],
    });
  });
});
