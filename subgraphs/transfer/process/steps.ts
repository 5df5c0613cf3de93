/**
 * The step that runs from each (kind, status): what it asks of the ledger or the rail, and
 * where the transfer goes next. Every ledger call carries a key derived from the transfer and
 * the step, and every rail send the transfer id, so a step repeated after a crash or a lost
 * answer is answered with the first result and moves nothing twice.
 */
import type { AppError } from "../../../common/errors";
import type { TransferType } from "../domain/rails";
import { stepKey, TransferKind, TransferStatus } from "../domain/transfer-status";
import type { StepLedger } from "../ledger/batching-ledger";
import { isFinalLedgerError, type PaymentRequest } from "../ledger/ledger-client";
import type { TransferRow } from "../persistence/entities";
import type { RecipientRepository } from "../persistence/recipient.repository";
import type { TransferChanges } from "../persistence/transfer.repository";
import type { PaymentRail } from "../rail/payment-rail";

/** A step's outcome: one of the statuses it declares. */
export interface StepResult<To extends TransferStatus = TransferStatus> {
  to: To;
  changes?: TransferChanges;
  /** Recorded in the history (e.g. the ledger's or the rail's code). */
  reason?: string;
  /** The refusal that failed the transfer, for the caller who asked for this step. */
  failure?: AppError;
}

export interface StepDeps {
  ledger: StepLedger;
  rail: PaymentRail;
  recipients: RecipientRepository;
  requestId: string;
}

/**
 * The step of one (kind, status): the statuses it can move the transfer to (`to`, checked
 * against the transition table by a unit test) and what it does (`run`, whose result the type
 * keeps within `to`).
 */
export interface Step {
  to: readonly TransferStatus[];
  run: (transfer: TransferRow, deps: StepDeps) => Promise<StepResult>;
}

function step<const To extends TransferStatus>(
  to: readonly To[],
  run: (transfer: TransferRow, deps: StepDeps) => Promise<StepResult<NoInfer<To>>>,
): Step {
  return { to, run };
}

const S = TransferStatus;

function describe(transfer: TransferRow, what: string): string {
  return transfer.reference ? `${what}: ${transfer.reference}` : `${what} ${transfer.id}`;
}

/** One ledger payment that moves money at once; a final refusal becomes `onRefusal`. */
async function pay<Done extends TransferStatus, Refused extends TransferStatus>(
  transfer: TransferRow,
  deps: StepDeps,
  name: string,
  request: PaymentRequest,
  outcome: { done: Done; refused: Refused; recordPayment?: boolean },
): Promise<StepResult<Done | Refused>> {
  try {
    const payment = await deps.ledger.createPayment(request, stepKey(transfer.id, name), deps.requestId);
    return { to: outcome.done, changes: outcome.recordPayment === false ? {} : { paymentId: payment.id } };
  } catch (error) {
    if (!isFinalLedgerError(error)) throw error;
    return { to: outcome.refused, changes: { failureCode: error.code }, reason: error.code, failure: error };
  }
}

function incomingPayment(t: TransferRow, debitAccountId: string, creditAccountId: string): PaymentRequest {
  return {
    debitAccountId,
    creditAccountId,
    amount: t.amount,
    description: describe(t, `Transfer from ${t.counterpartyName}`),
    metadata: { transferId: t.id, iban: t.counterpartyIban },
  };
}

/** Incoming money no account takes: from settlement into the suspense account, to wait for an operator. */
async function suspend(
  t: TransferRow,
  deps: StepDeps,
  reason: string,
): Promise<StepResult<TransferStatus.UNRECOGNIZED>> {
  const payment = await deps.ledger.createPayment(
    incomingPayment(t, await bank(deps, "SETTLEMENT", t.currency), await bank(deps, "SUSPENSE", t.currency)),
    stepKey(t.id, "suspense"),
    deps.requestId,
  );
  return { to: S.UNRECOGNIZED, changes: { paymentId: payment.id }, reason };
}

async function bank(deps: StepDeps, kind: "SETTLEMENT" | "SUSPENSE" | "FX_POSITION", currency: string) {
  return (await deps.ledger.bankAccount(kind, currency, deps.requestId)).id;
}

export const STEPS: Readonly<Record<TransferKind, Readonly<Partial<Record<TransferStatus, Step>>>>> = {
  [TransferKind.INTERNAL]: {
    [S.CREATED]: step([S.COMPLETED, S.FAILED], (t, deps) =>
      pay(
        t,
        deps,
        "payment",
        {
          debitAccountId: t.accountId!,
          creditAccountId: t.counterAccountId!,
          amount: t.amount,
          description: describe(t, "Transfer"),
          metadata: { transferId: t.id },
        },
        { done: S.COMPLETED, refused: S.FAILED },
      ),
    ),
  },

  [TransferKind.OUTGOING]: {
    /** Holds the funds: a draft payment to the settlement account, then pend. */
    [S.CONFIRMED]: step([S.PROCESSING, S.REJECTED, S.FAILED], async (t, deps) => {
      const request = {
        debitAccountId: t.accountId!,
        creditAccountId: await bank(deps, "SETTLEMENT", t.currency),
        amount: t.amount,
        description: describe(t, `Transfer to ${t.counterpartyName}`),
        metadata: { transferId: t.id, iban: t.counterpartyIban },
      };
      let draft: { id: string; status: string };
      try {
        draft = await deps.ledger.createDraftPayment(request, stepKey(t.id, "payment"), deps.requestId);
      } catch (error) {
        if (!isFinalLedgerError(error)) throw error;
        return { to: S.FAILED, changes: { failureCode: error.code }, reason: error.code, failure: error };
      }
      try {
        await deps.ledger.movePayment(draft.id, "pend", stepKey(t.id, "pend"), deps.requestId);
        return { to: S.PROCESSING, changes: { paymentId: draft.id } };
      } catch (error) {
        if (!isFinalLedgerError(error)) throw error;
        // Recorded before anything is released: the REJECTED step cancels the draft.
        return {
          to: S.REJECTED,
          changes: { paymentId: draft.id, failureCode: error.code },
          reason: error.code,
          failure: error,
        };
      }
    }),
    /** Takes it off the cancellable queue: from here on the rail may have it. */
    [S.PROCESSING]: step([S.SENDING], async () => ({ to: S.SENDING })),
    [S.SENDING]: step([S.SENT, S.REJECTED], async (t, deps) => {
      const [recipient] = await deps.recipients.recipientsByIds([t.recipientId!]);
      const answer = await deps.rail.send({
        transferId: t.id,
        rail: t.type as TransferType,
        amount: t.amount,
        currency: t.currency,
        iban: t.counterpartyIban!,
        bic: recipient?.bic ?? null,
        name: t.counterpartyName!,
        reference: t.reference,
      });
      return answer.outcome === "ACCEPTED"
        ? { to: S.SENT, changes: { railReference: answer.reference } }
        : {
            to: S.REJECTED,
            changes: { railReference: answer.reference, failureCode: "RAIL_REJECTED" },
            reason: answer.reason,
          };
    }),
    [S.SENT]: step([S.COMPLETED], async (t, deps) => {
      await deps.ledger.movePayment(t.paymentId!, "post", stepKey(t.id, "post"), deps.requestId);
      return { to: S.COMPLETED };
    }),
    // REJECTED and CANCELLING never both happen to one transfer, so they share the release's key.
    [S.REJECTED]: step([S.FAILED], async (t, deps) => {
      await deps.ledger.movePayment(t.paymentId!, "cancel", stepKey(t.id, "cancel"), deps.requestId);
      return { to: S.FAILED, reason: t.failureCode ?? undefined };
    }),
    [S.CANCELLING]: step([S.CANCELLED], async (t, deps) => {
      await deps.ledger.movePayment(t.paymentId!, "cancel", stepKey(t.id, "cancel"), deps.requestId);
      return { to: S.CANCELLED };
    }),
  },

  [TransferKind.INCOMING]: {
    /**
     * Credits the matched account from settlement, or without one the suspense account. A
     * refusal is recorded (SUSPENDING) before the money goes to suspense, so a retry never
     * credits both.
     */
    [S.RECEIVED]: step([S.COMPLETED, S.SUSPENDING, S.UNRECOGNIZED], async (t, deps) => {
      if (!t.accountId) return suspend(t, deps, "UNKNOWN_ACCOUNT");
      const credited = await pay(
        t,
        deps,
        "receipt",
        incomingPayment(t, await bank(deps, "SETTLEMENT", t.currency), t.accountId),
        { done: S.COMPLETED, refused: S.SUSPENDING },
      );
      return credited.failure
        ? {
            ...credited,
            changes: { ...credited.changes, accountId: null, clientId: null },
            failure: undefined,
          }
        : credited;
    }),
    [S.SUSPENDING]: step([S.UNRECOGNIZED], (t, deps) => suspend(t, deps, t.failureCode ?? "UNKNOWN_ACCOUNT")),
    [S.ASSIGNING]: step([S.COMPLETED, S.UNRECOGNIZED], async (t, deps) => {
      const result = await pay(
        t,
        deps,
        `assignment:${t.accountId}`,
        incomingPayment(t, await bank(deps, "SUSPENSE", t.currency), t.accountId!),
        { done: S.COMPLETED, refused: S.UNRECOGNIZED },
      );
      // A refused assignment leaves the money in suspense, waiting for another account.
      return result.failure
        ? { ...result, changes: { ...result.changes, accountId: null, clientId: null } }
        : result;
    }),
  },

  [TransferKind.FX]: {
    [S.CREATED]: step([S.SOURCE_DEBITED, S.FAILED], async (t, deps) =>
      pay(
        t,
        deps,
        "source",
        {
          debitAccountId: t.accountId!,
          creditAccountId: await bank(deps, "FX_POSITION", t.currency),
          amount: t.amount,
          description: describe(t, `Exchange to ${t.targetCurrency}`),
          metadata: { transferId: t.id, rate: t.rate },
        },
        { done: S.SOURCE_DEBITED, refused: S.FAILED },
      ),
    ),
    [S.SOURCE_DEBITED]: step([S.COMPLETED, S.REFUNDING], async (t, deps) =>
      pay(
        t,
        deps,
        "target",
        {
          debitAccountId: await bank(deps, "FX_POSITION", t.targetCurrency!),
          creditAccountId: t.counterAccountId!,
          amount: t.targetAmount!,
          description: describe(t, `Exchange from ${t.currency}`),
          metadata: { transferId: t.id, rate: t.rate },
        },
        { done: S.COMPLETED, refused: S.REFUNDING, recordPayment: false },
      ),
    ),
    [S.REFUNDING]: step([S.FAILED], async (t, deps) => {
      await deps.ledger.createPayment(
        {
          debitAccountId: await bank(deps, "FX_POSITION", t.currency),
          creditAccountId: t.accountId!,
          amount: t.amount,
          description: describe(t, "Exchange refund"),
          metadata: { transferId: t.id, refund: true },
        },
        stepKey(t.id, "refund"),
        deps.requestId,
      );
      return { to: S.FAILED, reason: t.failureCode ?? "REFUNDED" };
    }),
  },
};

/** The step to run from this transfer's status, if any (none when it waits or is finished). */
export function stepFor(transfer: Pick<TransferRow, "kind" | "status">): Step | undefined {
  return STEPS[transfer.kind as TransferKind]?.[transfer.status as TransferStatus];
}
