/**
 * The transfer orchestrator's transfer use cases, one instance per request: the four kinds of
 * transfer, confirmations, FX quotes, status events and the operators' actions (recipients:
 * recipient.service.ts). A front-office caller works
 * with its own client's data only. The steps that move money run in the engine
 * (process/engine.ts); this class records requests and decides who may do what.
 */
import { ACCOUNT_NUMBER, isValidAccountNumber } from "../../common/account-number";
import { setTimeout as sleep } from "node:timers/promises";
import { type Caller, listScope, requireClientAccess, requireSystem } from "../../common/auth/caller";
import type { TransferConfig } from "../../common/config";
import { formatDecimal, parseDecimal } from "../../common/amount";
import { AppError, validationError } from "../../common/errors";
import { requestHash } from "../../common/request-hash";
import { fetchPage, type Page } from "../../common/graphql/pagination";
import { log } from "../../common/log";
import { fxTerms } from "./domain/fx";
import { ibanError, ibanProblem, normalizeIban } from "./domain/iban";
import { afterWrongCode, codeMatches, ConfirmationStatus, hashCode, newCode } from "./domain/otp";
import { externalRail, TransferType } from "./domain/rails";
import { isFinished, TransferKind, TransferStatus, WAITING_STATUSES } from "./domain/transfer-status";
import type { LedgerAccount, LedgerClient } from "./ledger-client";
import type { ConfirmationRow, FxQuoteRow, TransferRow } from "./persistence/entities";
import type { TransferLoaders } from "./persistence/transfer.loaders";
import type { NewTransfer, TransferFilter, TransferRepository } from "./persistence/transfer.repository";
import type { RunResult, TransferEngine } from "./process/engine";
import type { RecipientService } from "./recipient.service";
import { FINAL_LEDGER_ERRORS } from "./process/steps";
import type { EventNotice, TransferEventHub } from "./events/event-hub";
import { statusStream } from "./events/status-stream";

/** A customer's request runs its transfer up to the rail's queue; the worker sends it. */
const FOR_REQUESTS = { stopAt: [TransferStatus.PROCESSING] };

/** The transfer API has always reported every problem of an amount as `isDecimal`. */
const TRANSFER_AMOUNT_RULES = { scale: "isDecimal", positive: "isDecimal" } as const;

/** The idempotency scope of incoming transfers: the rail's external id is unique across rails. */
const INCOMING_SCOPE = "incoming";

/**
 * The idempotency scope of a transfer a caller asks for: the client it acts for, whoever asks (a
 * front-office user or an operator), so an operator acting for two clients may use one key for
 * both, and a key never leads to another client's transfer (decision 0020).
 */
function clientScope(clientId: string): string {
  return `client:${clientId}`;
}

/** The same error with the transfer it concerns, so the caller can follow it up. */
function aboutTransfer(error: AppError, transferId: string): AppError {
  return new AppError(error.code, error.message, { ...error.details, transferId });
}

export class TransferService {
  constructor(
    private readonly repository: TransferRepository,
    private readonly loaders: TransferLoaders,
    private readonly caller: Caller,
    private readonly requestId: string,
    private readonly ledger: LedgerClient,
    private readonly engine: TransferEngine,
    private readonly config: TransferConfig,
    private readonly events: TransferEventHub,
    private readonly recipients: RecipientService,
  ) {}

  private get codeSecret(): string {
    return this.config.otp.secret;
  }

  private get actor() {
    return { subject: this.caller.subject, requestId: this.requestId };
  }

  private facts(reason: string | null = null) {
    return { reason, changedBy: this.caller.subject, requestId: this.requestId };
  }

  // Creating transfers

  /**
   * An internal transfer: recorded first (CREATED, with its history), then one ledger payment
   * whose idempotency key is derived from the transfer, then COMPLETED, or FAILED with the
   * ledger's code. The same key and request return the first transfer (continuing it if it
   * stopped half way); the same key with another request is refused.
   */
  async createInternalTransfer(
    input: { debitAccountId: string; creditAccountId: string; amount: string; reference?: string | null },
    idempotencyKey: string,
  ): Promise<TransferRow> {
    const debit = await this.ownAccount(input.debitAccountId, "debitAccountId");
    const amount = await this.checkAmount(input.amount, debit.currency);
    const result = await this.createOnce(
      {
        kind: TransferKind.INTERNAL,
        type: TransferType.INTERNAL,
        clientId: debit.clientId,
        accountId: debit.id,
        counterAccountId: input.creditAccountId.toLowerCase(),
        amount,
        currency: debit.currency,
        reference: input.reference ?? null,
      },
      TransferStatus.CREATED,
      [debit.id, input.creditAccountId.toLowerCase(), amount, input.reference ?? null],
      idempotencyKey,
      clientScope(debit.clientId),
    );
    return this.finish(result);
  }

  /**
   * An outgoing transfer to one of the client's recipients: recorded as PENDING_CONFIRMATION
   * with a one-time code sent through the notification outbox (never returned here). Nothing
   * is held until the code is confirmed.
   */
  async createOutgoingTransfer(
    input: { accountId: string; recipientId: string; amount: string; reference?: string | null },
    idempotencyKey: string,
  ): Promise<TransferRow> {
    const account = await this.ownAccount(input.accountId, "accountId");
    const recipient = await this.recipients.recipient(input.recipientId);
    if (!recipient || recipient.clientId !== account.clientId) {
      throw new AppError(
        "RECIPIENT_NOT_FOUND",
        `The account's client has no recipient ${input.recipientId}`,
        {
          recipientId: input.recipientId,
        },
      );
    }
    if (recipient.currency !== account.currency) {
      throw new AppError(
        "CURRENCY_MISMATCH",
        `The recipient takes ${recipient.currency} and the account holds ${account.currency}`,
        { currency: account.currency },
      );
    }
    const amount = await this.checkAmount(input.amount, account.currency);
    const result = await this.createOnce(
      {
        kind: TransferKind.OUTGOING,
        type: externalRail(recipient.country, recipient.currency),
        clientId: account.clientId,
        accountId: account.id,
        recipientId: recipient.id,
        counterpartyName: recipient.name,
        counterpartyIban: recipient.iban,
        amount,
        currency: account.currency,
        reference: input.reference ?? null,
      },
      TransferStatus.PENDING_CONFIRMATION,
      [account.id, recipient.id, amount, input.reference ?? null],
      idempotencyKey,
      clientScope(account.clientId),
      async (tx, transferId) => {
        await this.sendCode(tx, transferId, account.clientId);
      },
    );
    return result.transfer;
  }

  /**
   * Money from another bank (system: the rail's integration). Idempotent by the rail's
   * external id: delivered twice, it is credited once. A known, active account in the currency
   * is credited from the settlement account; anything else waits in suspense (UNRECOGNIZED).
   */
  async receiveIncomingTransfer(input: {
    externalId: string;
    accountNumber: string;
    amount: string;
    currency: string;
    senderName: string;
    senderIban?: string | null;
    reference?: string | null;
  }): Promise<TransferRow> {
    requireSystem(this.caller);
    const currency = input.currency.toUpperCase();
    const amount = await this.checkAmount(input.amount, currency);
    const senderIban = input.senderIban ? normalizeIban(input.senderIban) : null;
    const problem = senderIban && ibanProblem(senderIban);
    if (problem) throw ibanError("senderIban", problem);
    const number = input.accountNumber.replace(/\s/g, "");
    const account = isValidAccountNumber(number)
      ? await this.ledger.accountByNumber(number, this.requestId)
      : null;
    const matched =
      account?.clientId && account.currency === currency && account.status === "ACTIVE" ? account : null;
    // Normalised, so a redelivery that spells the same transfer differently is still the same.
    const request = [
      input.externalId,
      number,
      amount,
      currency,
      input.senderName,
      senderIban,
      input.reference ?? null,
    ];
    const key = input.externalId;
    const result = await this.createOnce(
      {
        kind: TransferKind.INCOMING,
        type: senderIban ? externalRail(senderIban.slice(0, 2), currency) : TransferType.SWIFT,
        clientId: matched?.clientId ?? null,
        accountId: matched?.id ?? null,
        accountNumber: number,
        counterpartyName: input.senderName,
        counterpartyIban: senderIban,
        amount,
        currency,
        reference: input.reference ?? null,
      },
      TransferStatus.RECEIVED,
      request,
      key,
      INCOMING_SCOPE,
    );
    return (await this.runToRest(result)).transfer;
  }

  /** A rate for exchanging `amount` of the source account's currency into the target's, good until `expiresAt`. */
  async fxQuote(sourceAccountId: string, targetAccountId: string, amount: string): Promise<FxQuoteRow> {
    const source = await this.ownAccount(sourceAccountId, "sourceAccountId");
    const target = await this.ledger.account(targetAccountId, this.requestId);
    if (!target || !source.clientId || target.clientId !== source.clientId) {
      throw validationError([
        {
          field: "targetAccountId",
          rule: "sameClient",
          message: "targetAccountId must be another account of the source account's client",
        },
      ]);
    }
    if (target.currency === source.currency) {
      throw validationError([
        {
          field: "targetAccountId",
          rule: "otherCurrency",
          message: "An exchange needs two currencies; use an internal transfer within one",
        },
      ]);
    }
    await this.checkAmount(amount, source.currency);
    const exponents = await this.ledger.exponents(this.requestId);
    const terms = fxTerms(
      this.config.fx.rates,
      this.config.fx.spreadBps,
      { code: source.currency, exponent: exponents.get(source.currency) ?? 2 },
      { code: target.currency, exponent: exponents.get(target.currency) ?? 2 },
      amount,
    );
    return this.repository.insertQuote(
      {
        clientId: source.clientId,
        sourceAccountId: source.id,
        targetAccountId: target.id,
        sourceCurrency: source.currency,
        targetCurrency: target.currency,
        sourceAmount: terms.sourceAmount,
        targetAmount: terms.targetAmount,
        midRate: terms.midRate,
        rate: terms.rate,
        spreadBps: terms.spreadBps,
      },
      this.config.fx.quoteTtlSeconds,
    );
  }

  /**
   * Exchanges at a quote: the source amount into the bank's FX position in that currency, then
   * the target amount out of the position in the other, as one process; if the second leg is
   * refused the first is refunded. A quote buys one transfer, and only before it expires.
   */
  async createFxTransfer(quoteId: string, idempotencyKey: string): Promise<TransferRow> {
    const found = await this.repository.quote(quoteId);
    if (!found || (this.caller.kind === "client" && found.quote.clientId !== this.caller.clientId)) {
      throw new AppError("QUOTE_NOT_FOUND", `No quote ${quoteId}`, { quoteId });
    }
    const { quote, expired } = found;
    const scope = clientScope(quote.clientId);
    const replay = await this.repository.transferByKey(scope, idempotencyKey);
    if (!replay && expired) {
      throw new AppError("QUOTE_EXPIRED", "The quote has expired; ask for a new one", {
        quoteId,
        expiresAt: quote.expiresAt.toISOString(),
      });
    }
    const result = await this.createOnce(
      {
        kind: TransferKind.FX,
        type: TransferType.INTERNAL,
        clientId: quote.clientId,
        accountId: quote.sourceAccountId,
        counterAccountId: quote.targetAccountId,
        amount: quote.sourceAmount,
        currency: quote.sourceCurrency,
        targetAmount: quote.targetAmount,
        targetCurrency: quote.targetCurrency,
        rate: quote.rate,
        quoteId: quote.id,
      },
      TransferStatus.CREATED,
      [quote.id],
      idempotencyKey,
      scope,
    ).catch(async (error: unknown) => {
      const used = error instanceof AppError && error.code === "IDEMPOTENCY_KEY_REUSED" ? null : error;
      if (used) throw used;
      const other = await this.repository.transferByQuote(quote.id);
      if (other && other.idempotencyKey !== idempotencyKey) {
        throw new AppError("QUOTE_ALREADY_USED", "The quote was already used by another transfer", {
          quoteId,
          transferId: other.id,
        });
      }
      throw error;
    });
    return this.finish(result);
  }

  // Confirmations

  /** Confirms an outgoing transfer with its one-time code, then holds the funds (-> PROCESSING). */
  async confirmTransfer(transferId: string, code: string): Promise<TransferRow> {
    return this.confirm(transferId, null, code);
  }

  /** The same, addressed by the confirmation (the REST Confirmations resource). */
  async verifyConfirmation(confirmationId: string, code: string): Promise<TransferRow> {
    const [confirmation] = await this.repository.confirmationsByIds([confirmationId]);
    if (!confirmation) {
      throw new AppError("CONFIRMATION_NOT_FOUND", `No confirmation ${confirmationId}`, { confirmationId });
    }
    return this.confirm(confirmation.transferId, confirmation.id, code);
  }

  /** Sends a new code for a transfer waiting for confirmation; the earlier code stops working. */
  async resendConfirmationCode(transferId: string): Promise<ConfirmationRow> {
    return this.repository.transaction(async (tx) => {
      const transfer = await this.lockForChange(tx, transferId);
      this.requireStatus(transfer, TransferKind.OUTGOING, [TransferStatus.PENDING_CONFIRMATION]);
      if ((await this.repository.countConfirmations(tx, transfer.id)) >= this.config.otp.maxCodes) {
        throw new AppError(
          "CONFIRMATION_LIMIT_REACHED",
          `This transfer has had ${this.config.otp.maxCodes} codes; cancel it and create a new one`,
          { transferId: transfer.id },
        );
      }
      const open = await this.repository.lockLatestConfirmation(tx, transfer.id);
      if (open?.status === ConfirmationStatus.OPEN) {
        await this.repository.updateConfirmation(tx, open.id, {
          attempts: open.attempts,
          status: ConfirmationStatus.VOIDED,
        });
      }
      return this.sendCode(tx, transfer.id, transfer.clientId!);
    });
  }

  async latestConfirmation(transferId: string): Promise<ConfirmationRow | null> {
    return this.loaders.latestConfirmationByTransferId.load(transferId);
  }

  private async confirm(
    transferId: string,
    confirmationId: string | null,
    code: string,
  ): Promise<TransferRow> {
    const lease = this.engine.newLease();
    const outcome = await this.repository.transaction(async (tx): Promise<AppError | TransferRow> => {
      const transfer = await this.lockForChange(tx, transferId);
      this.requireStatus(transfer, TransferKind.OUTGOING, [TransferStatus.PENDING_CONFIRMATION]);
      const confirmation = await this.repository.lockLatestConfirmation(tx, transfer.id);
      const details = { transferId: transfer.id, confirmationId: confirmation?.id };
      if (
        !confirmation ||
        (confirmationId && confirmation.id !== confirmationId) ||
        confirmation.status === ConfirmationStatus.USED ||
        confirmation.status === ConfirmationStatus.VOIDED
      ) {
        return new AppError("CONFIRMATION_NOT_FOUND", "No open confirmation for this transfer", details);
      }
      if (confirmation.status === ConfirmationStatus.LOCKED) {
        return new AppError("CONFIRMATION_LOCKED", "Too many wrong codes: ask for a new one", {
          ...details,
          attemptsLeft: 0,
        });
      }
      const [{ expired }] = (await tx.query(`SELECT $1::timestamptz <= now() AS expired`, [
        confirmation.expiresAt,
      ])) as [{ expired: boolean }];
      if (expired) {
        return new AppError("CONFIRMATION_EXPIRED", "The code has expired: ask for a new one", {
          ...details,
          expiresAt: confirmation.expiresAt.toISOString(),
        });
      }
      if (!codeMatches(this.codeSecret, transfer.id, code, confirmation.codeHash)) {
        const next = afterWrongCode(confirmation.attempts, confirmation.maxAttempts);
        await this.repository.updateConfirmation(tx, confirmation.id, next);
        return next.status === ConfirmationStatus.LOCKED
          ? new AppError("CONFIRMATION_LOCKED", "Wrong code, and that was the last attempt", {
              ...details,
              attemptsLeft: 0,
            })
          : new AppError("CONFIRMATION_CODE_INVALID", "Wrong code", {
              ...details,
              attemptsLeft: next.attemptsLeft,
            });
      }
      await this.repository.updateConfirmation(tx, confirmation.id, {
        attempts: confirmation.attempts,
        status: ConfirmationStatus.USED,
      });
      return (await this.repository.recordMove(
        tx,
        transfer.id,
        TransferStatus.PENDING_CONFIRMATION,
        TransferStatus.CONFIRMED,
        {},
        this.facts(),
        lease,
      ))!;
    });
    // A wrong code is counted (committed) before it is reported.
    if (outcome instanceof AppError) throw outcome;
    try {
      return await this.finish({ transfer: outcome, lease });
    } catch (error) {
      if (error instanceof AppError && FINAL_LEDGER_ERRORS.has(error.code)) throw error;
      // The confirmation stands: the worker holds the funds once the ledger answers again, so the
      // client is told where the transfer is rather than given an error that invites a second one.
      log.warn(
        { transferId: outcome.id, err: error, requestId: this.requestId },
        "hold deferred to the worker",
      );
      return (await this.repository.transfersByIds([outcome.id]))[0];
    }
  }

  /** Creates a confirmation and queues its code for delivery, in the caller's transaction. */
  private async sendCode(
    tx: Parameters<TransferRepository["insertConfirmation"]>[0],
    transferId: string,
    clientId: string,
  ) {
    const code = newCode();
    const confirmation = await this.repository.insertConfirmation(tx, {
      transferId,
      codeHash: hashCode(this.codeSecret, transferId, code),
      maxAttempts: this.config.otp.maxAttempts,
      ttlSeconds: this.config.otp.ttlSeconds,
    });
    await this.repository.queueNotification(tx, clientId, "TRANSFER_CONFIRMATION_CODE", {
      transferId,
      confirmationId: confirmation.id,
      code,
      expiresAt: confirmation.expiresAt,
    });
    // The code goes to the outbox only, never to the log.
    log.info(
      { transferId, confirmationId: confirmation.id, clientId, requestId: this.requestId },
      "confirmation code queued for delivery",
    );
    return confirmation;
  }

  // Changing transfers

  /**
   * Cancels an outgoing transfer the rail does not have yet: before confirmation nothing is
   * held (-> CANCELLED); after, the hold is released (CANCELLING -> CANCELLED).
   */
  async cancelTransfer(transferId: string): Promise<TransferRow> {
    const lease = this.engine.newLease();
    const moved = await this.repository.transaction(async (tx) => {
      const transfer = await this.lockForChange(tx, transferId);
      this.requireStatus(transfer, TransferKind.OUTGOING, [
        TransferStatus.PENDING_CONFIRMATION,
        TransferStatus.PROCESSING,
      ]);
      if (transfer.status === TransferStatus.PENDING_CONFIRMATION) {
        const open = await this.repository.lockLatestConfirmation(tx, transfer.id);
        if (open?.status === ConfirmationStatus.OPEN) {
          await this.repository.updateConfirmation(tx, open.id, {
            attempts: open.attempts,
            status: ConfirmationStatus.VOIDED,
          });
        }
      }
      const to =
        transfer.status === TransferStatus.PROCESSING ? TransferStatus.CANCELLING : TransferStatus.CANCELLED;
      return (await this.repository.recordMove(
        tx,
        transfer.id,
        transfer.status,
        to,
        {},
        this.facts("CANCELLED"),
        lease,
      ))!;
    });
    return (await this.runToRest({ transfer: moved, lease })).transfer;
  }

  /** Operator (system): credits an unrecognised incoming transfer, held in suspense, to an account. */
  async assignIncomingTransfer(transferId: string, accountId: string): Promise<TransferRow> {
    requireSystem(this.caller);
    const [transfer] = await this.repository.transfersByIds([transferId]);
    if (!transfer) throw new AppError("TRANSFER_NOT_FOUND", `No transfer ${transferId}`, { transferId });
    this.requireStatus(transfer, TransferKind.INCOMING, [TransferStatus.UNRECOGNIZED]);
    const account = await this.ledger.account(accountId, this.requestId);
    if (!account?.clientId) {
      throw new AppError("ACCOUNT_NOT_FOUND", `No client account ${accountId}`, {
        field: "accountId",
        accountId,
      });
    }
    if (account.currency !== transfer.currency) {
      throw new AppError(
        "CURRENCY_MISMATCH",
        `The account holds ${account.currency}, the transfer is in ${transfer.currency}`,
        {
          currency: transfer.currency,
        },
      );
    }
    const lease = this.engine.newLease();
    const moved = await this.repository.moveTransfer(
      transfer.id,
      TransferStatus.UNRECOGNIZED,
      TransferStatus.ASSIGNING,
      { accountId: account.id, clientId: account.clientId, failureCode: null },
      this.facts("ASSIGNED"),
      lease,
    );
    if (!moved) return this.assignIncomingTransfer(transferId, accountId); // moved meanwhile: report its state
    return this.finish({ transfer: moved, lease });
  }

  /**
   * Operator (system): runs the transfer's next step now (`oneStep`), or resumes it until it
   * finishes or waits for a person. Safe to call twice: a step already done is answered from its
   * idempotency key; a finished transfer is refused with TRANSFER_ALREADY_FINISHED.
   */
  async continueTransfer(id: string, oneStep = false): Promise<TransferRow> {
    requireSystem(this.caller);
    const [transfer] = await this.repository.transfersByIds([id]);
    if (!transfer) throw new AppError("TRANSFER_NOT_FOUND", `No transfer ${id}`, { transferId: id });
    this.requireRunnable(transfer);
    const result = await this.engine.run(transfer.id, this.actor, { maxSteps: oneStep ? 1 : Infinity });
    return result.transfer;
  }

  /** Which way money to this account number and currency would go (INTERNAL for this bank's account numbers). */
  async transferType(recipientAccountNumber: string, currency: string): Promise<TransferType> {
    const number = recipientAccountNumber.replace(/\s/g, "");
    // Recognised by its format alone: asking the ledger would tell anyone which numbers exist.
    if (ACCOUNT_NUMBER.test(number)) {
      if (isValidAccountNumber(number)) return TransferType.INTERNAL;
      throw validationError([
        {
          field: "recipientAccountNumber",
          rule: "accountNumberChecksum",
          message: "recipientAccountNumber: the check digit does not match: the number has a typing error",
        },
      ]);
    }
    const iban = normalizeIban(recipientAccountNumber);
    const problem = ibanProblem(iban);
    if (problem) throw ibanError("recipientAccountNumber", problem);
    return externalRail(iban.slice(0, 2), currency);
  }

  // Reading transfers

  async transfer(id: string): Promise<TransferRow | null> {
    const transfer = await this.loaders.transferById.load(id);
    if (this.caller.kind === "client" && transfer && transfer.clientId !== this.caller.clientId) {
      throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's transfers");
    }
    return transfer;
  }

  async transfers(
    filter: TransferFilter,
    first?: number | null,
    after?: string | null,
  ): Promise<Page<TransferRow>> {
    const clientId = listScope(this.caller, filter.clientId);
    return fetchPage(first, after, (size, position) =>
      this.repository.listTransfers({ ...filter, clientId }, size, position),
    );
  }

  statusHistory(transferId: string) {
    return this.loaders.eventsByTransferId.load(transferId);
  }

  /** The transfer as it is now (a subscription reads it again for every event). */
  async currentTransfer(id: string): Promise<TransferRow | null> {
    this.loaders.transferById.clear(id);
    return this.transfer(id);
  }

  /**
   * Status changes as they commit, filtered by transfer, client and account. A front-office
   * caller only ever gets its own client's, whatever it filters on. `afterSequence` (with a
   * transferId) first replays the events after it.
   */
  async statusEvents(filter: {
    transferId?: string | null;
    clientId?: string | null;
    accountId?: string | null;
    afterSequence?: string | null;
  }): Promise<AsyncIterable<EventNotice>> {
    let afterSequence: number | null = null;
    if (filter.afterSequence != null) {
      if (!filter.transferId || !/^\d{1,9}$/.test(filter.afterSequence)) {
        throw validationError([
          {
            field: "afterSequence",
            rule: "sequenceOfTransfer",
            message: "afterSequence is a transfer's sequence number (0 or more) and needs transferId",
          },
        ]);
      }
      afterSequence = Number(filter.afterSequence);
    }
    if (filter.transferId) await this.transfer(filter.transferId); // FORBIDDEN for another client's
    return statusStream(this.events, this.repository, {
      transferId: filter.transferId?.toLowerCase(),
      clientId: this.caller.kind === "client" ? this.caller.clientId : filter.clientId?.toLowerCase(),
      accountId: filter.accountId?.toLowerCase(),
      afterSequence,
    });
  }

  /** One status change as a query (front office: its own transfers); the gateway enriches events with it. */
  async statusEvent(
    transferId: string,
    sequence: number,
  ): Promise<{ notice: EventNotice; transfer: TransferRow } | null> {
    const transfer = await this.transfer(transferId);
    const event = transfer && (await this.repository.event(transfer.id, sequence));
    if (!transfer || !event) return null;
    const notice = {
      transferId: transfer.id,
      sequence: event.sequence,
      clientId: transfer.clientId,
      accountId: transfer.accountId,
      counterAccountId: transfer.counterAccountId,
      from: event.from,
      to: event.to,
      reason: event.reason,
      changedBy: event.changedBy,
      changedAt: event.changedAt.toISOString(),
    };
    return { notice, transfer };
  }

  // Shared steps

  /**
   * Records a transfer once per idempotency key in `scope` (the client's, or the rail's for
   * incoming): a new one with the lease held by this request (unless it waits for a person), or
   * the earlier one for the same request; the same key with another request is
   * IDEMPOTENCY_KEY_REUSED, which names no transfer.
   */
  private async createOnce(
    transfer: Omit<NewTransfer, "idempotencyScope" | "idempotencyKey" | "requestHash">,
    status: TransferStatus,
    request: unknown,
    idempotencyKey: string,
    scope: string,
    alsoInTransaction?: Parameters<TransferRepository["insertTransfer"]>[4],
  ): Promise<{ transfer: TransferRow; lease?: ReturnType<TransferEngine["newLease"]> }> {
    const hash = requestHash(request);
    const lease = WAITING_STATUSES.includes(status) ? undefined : this.engine.newLease();
    const created = await this.repository.insertTransfer(
      { ...transfer, idempotencyScope: scope, idempotencyKey, requestHash: hash },
      status,
      this.facts(),
      lease ?? null,
      alsoInTransaction,
    );
    if (created) return { transfer: created, lease };
    const existing = await this.repository.transferByKey(scope, idempotencyKey);
    if (!existing || existing.requestHash !== hash) {
      if (scope === INCOMING_SCOPE) {
        throw new AppError(
          "INCOMING_ALREADY_RECEIVED",
          "An incoming transfer with this external id was received with other details",
          { transferId: existing?.id },
        );
      }
      throw new AppError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for a different transfer");
    }
    return { transfer: existing };
  }

  /**
   * Runs a transfer as far as it goes now: with the lease it was created with, or by taking it.
   * A transfer someone else is running (or that waits or is finished) is answered as it is.
   */
  private async runToRest(created: {
    transfer: TransferRow;
    lease?: ReturnType<TransferEngine["newLease"]>;
  }): Promise<RunResult> {
    const { transfer, lease } = created;
    if (lease) return this.engine.runClaimed(transfer, lease, this.actor, FOR_REQUESTS);
    if (this.isResting(transfer)) return { transfer };
    try {
      return await this.engine.run(transfer.id, this.actor, FOR_REQUESTS);
    } catch (error) {
      if (!(error instanceof AppError && error.code === "TRANSFER_BUSY")) throw error;
      return { transfer: await this.afterRunner(transfer.id) };
    }
  }

  /**
   * A repeated request that finds the first one still running waits a little for its outcome
   * (polling, up to five seconds), so both answer the same; after that, the state as it is.
   */
  private async afterRunner(transferId: string): Promise<TransferRow> {
    const until = Date.now() + 5_000;
    for (;;) {
      const [current] = await this.repository.transfersByIds([transferId]);
      if (!current.leaseOwner || Date.now() > until) return current;
      await sleep(50);
    }
  }

  /** {@link runToRest}, then the refusal that failed the transfer (if any) as this request's error. */
  private async finish(
    created: { transfer: TransferRow; lease?: ReturnType<TransferEngine["newLease"]> } | RunResult,
  ) {
    const { transfer, failure } =
      "failure" in created ? (created as RunResult) : await this.runToRest(created);
    if (failure) throw aboutTransfer(failure, transfer.id);
    return transfer;
  }

  private isResting(transfer: TransferRow): boolean {
    return (
      isFinished(transfer.kind as TransferKind, transfer.status as TransferStatus) ||
      WAITING_STATUSES.includes(transfer.status as TransferStatus)
    );
  }

  private requireRunnable(transfer: TransferRow): void {
    if (isFinished(transfer.kind as TransferKind, transfer.status as TransferStatus)) {
      throw new AppError("TRANSFER_ALREADY_FINISHED", `The transfer is already ${transfer.status}`, {
        transferId: transfer.id,
        status: transfer.status,
      });
    }
    if (WAITING_STATUSES.includes(transfer.status as TransferStatus)) {
      throw new AppError(
        "TRANSFER_INVALID_STATE",
        transfer.status === TransferStatus.PENDING_CONFIRMATION
          ? "The transfer waits for the client's confirmation code"
          : "The transfer waits for an operator to assign it to an account",
        { transferId: transfer.id, status: transfer.status },
      );
    }
  }

  /** Refuses an action the transfer's kind or status does not allow. */
  private requireStatus(transfer: TransferRow, kind: TransferKind, allowed: TransferStatus[]): void {
    if (transfer.kind === kind && allowed.includes(transfer.status as TransferStatus)) return;
    if (isFinished(transfer.kind as TransferKind, transfer.status as TransferStatus)) {
      throw new AppError("TRANSFER_ALREADY_FINISHED", `The transfer is already ${transfer.status}`, {
        transferId: transfer.id,
        status: transfer.status,
      });
    }
    throw new AppError(
      "TRANSFER_INVALID_STATE",
      `A ${transfer.kind} transfer in ${transfer.status} does not allow this (needs ${kind} in ${allowed.join(" or ")})`,
      { transferId: transfer.id, status: transfer.status },
    );
  }

  /** The transfer locked for the rest of `tx`, if the caller may change it. */
  private async lockForChange(
    tx: Parameters<TransferRepository["lockTransfer"]>[0],
    transferId: string,
  ): Promise<TransferRow> {
    const transfer = await this.repository.lockTransfer(tx, transferId);
    if (!transfer) throw new AppError("TRANSFER_NOT_FOUND", `No transfer ${transferId}`, { transferId });
    if (this.caller.kind === "client" && transfer.clientId !== this.caller.clientId) {
      throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's transfers");
    }
    return transfer;
  }

  /**
   * A client account the caller may debit: its own (front office), any client's (system). The
   * bank's own accounts move money through ledger payments, not transfers.
   */
  private async ownAccount(accountId: string, field: string): Promise<LedgerAccount & { clientId: string }> {
    const account = await this.ledger.account(accountId, this.requestId);
    if (!account) throw new AppError("ACCOUNT_NOT_FOUND", `No account ${accountId}`, { field, accountId });
    if (!account.clientId) {
      throw validationError([
        {
          field,
          rule: "clientAccount",
          message: `${field} must be a client's account, not one of the bank's own`,
        },
      ]);
    }
    requireClientAccess(this.caller, account.clientId);
    return { ...account, clientId: account.clientId };
  }

  /**
   * A positive decimal within the currency's exponent, checked before anything is recorded;
   * answered with as many decimals as the currency has ("40" in EUR is "40.00").
   */
  private async checkAmount(amount: string, currency: string): Promise<string> {
    const exponent = (await this.ledger.exponents(this.requestId)).get(currency);
    if (exponent === undefined) {
      throw new AppError("VALIDATION_FAILED", `The bank does not offer ${currency}`, {
        fields: [
          { field: "currency", rule: "offeredCurrency", message: `${currency} is not an offered currency` },
        ],
      });
    }
    const minor = parseDecimal(amount, { code: currency, exponent }, { rules: TRANSFER_AMOUNT_RULES });
    return formatDecimal(minor, exponent);
  }
}
