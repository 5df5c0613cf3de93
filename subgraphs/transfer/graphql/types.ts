import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import {
  DocumentFields,
  DocumentUploadFields,
  registerDocumentEnums,
} from "../../../common/documents/graphql";
import { Connection } from "../../../common/graphql/pagination";
import { TransferDocumentCategory } from "../domain/documents";
import { ConfirmationStatus } from "../../../common/otp";
import { TRANSFER_FAILURE_CODES } from "../domain/failure-codes";
import { TransferType } from "../domain/rails";
import { TransferKind, TransferStatus } from "../domain/transfer-status";
import type { TransferRow } from "../persistence/entities";

@Directive('@key(fields: "id")')
@ObjectType({ description: "A beneficiary at another bank that a client pays." })
export class Recipient {
  @Field(() => ID) id!: string;
  @Field(() => ID) clientId!: string;
  @Field() name!: string;
  @Field({ description: "Normalised: upper case, no spaces; check digits verified." }) iban!: string;
  @Field(() => String, { nullable: true }) bic!: string | null;
  @Field({ description: "ISO 4217 code of the payments made to it." }) currency!: string;
  @Field({ description: "ISO 3166-1 alpha-2, from the IBAN." }) country!: string;
  @Field({ description: "Hidden recipients leave the list but stay attached to past transfers." })
  visible!: boolean;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType({ description: "A page of recipients." })
export class RecipientConnection extends Connection(Recipient) {}

export function registerTransferEnums(): void {
  registerDocumentEnums();
  registerEnumType(TransferDocumentCategory, { name: "TransferDocumentCategory" });
  registerEnumType(TransferKind, {
    name: "TransferKind",
    valuesConfig: {
      OUTGOING: {
        description: "To a recipient at another bank, through a payment rail; confirmed with a code.",
      },
      INCOMING: { description: "From another bank, delivered by a rail." },
      INTERNAL: { description: "Between two accounts of this bank in one currency." },
      FX: { description: "Between two currencies at a quoted rate." },
    },
  });
  registerEnumType(TransferStatus, {
    name: "TransferStatus",
    description: "Each status names the step that runs next; see the state tables in the README.",
    valuesConfig: {
      CREATED: { description: "Recorded; the first ledger payment is being made (internal, FX)." },
      PENDING_CONFIRMATION: { description: "Outgoing: waits for the client's one-time code." },
      CONFIRMED: { description: "Outgoing: confirmed; the funds are being held." },
      PROCESSING: { description: "Outgoing: funds held, queued for the rail; can still be cancelled." },
      SENDING: { description: "Outgoing: handed to the rail; no longer cancellable." },
      SENT: { description: "Outgoing: the rail accepted it; the payment is being posted." },
      REJECTED: {
        description:
          "Outgoing: refused (the hold by the ledger, or the transfer by the rail); any hold is being released.",
      },
      CANCELLING: { description: "Outgoing: cancelled; the hold is being released." },
      RECEIVED: { description: "Incoming: recorded; being credited." },
      SUSPENDING: { description: "Incoming: the matched account refused it; being moved to suspense." },
      UNRECOGNIZED: {
        description: "Incoming: no account matched; the money waits in suspense for an operator.",
      },
      ASSIGNING: { description: "Incoming: an operator chose the account; being credited from suspense." },
      SOURCE_DEBITED: { description: "FX: the source account is debited; the target is being credited." },
      REFUNDING: { description: "FX: the target leg was refused; the source amount is being refunded." },
      COMPLETED: { description: "Finished: the money arrived." },
      FAILED: { description: "Finished: refused (failureCode says why); nothing is held or moved." },
      CANCELLED: { description: "Finished: cancelled before the rail had it; nothing is held or moved." },
    },
  });
  registerEnumType(TransferType, {
    name: "TransferType",
    description:
      "The way money travels: this bank's ledger, or an external rail chosen by currency and country.",
    valuesConfig: {
      INTERNAL: { description: "An account of this bank: booked in the ledger at once." },
      SEPA: { description: "EUR to an IBAN in a SEPA country." },
      FASTER_PAYMENTS: { description: "GBP to a UK IBAN." },
      SWIFT: { description: "Any other currency or country." },
    },
  });
  registerEnumType(ConfirmationStatus, {
    name: "ConfirmationStatus",
    valuesConfig: {
      OPEN: { description: "Waiting for the code." },
      USED: { description: "Confirmed the transfer." },
      VOIDED: { description: "Replaced by a new code, or the transfer was cancelled." },
      LOCKED: { description: "Too many wrong codes; only a new code can confirm." },
    },
  });
}

/** The ledger's account, extended here with its transfers; the ledger resolves its other fields. */
@Directive('@key(fields: "id")')
@ObjectType()
export class Account {
  @Field(() => ID) id!: string;
}

/** The client subgraph's client, extended here with its transfers. */
@Directive('@key(fields: "id")')
@ObjectType()
export class Client {
  @Field(() => ID) id!: string;
}

@ObjectType({
  description: "One step of a transfer: every status change with its sequence number, time and cause.",
})
export class TransferEvent {
  @Field(() => Int, { description: "1, 2, 3... per transfer, with no gap." }) sequence!: number;
  @Field(() => TransferStatus, { nullable: true }) from!: TransferStatus | null;
  @Field(() => TransferStatus) to!: TransferStatus;
  @Field(() => String, { nullable: true, description: "Why, e.g. the ledger's error code on failure." })
  reason!: string | null;
  @Field({ description: "Who or what caused it (a token subject)." }) changedBy!: string;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field() changedAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A customer's transfer: a recorded, resumable process over ledger payments." })
export class Transfer {
  @Field(() => ID) id!: string;
  @Field(() => TransferKind) kind!: TransferKind;
  @Field(() => TransferStatus) status!: TransferStatus;
  @Field(() => TransferType, {
    description: "The rail that carries it; INTERNAL for internal and FX transfers.",
  })
  type!: TransferType;
  @Field(() => ID, {
    nullable: true,
    description:
      "Null while an incoming transfer is UNRECOGNIZED, and for the client another client's internal transfer credits.",
  })
  clientId!: string | null;
  @Field(() => ID, {
    nullable: true,
    description:
      "The account debited (outgoing, internal, FX source) or credited (incoming; null while UNRECOGNIZED). Null for the client another client's internal transfer credits.",
  })
  accountId!: string | null;
  @Field(() => ID, { nullable: true, description: "The account credited (internal; FX target)." })
  counterAccountId!: string | null;
  @Field(() => ID, { nullable: true, description: "Outgoing: the recipient paid." }) recipientId!:
    string | null;
  @Field(() => String, { nullable: true, description: "The other bank's customer: recipient or sender." })
  counterpartyName!: string | null;
  @Field(() => String, { nullable: true }) counterpartyIban!: string | null;
  @Field(() => String, { nullable: true, description: "Incoming: the account number the sender gave." })
  accountNumber!: string | null;
  @Field(() => String, { nullable: true, description: "Outgoing: the rail's reference once it has it." })
  railReference!: string | null;
  @Field({ description: "Decimal string in the currency (FX: the source amount)." }) amount!: string;
  @Field() currency!: string;
  @Field(() => String, { nullable: true }) reference!: string | null;
  @Field(() => ID, { nullable: true, description: "The ledger payment it drives." }) paymentId!:
    string | null;
  @Field(() => String, {
    nullable: true,
    description: `Why it failed or waits in suspense: ${Object.keys(TRANSFER_FAILURE_CODES).join(", ")} (README "Transfer rules").`,
  })
  failureCode!: string | null;
  @Field() idempotencyKey!: string;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType({ description: "A page of transfers." })
export class TransferConnection extends Connection(Transfer) {}

@ObjectType({ description: "How many transfers are in one status." })
export class TransferStatusCount {
  @Field(() => TransferStatus) status!: TransferStatus;
  @Field(() => Int) count!: number;
}

@ObjectType({ description: "Transfers completed in one minute, in one currency." })
export class MinuteVolume {
  @Field({ description: "The minute's start." }) minute!: Date;
  @Field() currency!: string;
  @Field({ description: "Their amounts summed (FX: the source amount), a decimal string." }) amount!: string;
  @Field(() => Int) count!: number;
}

@ObjectType({
  description:
    "The transfers of a filter as of one position of the event log: load it, then subscribe `after: position`, and nothing is missed or repeated.",
})
export class TransferSnapshot {
  @Field(() => String, { description: "The last event position this snapshot reflects (an opaque cursor)." })
  position!: string;
  @Field(() => [TransferStatusCount], {
    description: "Transfers per status (statuses with none are left out).",
  })
  counts!: TransferStatusCount[];
  @Field(() => [Transfer], { description: "The newest transfers, newest first." })
  recent!: TransferRow[];
  @Field(() => [MinuteVolume], {
    description:
      "Completed transfers per minute and currency over the last 30 minutes, by the time they completed (oldest first; minutes with none are left out).",
  })
  volumes!: MinuteVolume[];
}

@ObjectType({ description: "What an FX transfer exchanged, at which rate." })
export class FxDetails {
  @Field() sourceAmount!: string;
  @Field() sourceCurrency!: string;
  @Field() targetAmount!: string;
  @Field() targetCurrency!: string;
  @Field({ description: "Target units per source unit, after the spread." }) rate!: string;
  @Field(() => ID) quoteId!: string;
}

@ObjectType({
  description:
    "A one-time code sent to the client to confirm an outgoing transfer; the code is never returned.",
})
export class Confirmation {
  @Field(() => ID) id!: string;
  @Field(() => ID) transferId!: string;
  @Field(() => ConfirmationStatus) status!: ConfirmationStatus;
  @Field(() => Int, { description: "Wrong codes still allowed before the confirmation locks." })
  attemptsLeft!: number;
  @Field() expiresAt!: Date;
  @Field() createdAt!: Date;
}

@ObjectType({ description: "A rate quoted for one FX transfer, good until expiresAt." })
export class FxQuote {
  @Field(() => ID) id!: string;
  @Field(() => ID) sourceAccountId!: string;
  @Field(() => ID) targetAccountId!: string;
  @Field() sourceAmount!: string;
  @Field() sourceCurrency!: string;
  @Field({ description: "What the target account receives: sourceAmount x rate, rounded down." })
  targetAmount!: string;
  @Field() targetCurrency!: string;
  @Field({ description: "Target units per source unit before the spread (8 decimals)." }) midRate!: string;
  @Field({ description: "The client's rate after the spread (8 decimals, rounded down)." }) rate!: string;
  @Field(() => Int) spreadBps!: number;
  @Field() expiresAt!: Date;
}

@ObjectType({ description: "A transfer's status change, as it committed." })
export class TransferStatusEvent {
  @Field(() => String, {
    description:
      "Its place in the commit-ordered event log: an opaque cursor. Subscribe with `after` set to it to get every later event of your filter once.",
  })
  position!: string;
  @Field(() => ID) transferId!: string;
  @Field(() => Int, { description: "The transfer's history sequence: 1, 2, 3 ... with no gap." })
  sequence!: number;
  @Field(() => TransferStatus, { nullable: true, description: "Null for the first event." })
  previousStatus!: TransferStatus | null;
  @Field(() => TransferStatus) status!: TransferStatus;
  @Field() changedAt!: Date;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field({ description: "Who or what caused it (a token subject)." }) changedBy!: string;
  /** Not a field: the transfer when this request has just read it (else `transfer` reads it anew). */
  loadedTransfer?: TransferRow;
  /** Not a field: who the event was for (a claim that ended is still heard by its parties). */
  parties?: { clientId: string | null; counterClientId: string | null };
}

@ObjectType({ description: "A transfer's supporting document (an invoice, a contract...)." })
export class TransferDocument extends DocumentFields {
  @Field(() => ID) transferId!: string;
  @Field(() => TransferDocumentCategory) category!: TransferDocumentCategory;
}

@ObjectType({
  description: "A staged upload of a transfer document: PUT the bytes to `uploadUrl`, then complete it.",
})
export class TransferDocumentUpload extends DocumentUploadFields {
  @Field(() => ID) transferId!: string;
  @Field(() => TransferDocumentCategory) category!: TransferDocumentCategory;
}
