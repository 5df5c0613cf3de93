/**
 * The transfer orchestrator's use cases, one instance per request. So far: recipients and
 * internal transfers. A front-office caller works with its own client's data only.
 */
import { createHash } from "node:crypto";
import {
  type Caller,
  clientIdFor,
  listScope,
  requireClientAccess,
  requireSystem,
} from "../../common/auth/caller";
import { AppError, validationError } from "../../common/errors";
import { type Page, pageRequest, toPage } from "../../common/graphql/pagination";
import { ibanProblem, normalizeIban } from "./domain/iban";
import { isFinished, stepKey, TransferKind, TransferStatus } from "./domain/transfer-status";
import type { LedgerClient } from "./ledger-client";
import type { RecipientRow, TransferRow } from "./persistence/entities";
import type { TransferLoaders } from "./persistence/transfer.loaders";
import type { RecipientFilter, TransferFilter, TransferRepository } from "./persistence/transfer.repository";

/** Ledger refusals that end a transfer as FAILED; anything else (the ledger unreachable) leaves it to be continued. */
const FINAL_LEDGER_ERRORS = new Set([
  "INSUFFICIENT_FUNDS",
  "CURRENCY_MISMATCH",
  "ACCOUNT_NOT_ACTIVE",
  "ACCOUNT_NOT_FOUND",
  "VALIDATION_FAILED",
]);

const IBAN_RULES = {
  format: "an IBAN is a country code, two check digits and up to 30 letters or digits",
  length: "this country's IBANs have another length",
  checksum: "the check digits do not match: the IBAN has a typing error",
} as const;

export class TransferService {
  constructor(
    private readonly repository: TransferRepository,
    private readonly loaders: TransferLoaders,
    private readonly caller: Caller,
    private readonly requestId: string,
    private readonly ledger: LedgerClient,
  ) {}

  // Transfers

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
    if (!/^\d{1,16}(\.\d{1,3})?$/.test(input.amount) || !/[1-9]/.test(input.amount)) {
      throw validationError([
        {
          field: "amount",
          rule: "isDecimal",
          message: 'amount must be a positive decimal number such as "10.50"',
        },
      ]);
    }
    const debit = await this.ledger.account(input.debitAccountId, this.requestId);
    if (!debit) {
      throw new AppError("ACCOUNT_NOT_FOUND", "No such debit account", { field: "debitAccountId" });
    }
    if (!debit.clientId)
      requireSystem(this.caller); // the bank's own accounts
    else requireClientAccess(this.caller, debit.clientId);
    const request = [input.debitAccountId, input.creditAccountId, input.amount, input.reference ?? null];
    const hash = createHash("sha256").update(JSON.stringify(request)).digest("hex");
    const facts = { reason: null, changedBy: this.caller.subject, requestId: this.requestId };
    const created = await this.repository.insertTransfer(
      {
        kind: TransferKind.INTERNAL,
        clientId: debit.clientId ?? this.caller.subject,
        accountId: input.debitAccountId.toLowerCase(),
        counterAccountId: input.creditAccountId.toLowerCase(),
        amount: input.amount,
        currency: debit.currency,
        reference: input.reference ?? null,
        idempotencyScope: this.caller.subject,
        idempotencyKey,
        requestHash: hash,
      },
      TransferStatus.CREATED,
      facts,
    );
    if (created) return this.pay(created);
    const existing = await this.repository.transferByKey(this.caller.subject, idempotencyKey);
    if (!existing || existing.requestHash !== hash) {
      throw new AppError("IDEMPOTENCY_KEY_REUSED", "This idempotency key was used for a different transfer", {
        transferId: existing?.id,
      });
    }
    return this.pay(existing);
  }

  /**
   * Operator action (system): runs the transfer's next step now, or resumes one that stopped
   * half way. Safe to call twice: a step already done is answered by the ledger from its
   * idempotency key; a finished transfer is refused with TRANSFER_ALREADY_FINISHED.
   */
  async continueTransfer(id: string): Promise<TransferRow> {
    requireSystem(this.caller);
    const [transfer] = await this.repository.transfersByIds([id]);
    if (!transfer) throw new AppError("TRANSFER_NOT_FOUND", `No transfer ${id}`, { transferId: id });
    if (isFinished(transfer.kind as TransferKind, transfer.status as TransferStatus)) {
      throw new AppError("TRANSFER_ALREADY_FINISHED", `The transfer is already ${transfer.status}`, {
        transferId: id,
        status: transfer.status,
      });
    }
    return this.pay(transfer);
  }

  async transfer(id: string): Promise<TransferRow | null> {
    const transfer = await this.loaders.transferById.load(id);
    if (this.caller.kind === "client" && transfer?.clientId !== this.caller.clientId) {
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
    const page = pageRequest(first, after);
    const { rows, total } = await this.repository.listTransfers(
      { ...filter, clientId },
      page.size,
      page.after,
    );
    return toPage(rows, page.size, total);
  }

  statusHistory(transferId: string) {
    return this.loaders.eventsByTransferId.load(transferId);
  }

  /** The payment step: safe to run again on a CREATED transfer (the ledger key makes it happen once). */
  private async pay(transfer: TransferRow): Promise<TransferRow> {
    if (transfer.status !== TransferStatus.CREATED) return transfer;
    const facts = { changedBy: this.caller.subject, requestId: this.requestId };
    let paymentId: string;
    try {
      const payment = await this.ledger.createPayment(
        {
          debitAccountId: transfer.accountId,
          creditAccountId: transfer.counterAccountId!,
          amount: transfer.amount,
          description: transfer.reference ? `Transfer: ${transfer.reference}` : `Transfer ${transfer.id}`,
          metadata: { transferId: transfer.id },
        },
        stepKey(transfer.id, "payment"),
        this.requestId,
      );
      paymentId = payment.id;
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      if (FINAL_LEDGER_ERRORS.has(error.code)) {
        await this.repository.moveTransfer(
          transfer.id,
          TransferStatus.CREATED,
          TransferStatus.FAILED,
          { failureCode: error.code },
          { ...facts, reason: error.code },
        );
      }
      throw new AppError(error.code, error.message, { ...error.details, transferId: transfer.id });
    }
    const moved = await this.repository.moveTransfer(
      transfer.id,
      TransferStatus.CREATED,
      TransferStatus.COMPLETED,
      { paymentId },
      { ...facts, reason: null },
    );
    return moved ?? (await this.repository.transfersByIds([transfer.id]))[0];
  }

  async addRecipient(input: {
    clientId?: string | null;
    name: string;
    iban: string;
    bic?: string | null;
    currency: string;
  }) {
    const clientId = clientIdFor(this.caller, input.clientId);
    const iban = normalizeIban(input.iban);
    const problem = ibanProblem(iban);
    if (problem) {
      throw validationError([
        {
          field: "iban",
          rule: `iban${problem[0].toUpperCase()}${problem.slice(1)}`,
          message: `iban: ${IBAN_RULES[problem]}`,
        },
      ]);
    }
    const currency = input.currency.toUpperCase();
    const recipient = await this.repository.insertRecipient({
      clientId,
      name: input.name,
      iban,
      bic: input.bic ? input.bic.toUpperCase() : null,
      currency,
      country: iban.slice(0, 2),
    });
    if (!recipient) {
      const existing = await this.repository.findRecipient(clientId, iban, currency);
      throw new AppError(
        "RECIPIENT_ALREADY_EXISTS",
        "This client already has a recipient with this IBAN and currency",
        {
          field: "iban",
          recipientId: existing?.id,
        },
      );
    }
    return recipient;
  }

  /** A recipient the caller may see; a front-office caller gets FORBIDDEN for any not its own. */
  async recipient(id: string): Promise<RecipientRow | null> {
    const recipient = await this.loaders.recipientById.load(id);
    if (this.caller.kind === "client" && recipient?.clientId !== this.caller.clientId) {
      throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's recipients");
    }
    return recipient;
  }

  async recipients(
    filter: RecipientFilter,
    first?: number | null,
    after?: string | null,
  ): Promise<Page<RecipientRow>> {
    const clientId = listScope(this.caller, filter.clientId);
    const page = pageRequest(first, after);
    const { rows, total } = await this.repository.listRecipients(
      { ...filter, clientId, currency: filter.currency?.toUpperCase() },
      page.size,
      page.after,
    );
    return toPage(rows, page.size, total);
  }

  async setRecipientVisibility(id: string, visible: boolean): Promise<RecipientRow> {
    const recipient = await this.recipient(id);
    if (!recipient) throw new AppError("RECIPIENT_NOT_FOUND", `No recipient ${id}`, { recipientId: id });
    const updated = await this.repository.setVisibility(recipient.id, visible);
    if (!updated) throw new AppError("RECIPIENT_NOT_FOUND", `No recipient ${id}`, { recipientId: id });
    this.loaders.recipientById.clear(id).prime(id, updated);
    return updated;
  }
}
