/**
 * The orchestrator's way to the ledger: its GraphQL API, over HTTP, as a system caller with
 * the orchestrator's own credential (never the end user's token), with the request id passed
 * on. Every money call carries an idempotency key derived from the transfer and step, so a
 * retried or continued step cannot move money twice. The ledger's errors keep their codes.
 */
import { AppError, type ErrorCode } from "../../common/errors";

export interface LedgerAccount {
  id: string;
  clientId: string | null;
  currency: string;
  status: string;
}

export interface LedgerPayment {
  id: string;
  status: string;
  amount: string;
  currency: string;
}

export class LedgerClient {
  constructor(
    private readonly url: string,
    private readonly serviceToken: () => Promise<string>,
  ) {}

  async account(id: string, requestId: string): Promise<LedgerAccount | null> {
    const data = await this.call<{ account: LedgerAccount | null }>(
      `query($id: ID!) { account(id: $id) { id clientId currency status } }`,
      { id },
      requestId,
    );
    return data.account;
  }

  async createPayment(
    input: {
      debitAccountId: string;
      creditAccountId: string;
      amount: string;
      description: string;
      metadata?: object;
    },
    idempotencyKey: string,
    requestId: string,
  ): Promise<LedgerPayment> {
    const data = await this.call<{ createPayment: LedgerPayment }>(
      `mutation($input: PaymentInput!, $key: String!) {
        createPayment(input: $input, idempotencyKey: $key) { id status amount currency }
      }`,
      { input, key: idempotencyKey },
      requestId,
    );
    return data.createPayment;
  }

  private async call<T>(query: string, variables: Record<string, unknown>, requestId: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${await this.serviceToken()}`,
          "x-request-id": requestId,
        },
        body: JSON.stringify({ query, variables }),
      });
    } catch {
      throw new AppError(
        "LEDGER_UNAVAILABLE",
        "The ledger could not be reached; the transfer can be continued",
      );
    }
    const body = (await response.json().catch(() => ({}))) as {
      data?: T | null;
      errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
    };
    const [error] = body.errors ?? [];
    if (error) {
      const { code, ...details } = error.extensions ?? {};
      throw new AppError(
        (typeof code === "string" ? code : "LEDGER_UNAVAILABLE") as ErrorCode,
        error.message,
        details,
      );
    }
    if (!body.data) throw new AppError("LEDGER_UNAVAILABLE", "The ledger answered without data");
    return body.data;
  }
}
