/**
 * The transfer orchestrator's REST routes over real HTTP: outgoing transfers with their one-time
 * code (read from the notification outbox, as the delivery process would), confirmations, the
 * rail's incoming requests in the result envelope, FX quotes and transfers, the transfer type,
 * kind-specific paths, the `Idempotency-Key` header and who may call what.
 */
import { randomUUID } from "node:crypto";
import { balance, fund, openAccount } from "../helpers/ledger";
import { type Stack, startStack } from "../helpers/stack";
import { runWorker, sentCode, sql } from "../helpers/transfers";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const IBAN = "DE89370400440532013000";

/** A client of its own (neither the ledger nor the orchestrator needs the client subgraph to know it). */
async function frontOffice(): Promise<{ clientId: string; token: string }> {
  const clientId = randomUUID();
  return { clientId, token: await stack.clientToken(clientId) };
}

/** A funded EUR account and a SEPA recipient of a new client, with the client's token. */
async function sender(funds = "100.00") {
  const { clientId, token } = await frontOffice();
  const account = await openAccount(stack, { clientId });
  await fund(stack, account.id, funds);
  const recipient = await stack.rest("POST", "/Recipients", {
    token,
    body: { name: "Erika Mustermann", iban: IBAN, currency: "EUR" },
  });
  expect(recipient.status).toBe(200);
  return { clientId, token, account, recipientId: recipient.body.id as string };
}

/** POSTs with an idempotency key (a fresh one unless given; `null` sends none). */
function post(path: string, body: unknown, token: string, key: string | null = randomUUID()) {
  return stack.rest("POST", path, { token, body, headers: key === null ? {} : { "Idempotency-Key": key } });
}

async function createOutgoing(from: Awaited<ReturnType<typeof sender>>, amount = "25.00") {
  const response = await post(
    "/Transfers/outgoing",
    { accountId: from.account.id, recipientId: from.recipientId, amount, reference: "Invoice 7" },
    from.token,
  );
  expect(response.status).toBe(200);
  return response.body;
}

/** A six-digit code other than `code`. */
function wrongCode(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, "0");
}

describe("Outgoing transfers (/Transfers/outgoing)", () => {
  it("When a client sends money, confirms it with the code and the rail takes it, then it completes and the code never appears in an answer", async () => {
    const from = await sender();
    const key = randomUUID();
    const body = {
      accountId: from.account.id,
      recipientId: from.recipientId,
      amount: "25.00",
      reference: "Rent",
    };
    const created = await post("/Transfers/outgoing", body, from.token, key);
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      kind: "outgoing",
      type: "sepa",
      status: "pendingConfirmation",
      clientId: from.clientId,
      accountId: from.account.id,
      recipientId: from.recipientId,
      counterpartyName: "Erika Mustermann",
      counterpartyIban: IBAN,
      amount: "25.00",
      currency: "EUR",
      reference: "Rent",
      idempotencyKey: key,
      fx: null,
      lastError: null,
      confirmation: {
        id: expect.any(String),
        status: "open",
        attemptsLeft: 3,
        expiresAt: expect.any(String),
      },
    });
    const id = created.body.id as string;
    const code = await sentCode(stack, id);
    expect(code).toMatch(/^\d{6}$/);
    expect(JSON.stringify(created.body)).not.toContain(code);
    expect((await balance(stack, from.account.id)).available).toBe("100.00");

    const again = await post("/Transfers/outgoing", body, from.token, key);
    expect(again.body.id).toBe(id);
    expect(await sentCode(stack, id)).toBe(code);

    const confirmed = await stack.rest("PUT", `/Transfers/outgoing/${id}/confirm`, {
      token: from.token,
      body: { code },
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: "processing", confirmation: { status: "used" } });
    expect(JSON.stringify(confirmed.body)).not.toContain(code);
    expect(await balance(stack, from.account.id)).toMatchObject({ posted: "100.00", available: "75.00" });

    await runWorker(stack);
    const read = await stack.rest("GET", `/Transfers/outgoing/${id}`, { token: from.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: "completed", railReference: expect.stringMatching(/^SIM-/) });
    expect(read.body.statusHistory.map((e: any) => e.to)).toEqual([
      "pendingConfirmation",
      "confirmed",
      "processing",
      "sending",
      "sent",
      "completed",
    ]);
    expect(await balance(stack, from.account.id)).toMatchObject({ posted: "75.00", pending: "0.00" });

    const internal = await stack.rest("GET", `/internal/Transfers/outgoing/${id}`);
    expect(internal.body).toMatchObject({ isSuccess: true, value: { id, status: "completed" } });
    const listed = await stack.rest("GET", `/internal/Transfers/outgoing?clientId=${from.clientId}`);
    expect(listed.body.value).toMatchObject({ totalCount: 1, items: [{ id, kind: "outgoing" }] });
  });

  it("When the code is wrong, then 400 CONFIRMATION_CODE_INVALID says how many attempts are left and nothing is held", async () => {
    const from = await sender();
    const transfer = await createOutgoing(from);
    const code = await sentCode(stack, transfer.id);
    const wrong = await stack.rest("PUT", `/Transfers/outgoing/${transfer.id}/confirm`, {
      token: from.token,
      body: { code: wrongCode(code) },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.contentType).toContain("application/problem+json");
    expect(wrong.body).toMatchObject({
      code: "CONFIRMATION_CODE_INVALID",
      attemptsLeft: 2,
      transferId: transfer.id,
      confirmationId: transfer.confirmation.id,
    });
    expect(JSON.stringify(wrong.body)).not.toContain(code);

    const malformed = await stack.rest("PUT", `/Transfers/outgoing/${transfer.id}/confirm`, {
      token: from.token,
      body: { code: "12ab" },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors).toEqual([expect.objectContaining({ field: "code", rule: "matches" })]);
    const missing = await stack.rest("PUT", `/Transfers/outgoing/${transfer.id}/confirm`, {
      token: from.token,
      body: {},
    });
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: "code", rule: "required" })]);

    const read = await stack.rest("GET", `/Transfers/outgoing/${transfer.id}`, { token: from.token });
    expect(read.body).toMatchObject({ status: "pendingConfirmation", confirmation: { attemptsLeft: 2 } });
    expect((await balance(stack, from.account.id)).available).toBe("100.00");
  });

  it("When the last attempt is wrong, then 423 CONFIRMATION_LOCKED, and only a new code from POST /Confirmations confirms", async () => {
    const from = await sender();
    const transfer = await createOutgoing(from);
    const code = await sentCode(stack, transfer.id);
    const confirm = (value: string) =>
      stack.rest("PUT", `/Transfers/outgoing/${transfer.id}/confirm`, {
        token: from.token,
        body: { code: value },
      });
    expect((await confirm(wrongCode(code))).body.attemptsLeft).toBe(2);
    expect((await confirm(wrongCode(code))).body.attemptsLeft).toBe(1);
    const locked = await confirm(wrongCode(code));
    expect(locked.status).toBe(423);
    expect(locked.body).toMatchObject({ code: "CONFIRMATION_LOCKED", attemptsLeft: 0 });
    expect((await confirm(code)).status).toBe(423);

    const renewed = await stack.rest("POST", "/Confirmations", {
      token: from.token,
      body: { transferId: transfer.id },
    });
    expect(renewed.body).toMatchObject({ status: "open", attemptsLeft: 3 });
    const confirmed = await confirm(await sentCode(stack, transfer.id));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe("processing");
  });

  it("When the code has expired, then 410 CONFIRMATION_EXPIRED with expiresAt, and a new code confirms", async () => {
    const from = await sender();
    const transfer = await createOutgoing(from);
    await sql(
      stack,
      `UPDATE transfer.confirmation SET expires_at = now() - interval '1 second' WHERE id = $1`,
      [transfer.confirmation.id],
    );
    const expired = await stack.rest("PUT", `/Transfers/outgoing/${transfer.id}/confirm`, {
      token: from.token,
      body: { code: await sentCode(stack, transfer.id) },
    });
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ code: "CONFIRMATION_EXPIRED", expiresAt: expect.any(String) });

    const renewed = await stack.rest("POST", "/Confirmations", {
      token: from.token,
      body: { transferId: transfer.id },
    });
    const verified = await stack.rest("POST", `/Confirmations/${renewed.body.id}/verify`, {
      token: from.token,
      body: { code: await sentCode(stack, transfer.id) },
    });
    expect(verified.body).toMatchObject({ id: transfer.id, status: "processing" });
  });

  it("When a transfer is cancelled before and after confirmation, then it ends cancelled, the hold is released, and a second cancel is 409", async () => {
    const from = await sender();
    const waiting = await createOutgoing(from);
    const cancelled = await stack.rest("PUT", `/Transfers/outgoing/${waiting.id}/cancel`, {
      token: from.token,
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: "cancelled", confirmation: { status: "voided" } });
    const twice = await stack.rest("PUT", `/Transfers/outgoing/${waiting.id}/cancel`, { token: from.token });
    expect(twice.status).toBe(409);
    // RFC 9457 keeps `status` for the HTTP status; the state the refusal found is `currentStatus`.
    expect(twice.body).toMatchObject({
      status: 409,
      code: "TRANSFER_ALREADY_FINISHED",
      currentStatus: "cancelled",
    });

    const held = await createOutgoing(from, "30.00");
    await stack.rest("PUT", `/Transfers/outgoing/${held.id}/confirm`, {
      token: from.token,
      body: { code: await sentCode(stack, held.id) },
    });
    expect((await balance(stack, from.account.id)).available).toBe("70.00");
    const released = await stack.rest("PUT", `/Transfers/outgoing/${held.id}/cancel`, { token: from.token });
    expect(released.body.status).toBe("cancelled");
    expect(await balance(stack, from.account.id)).toMatchObject({ posted: "100.00", available: "100.00" });

    const stranger = await frontOffice();
    const foreign = await stack.rest("PUT", `/Transfers/outgoing/${held.id}/cancel`, {
      token: stranger.token,
    });
    expect(foreign.status).toBe(403);
  });

  it("When the Idempotency-Key header is missing or reused for another request, then 400 names the header or 409, and nothing is recorded", async () => {
    const from = await sender();
    const body = { accountId: from.account.id, recipientId: from.recipientId, amount: "5.00" };
    const missing = await post("/Transfers/outgoing", body, from.token, null);
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([
      { field: "Idempotency-Key", rule: "required", message: "The Idempotency-Key header is required" },
    ]);
    const key = randomUUID();
    await post("/Transfers/outgoing", body, from.token, key);
    const reused = await post("/Transfers/outgoing", { ...body, amount: "6.00" }, from.token, key);
    expect(reused.status).toBe(409);
    expect(reused.body.code).toBe("IDEMPOTENCY_KEY_REUSED");
    const list = await stack.rest("GET", "/Transfers?kind=outgoing", { token: from.token });
    expect(list.body.totalCount).toBe(1);
  });

  it("When the body breaks a rule, then 400 names the REST field", async () => {
    const from = await sender();
    const badId = await post(
      "/Transfers/outgoing",
      { accountId: "acc-1", recipientId: from.recipientId, amount: "5.00" },
      from.token,
    );
    expect(badId.body.errors).toEqual([expect.objectContaining({ field: "accountId", rule: "isUuid" })]);
    const noAmount = await post(
      "/Transfers/outgoing",
      { accountId: from.account.id, recipientId: from.recipientId },
      from.token,
    );
    expect(noAmount.body.errors).toEqual([expect.objectContaining({ field: "amount", rule: "required" })]);
    const badAmount = await post(
      "/Transfers/outgoing",
      { accountId: from.account.id, recipientId: from.recipientId, amount: "5.001" },
      from.token,
    );
    expect(badAmount.status).toBe(400);
    expect(badAmount.body.errors).toEqual([expect.objectContaining({ field: "amount", rule: "isDecimal" })]);
    const unknownRecipient = await post(
      "/Transfers/outgoing",
      { accountId: from.account.id, recipientId: randomUUID(), amount: "5.00" },
      from.token,
    );
    expect(unknownRecipient.status).toBe(403); // a front-office token reaches only its own recipients
    const systemUnknown = await post(
      "/Transfers/outgoing",
      { accountId: from.account.id, recipientId: randomUUID(), amount: "5.00" },
      stack.systemToken,
    );
    expect(systemUnknown.status).toBe(404);
    expect(systemUnknown.body.code).toBe("RECIPIENT_NOT_FOUND");
  });

  it("When an operator continues a confirmed transfer, then it runs to completion; one not yet confirmed or finished is 409", async () => {
    const from = await sender();
    const transfer = await createOutgoing(from);
    const waiting = await stack.rest("POST", `/internal/Transfers/outgoing/${transfer.id}/continue`);
    expect(waiting.status).toBe(409);
    expect(waiting.body.errors[0].metadata).toMatchObject({
      code: "TRANSFER_INVALID_STATE",
      status: "pendingConfirmation",
    });
    await stack.rest("PUT", `/Transfers/outgoing/${transfer.id}/confirm`, {
      token: from.token,
      body: { code: await sentCode(stack, transfer.id) },
    });
    const continued = await stack.rest("POST", `/internal/Transfers/outgoing/${transfer.id}/continue`);
    expect(continued.status).toBe(200);
    expect(continued.body.value).toMatchObject({ id: transfer.id, status: "completed" });
    const finished = await stack.rest("POST", `/internal/Transfers/${transfer.id}/execute`);
    expect(finished.status).toBe(409);
    expect(finished.body.errors[0].metadata).toMatchObject({
      code: "TRANSFER_ALREADY_FINISHED",
      status: "completed",
    });
    const unknown = await stack.rest("POST", `/internal/Transfers/${randomUUID()}/execute`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].metadata.code).toBe("TRANSFER_NOT_FOUND");
  });
});

describe("Confirmations (/Confirmations)", () => {
  it("When a new code is asked for and verified by the confirmation's id, then the transfer is confirmed and the old code and confirmation no longer work", async () => {
    const from = await sender();
    const transfer = await createOutgoing(from);
    const firstCode = await sentCode(stack, transfer.id);

    const sent = await stack.rest("POST", "/Confirmations", {
      token: from.token,
      body: { transferId: transfer.id },
    });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({
      id: expect.any(String),
      transferId: transfer.id,
      status: "open",
      attemptsLeft: 3,
      expiresAt: expect.any(String),
      createdAt: expect.any(String),
    });
    expect(sent.body.id).not.toBe(transfer.confirmation.id);
    const newCode = await sentCode(stack, transfer.id);
    expect(JSON.stringify(sent.body)).not.toContain(newCode);

    const old = await stack.rest("POST", `/Confirmations/${transfer.confirmation.id}/verify`, {
      token: from.token,
      body: { code: firstCode },
    });
    expect(old.status).toBe(404);
    expect(old.body.code).toBe("CONFIRMATION_NOT_FOUND");
    if (newCode !== firstCode) {
      const stale = await stack.rest("POST", `/Confirmations/${sent.body.id}/verify`, {
        token: from.token,
        body: { code: firstCode },
      });
      expect(stale.body).toMatchObject({ code: "CONFIRMATION_CODE_INVALID", attemptsLeft: 2 });
    }

    const verified = await stack.rest("POST", `/Confirmations/${sent.body.id}/verify`, {
      token: from.token,
      body: { code: newCode },
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({
      id: transfer.id,
      kind: "outgoing",
      status: "processing",
      confirmation: { id: sent.body.id, status: "used" },
    });
    const usedAgain = await stack.rest("POST", `/Confirmations/${sent.body.id}/verify`, {
      token: from.token,
      body: { code: newCode },
    });
    expect(usedAgain.status).toBe(409);
  });

  it("When the transfer or confirmation id is malformed or unknown, or the transfer is another client's, then 400, 404 or 403", async () => {
    const from = await sender();
    const transfer = await createOutgoing(from);
    const malformed = await stack.rest("POST", "/Confirmations", {
      token: from.token,
      body: { transferId: "t-1" },
    });
    expect(malformed.body.errors).toEqual([expect.objectContaining({ field: "transferId", rule: "isUuid" })]);
    const unknown = await stack.rest("POST", "/Confirmations", { body: { transferId: randomUUID() } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("TRANSFER_NOT_FOUND");
    const noConfirmation = await stack.rest("POST", `/Confirmations/${randomUUID()}/verify`, {
      body: { code: "123456" },
    });
    expect(noConfirmation.status).toBe(404);
    expect(noConfirmation.body.code).toBe("CONFIRMATION_NOT_FOUND");
    const badPath = await stack.rest("POST", "/Confirmations/c-1/verify", { body: { code: "123456" } });
    expect(badPath.body.errors).toEqual([
      expect.objectContaining({ field: "confirmationId", rule: "isUuid" }),
    ]);

    const stranger = await frontOffice();
    const foreign = await stack.rest("POST", "/Confirmations", {
      token: stranger.token,
      body: { transferId: transfer.id },
    });
    expect(foreign.status).toBe(403);
    const foreignVerify = await stack.rest("POST", `/Confirmations/${transfer.confirmation.id}/verify`, {
      token: stranger.token,
      body: { code: await sentCode(stack, transfer.id) },
    });
    expect(foreignVerify.status).toBe(403);
  });
});

describe("Incoming transfers (/internal/IncomingRequests)", () => {
  function incoming(accountNumber: string, overrides: Record<string, unknown> = {}) {
    return {
      externalId: `rail-${randomUUID()}`,
      accountNumber,
      amount: "40.00",
      currency: "EUR",
      senderName: "Hans Schmidt",
      senderIban: "de89 3704 0044 0532 0130 00",
      reference: "Thanks",
      ...overrides,
    };
  }

  it("When the rail delivers money for an account of this bank, then the envelope carries the completed transfer and a second delivery credits nothing", async () => {
    const { clientId, token } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const request = incoming(account.number);
    const received = await stack.rest("POST", "/internal/IncomingRequests", { body: request });
    expect(received.status).toBe(200);
    expect(received.body).toMatchObject({
      isFailed: false,
      isSuccess: true,
      reasons: [],
      errors: [],
      successes: [],
      value: {
        kind: "incoming",
        type: "sepa",
        status: "completed",
        clientId,
        accountId: account.id,
        accountNumber: account.number,
        counterpartyName: "Hans Schmidt",
        counterpartyIban: IBAN,
        amount: "40.00",
        currency: "EUR",
        idempotencyKey: request.externalId,
        confirmation: null,
      },
    });
    expect(received.body.valueOrDefault).toEqual(received.body.value);
    const id = received.body.value.id as string;
    expect((await balance(stack, account.id)).posted).toBe("40.00");

    const again = await stack.rest("POST", "/internal/IncomingRequests", { body: request });
    expect(again.body.value.id).toBe(id);
    expect((await balance(stack, account.id)).posted).toBe("40.00");
    const changed = await stack.rest("POST", "/internal/IncomingRequests", {
      body: { ...request, amount: "41.00" },
    });
    expect(changed.status).toBe(409);
    expect(changed.body.errors[0].metadata).toMatchObject({
      code: "INCOMING_ALREADY_RECEIVED",
      transferId: id,
    });

    const own = await stack.rest("GET", `/Transfers/incoming/${id}`, { token });
    expect(own.body).toMatchObject({ id, status: "completed" });
    const internal = await stack.rest("GET", `/internal/Transfers/incoming/${id}`);
    expect(internal.body.value).toMatchObject({ id, kind: "incoming" });
  });

  it("When no account matches, then it waits unrecognized in suspense until an operator assigns it", async () => {
    const unknownNumber = "999999999999";
    const received = await stack.rest("POST", "/internal/IncomingRequests", {
      body: incoming(unknownNumber, { amount: "12.50" }),
    });
    expect(received.body.value).toMatchObject({
      status: "unrecognized",
      clientId: null,
      accountId: null,
      accountNumber: unknownNumber,
    });
    const id = received.body.value.id as string;
    const waiting = await stack.rest("GET", "/internal/Transfers/incoming?status=unrecognized&first=100");
    expect(waiting.body.value.items.map((t: any) => t.id)).toContain(id);

    const { clientId } = await frontOffice();
    const account = await openAccount(stack, { clientId });
    const badBody = await stack.rest("PUT", `/internal/Transfers/incoming/${id}/assign`, {
      body: { accountId: "a-1" },
    });
    expect(badBody.status).toBe(400);
    expect(badBody.body.errors[0].metadata).toMatchObject({ field: "accountId", rule: "isUuid" });
    const assigned = await stack.rest("PUT", `/internal/Transfers/incoming/${id}/assign`, {
      body: { accountId: account.id },
    });
    expect(assigned.status).toBe(200);
    expect(assigned.body.value).toMatchObject({ id, status: "completed", clientId, accountId: account.id });
    expect((await balance(stack, account.id)).posted).toBe("12.50");
    const twice = await stack.rest("PUT", `/internal/Transfers/incoming/${id}/assign`, {
      body: { accountId: account.id },
    });
    expect(twice.status).toBe(409);
  });

  it("When the request breaks a rule, then the envelope names the REST field", async () => {
    const noSender = incoming("123456789012", { senderName: undefined });
    const missing = await stack.rest("POST", "/internal/IncomingRequests", { body: noSender });
    expect(missing.status).toBe(400);
    expect(missing.body.errors[0].metadata).toMatchObject({ field: "senderName", rule: "required" });
    const badIban = await stack.rest("POST", "/internal/IncomingRequests", {
      body: incoming("123456789012", { senderIban: "DE00370400440532013000" }),
    });
    expect(badIban.status).toBe(400);
    expect(badIban.body.errors[0].metadata).toMatchObject({ field: "senderIban", rule: "ibanChecksum" });
  });
});

describe("Foreign exchange (/Transfers/foreign-exchange)", () => {
  it("When a client quotes and exchanges EUR into USD, then the transfer completes at the quoted rate and the quote buys one transfer", async () => {
    const { clientId, token } = await frontOffice();
    const eur = await openAccount(stack, { clientId });
    const usd = await openAccount(stack, { clientId, currency: "USD" });
    await fund(stack, eur.id, "200.00");

    const quote = await stack.rest("POST", "/Transfers/foreign-exchange/quotes", {
      token,
      body: { sourceAccountId: eur.id, targetAccountId: usd.id, amount: "100.00" },
    });
    expect(quote.status).toBe(200);
    expect(quote.body).toMatchObject({
      id: expect.any(String),
      sourceAccountId: eur.id,
      targetAccountId: usd.id,
      sourceAmount: "100.00",
      sourceCurrency: "EUR",
      targetCurrency: "USD",
      midRate: "1.08500000",
      spreadBps: 50,
      expiresAt: expect.any(String),
    });
    expect(Number(quote.body.rate)).toBeLessThan(1.085);

    const missingKey = await post("/Transfers/foreign-exchange", { quoteId: quote.body.id }, token, null);
    expect(missingKey.status).toBe(400);
    expect(missingKey.body.errors).toEqual([
      expect.objectContaining({ field: "Idempotency-Key", rule: "required" }),
    ]);

    const key = randomUUID();
    const exchanged = await post("/Transfers/foreign-exchange", { quoteId: quote.body.id }, token, key);
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({
      kind: "fx",
      type: "internal",
      status: "completed",
      accountId: eur.id,
      counterAccountId: usd.id,
      amount: "100.00",
      currency: "EUR",
      fx: {
        sourceAmount: "100.00",
        sourceCurrency: "EUR",
        targetAmount: quote.body.targetAmount,
        targetCurrency: "USD",
        rate: quote.body.rate,
        quoteId: quote.body.id,
      },
    });
    expect((await balance(stack, eur.id)).posted).toBe("100.00");
    expect((await balance(stack, usd.id)).posted).toBe(quote.body.targetAmount);

    const replay = await post("/Transfers/foreign-exchange", { quoteId: quote.body.id }, token, key);
    expect(replay.body.id).toBe(exchanged.body.id);
    const second = await post("/Transfers/foreign-exchange", { quoteId: quote.body.id }, token);
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: "QUOTE_ALREADY_USED", transferId: exchanged.body.id });

    const read = await stack.rest("GET", `/Transfers/foreign-exchange/${exchanged.body.id}`, { token });
    expect(read.body).toMatchObject({ id: exchanged.body.id, kind: "fx" });
    const listed = await stack.rest("GET", `/internal/Transfers/foreign-exchange?clientId=${clientId}`);
    expect(listed.body.value).toMatchObject({ totalCount: 1, items: [{ id: exchanged.body.id }] });
    const internal = await stack.rest("GET", `/internal/Transfers/foreign-exchange/${exchanged.body.id}`);
    expect(internal.body.value.fx.quoteId).toBe(quote.body.id);
  });

  it("When a quote asks for one currency, another client's account or a malformed id, then 400 names the field; an unknown quote is 404, an expired one 410", async () => {
    const { clientId, token } = await frontOffice();
    const eur = await openAccount(stack, { clientId });
    const eur2 = await openAccount(stack, { clientId });
    const sameCurrency = await stack.rest("POST", "/Transfers/foreign-exchange/quotes", {
      token,
      body: { sourceAccountId: eur.id, targetAccountId: eur2.id, amount: "1.00" },
    });
    expect(sameCurrency.status).toBe(400);
    expect(sameCurrency.body.errors).toEqual([
      expect.objectContaining({ field: "targetAccountId", rule: "otherCurrency" }),
    ]);
    const others = await openAccount(stack, { currency: "USD" });
    const foreign = await stack.rest("POST", "/Transfers/foreign-exchange/quotes", {
      token,
      body: { sourceAccountId: eur.id, targetAccountId: others.id, amount: "1.00" },
    });
    expect(foreign.body.errors).toEqual([
      expect.objectContaining({ field: "targetAccountId", rule: "sameClient" }),
    ]);
    const malformed = await stack.rest("POST", "/Transfers/foreign-exchange/quotes", {
      token,
      body: { sourceAccountId: "x", targetAccountId: others.id, amount: "1.00" },
    });
    expect(malformed.body.errors).toEqual([
      expect.objectContaining({ field: "sourceAccountId", rule: "isUuid" }),
    ]);
    const usd = await openAccount(stack, { clientId, currency: "USD" });
    const quote = await stack.rest("POST", "/Transfers/foreign-exchange/quotes", {
      token,
      body: { sourceAccountId: eur.id, targetAccountId: usd.id, amount: "1.00" },
    });
    await sql(stack, `UPDATE transfer.fx_quote SET expires_at = now() - interval '1 second' WHERE id = $1`, [
      quote.body.id,
    ]);
    const expired = await post("/Transfers/foreign-exchange", { quoteId: quote.body.id }, token);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ code: "QUOTE_EXPIRED", quoteId: quote.body.id });
    const unknown = await post("/Transfers/foreign-exchange", { quoteId: randomUUID() }, token);
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe("QUOTE_NOT_FOUND");
  });
});

describe("GET /Recipients", () => {
  it("When includeHidden is true or false, then it filters; anything else is 400 naming includeHidden", async () => {
    const { token } = await sender();
    const list = (value: string) => stack.rest("GET", `/Recipients?includeHidden=${value}`, { token });
    expect((await list("true")).body.totalCount).toBe(1);
    expect((await list("false")).body.totalCount).toBe(1);
    for (const value of ["maybe", "1", "TRUE", ""]) {
      const refused = await list(value);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([
        expect.objectContaining({ field: "includeHidden", rule: "type" }),
      ]);
    }
  });
});

describe("GET /Transfers/type", () => {
  it("When asked for an IBAN or an account number of this bank, then it answers the rail: sepa, fasterPayments, swift or internal", async () => {
    const { token } = await frontOffice();
    const account = await openAccount(stack);
    const typeOf = async (recipientAccountNumber: string, currency: string) =>
      (
        await stack.rest(
          "GET",
          `/Transfers/type?recipientAccountNumber=${encodeURIComponent(recipientAccountNumber)}&currency=${currency}`,
          { token },
        )
      ).body;
    expect(await typeOf("DE89 3704 0044 0532 0130 00", "EUR")).toEqual({ type: "sepa" });
    expect(await typeOf("GB82WEST12345698765432", "GBP")).toEqual({ type: "fasterPayments" });
    expect(await typeOf(IBAN, "USD")).toEqual({ type: "swift" });
    expect(await typeOf(account.number, "EUR")).toEqual({ type: "internal" });
  });

  it("When the account number is no IBAN or a parameter is missing, then 400 names it", async () => {
    const bad = await stack.rest(
      "GET",
      "/Transfers/type?recipientAccountNumber=DE00370400440532013000&currency=EUR",
    );
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([
      expect.objectContaining({ field: "recipientAccountNumber", rule: "ibanChecksum" }),
    ]);
    const missing = await stack.rest("GET", `/Transfers/type?recipientAccountNumber=${IBAN}`);
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: "currency", rule: "required" })]);
  });
});

describe("Kind-specific paths and who may call them", () => {
  it("When a transfer is read under another kind's path, then 404 TRANSFER_NOT_FOUND; under its own or the generic path, 200", async () => {
    const from = await sender();
    const transfer = await createOutgoing(from);
    for (const path of [`/Transfers/incoming/${transfer.id}`, `/Transfers/foreign-exchange/${transfer.id}`]) {
      const response = await stack.rest("GET", path, { token: from.token });
      expect({ path, status: response.status, code: response.body.code }).toEqual({
        path,
        status: 404,
        code: "TRANSFER_NOT_FOUND",
      });
    }
    const internal = await stack.rest("GET", `/internal/Transfers/incoming/${transfer.id}`);
    expect(internal.status).toBe(404);
    expect(internal.body).toMatchObject({ isFailed: true, value: null });
    expect(internal.body.errors[0].metadata.code).toBe("TRANSFER_NOT_FOUND");
    expect(
      (await stack.rest("GET", `/Transfers/outgoing/${transfer.id}`, { token: from.token })).status,
    ).toBe(200);
    expect((await stack.rest("GET", `/Transfers/${transfer.id}`, { token: from.token })).body.kind).toBe(
      "outgoing",
    );
    const unknown = await stack.rest("GET", `/Transfers/outgoing/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    const malformed = await stack.rest("GET", "/Transfers/outgoing/t-1");
    expect(malformed.body.errors).toEqual([expect.objectContaining({ field: "transferId", rule: "isUuid" })]);
  });

  it("When a front-office token calls an /internal transfer route or reads another client's transfer, then 403 and nothing changes", async () => {
    const from = await sender();
    const transfer = await createOutgoing(from);
    const listed = await stack.rest("GET", "/internal/Transfers/outgoing", { token: from.token });
    expect(listed.status).toBe(403);
    expect(listed.body).toMatchObject({ isFailed: true, value: null });
    expect(listed.body.errors[0].metadata.code).toBe("FORBIDDEN");
    const incoming = await stack.rest("POST", "/internal/IncomingRequests", {
      token: from.token,
      body: {
        externalId: `rail-${randomUUID()}`,
        accountNumber: from.account.number,
        amount: "1000.00",
        currency: "EUR",
        senderName: "Me",
      },
    });
    expect(incoming.status).toBe(403);
    expect((await balance(stack, from.account.id)).posted).toBe("100.00");

    const stranger = await frontOffice();
    const read = await stack.rest("GET", `/Transfers/outgoing/${transfer.id}`, { token: stranger.token });
    expect(read.status).toBe(403);
    expect(read.body.code).toBe("FORBIDDEN");
    const own = await stack.rest("GET", "/Transfers", { token: stranger.token });
    expect(own.body.totalCount).toBe(0);
  });
});
