/**
 * The orchestrator's way to the ledger: its GraphQL API, over HTTP, as a system caller with
 * the orchestrator's own credential (never the end user's token), with the request id passed
 * on. Every money call carries an idempotency key derived from the transfer and step, so a
 * retried or continued step cannot move money twice. The ledger's errors keep their codes.
 */
import { AppError, isErrorCode } from "../../../common/errors";
import { MAX_PAGE_SIZE } from "../../../common/graphql/page-size";
import { MAX_SETTLEMENT_TRANSFER_IDS } from "../../../common/report-period";
import {
  type SubgraphAnswer,
  type SubgraphTarget,
  subgraphTarget,
  type SubgraphTransport,
} from "../../../common/graphql/subgraph-transport";
import { LEDGER_REFUSALS, type LedgerRefusal } from "../domain/failure-codes";

export interface LedgerAccount {
  id: string;
  number: string;
  clientId: string | null;
  currency: string;
  status: string;
}

/** The bank's own accounts the orchestrator books against, one of each per currency. */
export type BankAccountKind = "SETTLEMENT" | "SUSPENSE" | "FX_POSITION";

export interface PaymentRequest {
  debitAccountId: string;
  creditAccountId: string;
  amount: string;
  description: string;
  metadata?: object;
}

/** What the ledger is asked of a settlement movement. */
const MOVEMENT_FIELDS = "entryId paymentId transferId amount description bookedAt";

/** An entry on a settlement account, as the ledger answers it (amount: + money leaving the bank). */
export interface LedgerSettlementMovement {
  entryId: string;
  paymentId: string | null;
  transferId: string | null;
  amount: string;
  description: string | null;
  bookedAt: string;
}

/**
 * How long a call waits for the ledger's answer to start (and then between its chunks): well
 * inside a transfer's lease, so a slow call is given up before anyone else may run the step.
 */
export const LEDGER_TIMEOUT_MS = 10_000;

/**
 * A refusal of the ledger that settles the step's outcome (decision 0012, domain/failure-codes.ts):
 * the transfer fails, or takes its compensating path, with that code. Anything else (the ledger
 * unreachable, a timeout) is no answer, and the step is retried.
 */
export function isFinalLedgerError(error: unknown): error is AppError & { code: LedgerRefusal } {
  return error instanceof AppError && (LEDGER_REFUSALS as readonly string[]).includes(error.code);
}

const ACCOUNT_FIELDS = "id number clientId currency status";
const PAYMENT_FIELDS = "id status amount currency";

export interface LedgerPayment {
  id: string;
  status: string;
  amount: string;
  currency: string;
}

export class LedgerClient {
  /** Bank accounts never change once created, so each is asked for once per process. */
  private readonly bankAccounts = new Map<string, Promise<LedgerAccount>>();
  private currencyExponents?: Promise<Map<string, number>>;
  private readonly target: SubgraphTarget;

  /**
   * `transport` is the pooled, kept-alive HTTP client every subgraph call uses (its timeout at
   * most {@link LEDGER_TIMEOUT_MS}); a call that never reached the ledger is retried once by it.
   */
  constructor(
    url: string,
    private readonly serviceToken: () => Promise<string>,
    private readonly transport: SubgraphTransport,
  ) {
    this.target = subgraphTarget("ledger", url);
  }

  async account(id: string, requestId: string): Promise<LedgerAccount | null> {
    const data = await this.call<{ account: LedgerAccount | null }>(
      `query($id: ID!) { account(id: $id) { ${ACCOUNT_FIELDS} } }`,
      { id },
      requestId,
    );
    return data.account;
  }

  async accountByNumber(number: string, requestId: string): Promise<LedgerAccount | null> {
    const data = await this.call<{ accountByNumber: LedgerAccount | null }>(
      `query($number: String!) { accountByNumber(number: $number) { ${ACCOUNT_FIELDS} } }`,
      { number },
      requestId,
    );
    return data.accountByNumber;
  }

  /** The bank's settlement, suspense or FX position account of a currency. */
  bankAccount(kind: BankAccountKind, currency: string, requestId: string): Promise<LedgerAccount> {
    const cacheKey = `${kind}:${currency}`;
    let account = this.bankAccounts.get(cacheKey);
    if (!account) {
      account = this.call<{ bankAccount: LedgerAccount | null }>(
        `query($kind: AccountKind!, $currency: String!) { bankAccount(kind: $kind, currency: $currency) { ${ACCOUNT_FIELDS} } }`,
        { kind, currency },
        requestId,
      ).then(({ bankAccount }) => {
        if (!bankAccount) {
          throw new AppError("CURRENCY_MISMATCH", `The bank keeps no ${kind} account in ${currency}`, {
            currency,
          });
        }
        return bankAccount;
      });
      account.catch(() => this.bankAccounts.delete(cacheKey));
      this.bankAccounts.set(cacheKey, account);
    }
    return account;
  }

  /** The decimal places of each offered currency's minor unit. */
  exponents(requestId: string): Promise<Map<string, number>> {
    if (!this.currencyExponents) {
      this.currencyExponents = this.call<{ availableCurrencies: { code: string; exponent: number }[] }>(
        `{ availableCurrencies { code exponent } }`,
        {},
        requestId,
      ).then(({ availableCurrencies }) => new Map(availableCurrencies.map((c) => [c.code, c.exponent])));
      this.currencyExponents.catch(() => (this.currencyExponents = undefined));
    }
    return this.currencyExponents;
  }

  /** A payment that moves the money at once (POSTED). */
  createPayment(input: PaymentRequest, idempotencyKey: string, requestId: string): Promise<LedgerPayment> {
    return this.newPayment("createPayment", input, idempotencyKey, requestId);
  }

  /**
   * Payments that move the money at once, made in one request and one database transaction of
   * the ledger (`createPayments`, decision 0033), each with its own key and outcome: its payment
   * (or, for a replayed key, the one made before) or the refusal it would have had alone, with
   * its code, message, field and rule. A request that gets no answer rejects as a whole
   * (LEDGER_UNAVAILABLE), like a single call.
   */
  async createPayments(
    payments: ReadonlyArray<{ input: PaymentRequest; idempotencyKey: string }>,
    requestId: string,
  ): Promise<Array<LedgerPayment | AppError>> {
    const data = await this.call<{
      createPayments: {
        items: Array<{ payment: LedgerPayment | null; error: BatchItemError | null }>;
      };
    }>(
      `mutation CreatePayments($payments: [PaymentBatchInput!]!) {
        createPayments(payments: $payments) {
          items { payment { ${PAYMENT_FIELDS} } error { code message field rule } }
        }
      }`,
      { payments: payments.map(({ input, idempotencyKey }) => ({ ...input, idempotencyKey })) },
      requestId,
    );
    return data.createPayments.items.map(({ payment, error }) =>
      payment ? payment : batchItemError(error ?? { code: "LEDGER_UNAVAILABLE", message: "No outcome" }),
    );
  }

  /** A DRAFT payment (nothing moves yet); a replay of the key answers the payment as it is now. */
  createDraftPayment(
    input: PaymentRequest,
    idempotencyKey: string,
    requestId: string,
  ): Promise<LedgerPayment> {
    return this.newPayment("createDraftPayment", input, idempotencyKey, requestId);
  }

  private async newPayment(
    mutation: "createPayment" | "createDraftPayment",
    input: PaymentRequest,
    idempotencyKey: string,
    requestId: string,
  ): Promise<LedgerPayment> {
    const data = await this.call<Record<string, LedgerPayment>>(
      `mutation($input: PaymentInput!, $key: String!) {
        ${mutation}(input: $input, idempotencyKey: $key) { ${PAYMENT_FIELDS} }
      }`,
      { input, key: idempotencyKey },
      requestId,
    );
    return data[mutation];
  }

  /**
   * Moves a payment on (pend: hold the funds; post: move them; cancel: release them) once per
   * idempotency key: a repeated step is answered by the ledger from its key. A payment already in
   * the target status without that key (a step that ran before the ledger kept keys for these)
   * counts as done too.
   */
  async movePayment(
    id: string,
    action: "pend" | "post" | "cancel",
    idempotencyKey: string,
    requestId: string,
  ): Promise<LedgerPayment> {
    const field = `${action}Payment`;
    const target = { pend: "PENDING", post: "POSTED", cancel: "CANCELLED" }[action];
    try {
      const data = await this.call<Record<string, LedgerPayment>>(
        `mutation($id: ID!, $key: String!) { ${field}(id: $id, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`,
        { id, key: idempotencyKey },
        requestId,
      );
      return data[field];
    } catch (error) {
      if (
        error instanceof AppError &&
        error.code === "PAYMENT_INVALID_STATE" &&
        error.details.from === target
      ) {
        return { ...(await this.payment(id, requestId)) };
      }
      throw error;
    }
  }

  /**
   * The currency's settlement entries booked in [from, to), and those of `transferIds` whenever
   * booked (the reconciliation report, decision 0038). Read a page at a time
   * (`settlementMovements`, keyset in booking order), then the named transfers' entries in chunks
   * of {@link MAX_SETTLEMENT_TRANSFER_IDS} (`settlementMovementsOfTransfers`): no single answer of
   * the ledger grows with the period.
   */
  async settlementMovements(
    query: { currency: string; from: Date; to: Date; transferIds: string[] },
    requestId: string,
  ): Promise<LedgerSettlementMovement[]> {
    const { currency, transferIds } = query;
    const byEntry = new Map<string, LedgerSettlementMovement>();
    let after: string | null = null;
    do {
      const page = await this.settlementMovementsPage(query, after, requestId);
      for (const movement of page.nodes) byEntry.set(movement.entryId, movement);
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    for (let i = 0; i < transferIds.length; i += MAX_SETTLEMENT_TRANSFER_IDS) {
      const data = await this.call<{ settlementMovementsOfTransfers: LedgerSettlementMovement[] }>(
        `query($currency: String!, $transferIds: [ID!]!) {
          settlementMovementsOfTransfers(currency: $currency, transferIds: $transferIds) { ${MOVEMENT_FIELDS} }
        }`,
        { currency, transferIds: transferIds.slice(i, i + MAX_SETTLEMENT_TRANSFER_IDS) },
        requestId,
      );
      for (const movement of data.settlementMovementsOfTransfers) byEntry.set(movement.entryId, movement);
    }
    return [...byEntry.values()];
  }

  private async settlementMovementsPage(
    query: { currency: string; from: Date; to: Date },
    after: string | null,
    requestId: string,
  ) {
    const data = await this.call<{
      settlementMovements: {
        nodes: LedgerSettlementMovement[];
        pageInfo: { hasNextPage: boolean; endCursor: string | null };
      };
    }>(
      `query($currency: String!, $from: DateTimeISO!, $to: DateTimeISO!, $first: Int!, $after: String) {
        settlementMovements(currency: $currency, from: $from, to: $to, first: $first, after: $after) {
          nodes { ${MOVEMENT_FIELDS} } pageInfo { hasNextPage endCursor }
        }
      }`,
      {
        currency: query.currency,
        from: query.from.toISOString(),
        to: query.to.toISOString(),
        first: MAX_PAGE_SIZE,
        after,
      },
      requestId,
    );
    return data.settlementMovements;
  }

  async payment(id: string, requestId: string): Promise<LedgerPayment> {
    const data = await this.call<{ payment: LedgerPayment | null }>(
      `query($id: ID!) { payment(id: $id) { ${PAYMENT_FIELDS} } }`,
      { id },
      requestId,
    );
    if (!data.payment)
      throw new AppError("PAYMENT_NOT_FOUND", `The ledger has no payment ${id}`, { paymentId: id });
    return data.payment;
  }

  private async call<T>(query: string, variables: Record<string, unknown>, requestId: string): Promise<T> {
    let response: SubgraphAnswer;
    try {
      // Inside: a credential the identity provider will not issue is the ledger unreachable too.
      const headers = {
        "content-type": "application/json",
        authorization: `Bearer ${await this.serviceToken()}`,
        "x-request-id": requestId,
      };
      response = await this.transport.post(this.target, headers, JSON.stringify({ query, variables }));
    } catch {
      throw new AppError(
        "LEDGER_UNAVAILABLE",
        "The ledger could not be reached; the transfer can be continued",
      );
    }
    const body = parseAnswer<T>(response.body);
    const [error] = body.errors ?? [];
    if (error) {
      const { code, ...details } = error.extensions ?? {};
      // A code the registry does not list cannot be passed on: the ledger failed us.
      throw new AppError(isErrorCode(code) ? code : "LEDGER_UNAVAILABLE", error.message, details);
    }
    if (!body.data) throw new AppError("LEDGER_UNAVAILABLE", "The ledger answered without data");
    return body.data;
  }
}

/** Why one payment of a batch was not made, as the ledger says it. */
interface BatchItemError {
  code: string;
  message: string;
  field?: string | null;
  rule?: string | null;
}

/** A batch item's refusal as the error a single call would throw (a code the registry lacks: LEDGER_UNAVAILABLE). */
function batchItemError({ code, message, field, rule }: BatchItemError): AppError {
  const details = { ...(field ? { field } : {}), ...(rule ? { rule } : {}) };
  return new AppError(isErrorCode(code) ? code : "LEDGER_UNAVAILABLE", message, details);
}

/** A GraphQL answer's body, or an empty answer when it is not JSON (read as LEDGER_UNAVAILABLE). */
function parseAnswer<T>(text: string): {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
} {
  try {
    return JSON.parse(text) ?? {};
  } catch {
    return {};
  }
}
