/**
 * The ledger's GraphQL types. Their root values are the persistence rows: fields with the
 * same meaning resolve directly, money (bigint minor units) is formatted by the resolvers
 * as decimal strings with the currency's exponent.
 */
import { GraphQLJSONObject } from "graphql-scalars";
import { Directive, Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import { Connection } from "../../../common/graphql/pagination";
import { AccountKind, AccountStatus } from "../domain/account-status";
import { PaymentStatus } from "../domain/payment-status";

export enum TransactionKind {
  IMMEDIATE = "IMMEDIATE",
  POST = "POST",
}

/** What an account activity was (decision 0030). */
export enum ActivityKind {
  ENTRY_POSTED = "ENTRY_POSTED",
  HOLD_PLACED = "HOLD_PLACED",
  HOLD_RELEASED = "HOLD_RELEASED",
  HOLD_POSTED = "HOLD_POSTED",
}

export function registerLedgerEnums(): void {
  registerEnumType(AccountStatus, {
    name: "AccountStatus",
    valuesConfig: {
      ACTIVE: { description: "Takes payments in and out." },
      BLOCKED: { description: "Frozen by the bank: no new payments; held payments may still complete." },
      CLOSED: { description: "Final; only an empty account can be closed." },
    },
  });
  registerEnumType(AccountKind, {
    name: "AccountKind",
    valuesConfig: {
      CLIENT: { description: "Owned by a client." },
      SETTLEMENT: { description: "The bank's per-currency account through which money enters and leaves." },
      SUSPENSE: {
        description:
          "The bank's per-currency account holding incoming money for an unknown beneficiary until assigned.",
      },
      FX_POSITION: {
        description:
          "The bank's per-currency foreign-exchange position: FX transfers pay into the source currency's and out of the target's.",
      },
    },
  });
  registerEnumType(PaymentStatus, { name: "PaymentStatus" });
  registerEnumType(ActivityKind, {
    name: "AccountActivityKind",
    valuesConfig: {
      ENTRY_POSTED: {
        description: "Money moved in (positive) or out (negative): an entry, not from a hold.",
      },
      HOLD_PLACED: { description: "pendPayment: the amount is held on the debit account (pending grows)." },
      HOLD_RELEASED: {
        description: "cancelPayment of a PENDING payment: the hold is released, nothing moved.",
      },
      HOLD_POSTED: {
        description: "postPayment: the held amount left the account (posted and pending both fall).",
      },
    },
  });
  registerEnumType(TransactionKind, {
    name: "TransactionKind",
    valuesConfig: {
      IMMEDIATE: { description: "createPayment: money moved at once." },
      POST: { description: "postPayment: held money withdrawn and deposited." },
    },
  });
}

@ObjectType({ description: "A currency the bank offers accounts in." })
export class Currency {
  @Field({ description: "ISO 4217 code." }) code!: string;
  @Field(() => Int, { description: "Decimal places of its minor unit (EUR 2, JPY 0, BHD 3)." })
  exponent!: number;
}

@ObjectType({ description: "An account's balances, as decimal strings in its currency." })
export class Balance {
  @Field({ description: "Sum of all posted entries." }) posted!: string;
  @Field({ description: "Held by PENDING payments debiting the account." }) pending!: string;
  @Field({ description: "posted - pending + overdraft limit: what a new payment may take." })
  available!: string;
  @Field() currency!: string;
}

@ObjectType({
  description:
    "A posted entry or a hold on an account, with the balances after it (accountActivity). Per account, in commit order.",
})
export class AccountActivity {
  @Field(() => ID) accountId!: string;
  @Field({
    description:
      "The account's activity sequence: 1, 2, 3 ... with no gap, in commit order (a decimal string: an account may outgrow a 32-bit Int). Resume with accountActivity(afterSequence).",
  })
  sequence!: string;
  @Field(() => ActivityKind) kind!: ActivityKind;
  @Field(() => ID, { nullable: true }) paymentId!: string | null;
  @Field(() => ID, { nullable: true, description: "The ledger transaction of an entry; null for a hold." })
  transactionId!: string | null;
  @Field({ description: "What it changed the posted balance by, signed (money out is negative)." })
  postedChange!: string;
  @Field({ description: "What it changed the held amount by, signed (a hold placed is positive)." })
  pendingChange!: string;
  @Field(() => Balance, { description: "The account's balances right after it." }) balance!: Balance;
  @Field() occurredAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A ledger account: one currency, owned by a client or by the bank." })
export class Account {
  @Field(() => ID) id!: string;
  @Field({ description: "12 digits: an 11-digit serial and a Luhn check digit." }) number!: string;
  @Field(() => AccountKind) kind!: AccountKind;
  @Field(() => ID, { nullable: true, description: "The owning client; null for the bank's own accounts." })
  clientId!: string | null;
  @Field({ description: "ISO 4217 code." }) currency!: string;
  @Field() name!: string;
  @Field(() => AccountStatus) status!: AccountStatus;
  @Field(() => Int, { description: "The client's ordering of its accounts, from 0." }) position!: number;
  @Field({
    description:
      'The sequence of the last activity its balance includes ("0" before any): subscribe to accountActivity with it as afterSequence to follow the balance read with it, nothing missed, nothing twice.',
  })
  activitySequence!: string;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType({ description: "A client (owned by the client subgraph), extended with its accounts." })
export class Client {
  @Field(() => ID) id!: string;
}

@ObjectType({ description: "One side of a ledger transaction." })
export class Entry {
  @Field(() => ID) accountId!: string;
  @Field() currency!: string;
}

@ObjectType({ description: "A movement of money: entries that sum to zero per currency. Never changed." })
export class LedgerTransaction {
  @Field(() => ID) id!: string;
  @Field(() => TransactionKind) kind!: TransactionKind;
  @Field(() => ID, { nullable: true }) paymentId!: string | null;
  @Field() createdAt!: Date;
}

@ObjectType({ description: "A change of a payment's status: who, when, which request." })
export class PaymentEvent {
  @Field(() => PaymentStatus, { nullable: true }) from!: PaymentStatus | null;
  @Field(() => PaymentStatus) to!: PaymentStatus;
  @Field() changedBy!: string;
  @Field(() => String, { nullable: true }) requestId!: string | null;
  @Field() changedAt!: Date;
}

@Directive('@key(fields: "id")')
@ObjectType({
  description: "A payment between two accounts of one currency (the documented five operations).",
})
export class Payment {
  @Field(() => ID) id!: string;
  @Field(() => ID) debitAccountId!: string;
  @Field(() => ID) creditAccountId!: string;
  @Field() currency!: string;
  @Field() description!: string;
  @Field(() => GraphQLJSONObject, { nullable: true }) metadata!: Record<string, unknown> | null;
  @Field(() => PaymentStatus) status!: PaymentStatus;
  @Field() idempotencyKey!: string;
  @Field() createdAt!: Date;
  @Field() updatedAt!: Date;
}

@ObjectType({
  description:
    "Why one payment of a batch was not made: the code (see the error codes) and message it would have had alone.",
})
export class PaymentError {
  @Field() code!: string;
  @Field() message!: string;
  @Field(() => String, { nullable: true, description: "The input field at fault, when one is." })
  field!: string | null;
  @Field(() => String, { nullable: true, description: "The rule it broke (VALIDATION_FAILED)." })
  rule!: string | null;
}

@ObjectType({
  description: "One payment of a batch, in the order given: the payment, or why it was not made.",
})
export class PaymentBatchItem {
  @Field(() => Int, { description: "Its place in the batch, from 0." }) index!: number;
  @Field(() => Payment, {
    nullable: true,
    description: "Made now, or (same key, same request) the one made before, as it is now.",
  })
  payment!: Payment | null;
  @Field(() => PaymentError, { nullable: true }) error!: PaymentError | null;
}

@ObjectType({ description: "The outcome of createPayments: one item per payment, in the order given." })
export class PaymentBatch {
  @Field(() => [PaymentBatchItem]) items!: PaymentBatchItem[];
  @Field(() => Int, { description: "Items with a payment." }) succeeded!: number;
  @Field(() => Int, { description: "Items with an error." }) failed!: number;
}

@ObjectType({ description: "Totals over a client's open accounts in one currency." })
export class CurrencyAmounts {
  @Field() currency!: string;
  @Field() posted!: string;
  @Field() pending!: string;
  @Field() available!: string;
}

@ObjectType({
  description: "An account's movements over a period: posted balance before, debits, credits, balance after.",
})
export class TransactionReport {
  @Field(() => ID) accountId!: string;
  @Field() currency!: string;
  @Field({ description: "Start, included." }) from!: Date;
  @Field({ description: "End, excluded." }) to!: Date;
  @Field() openingBalance!: string;
  @Field({ description: "Total leaving the account, as a positive decimal." }) debits!: string;
  @Field({ description: "Total entering the account." }) credits!: string;
  @Field() closingBalance!: string;
  @Field(() => Int) transactionCount!: number;
}

@ObjectType({
  description: "An account's stored balances against those recomputed from its entries and holds.",
})
export class BalanceCheck {
  @Field(() => ID) accountId!: string;
  @Field() currency!: string;
  @Field() storedPosted!: string;
  @Field() actualPosted!: string;
  @Field() storedPending!: string;
  @Field() actualPending!: string;
  @Field({ description: "The stored balance was wrong (and has been corrected)." }) wasWrong!: boolean;
}

@ObjectType({ description: "A page of accounts." })
export class AccountConnection extends Connection(Account) {}

@ObjectType({ description: "A page of ledger transactions." })
export class LedgerTransactionConnection extends Connection(LedgerTransaction) {}
