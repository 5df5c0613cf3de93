/** Ledger test helpers: open accounts, fund them from the settlement account, read balances. */
import { randomUUID } from "node:crypto";
import type { Stack } from "./stack";

export const ACCOUNT_FIELDS = `id number currency status clientId overdraftLimit balance { posted pending available currency }`;
export const PAYMENT_FIELDS = `id status amount currency debitAccountId creditAccountId description idempotencyKey`;

export async function openAccount(
  stack: Stack,
  options: { clientId?: string; currency?: string; overdraftLimit?: string; name?: string } = {},
): Promise<{ id: string; number: string; clientId: string }> {
  const result = await stack.graphql(
    `mutation($input: OpenAccountInput!) { openAccount(input: $input) { id number clientId } }`,
    {
      input: {
        clientId: options.clientId ?? randomUUID(),
        currency: options.currency ?? "EUR",
        name: options.name ?? "Current account",
        overdraftLimit: options.overdraftLimit,
      },
    },
  );
  if (!result.data?.openAccount) throw new Error(`openAccount failed: ${JSON.stringify(result.errors)}`);
  return result.data.openAccount;
}

export async function settlementAccountId(stack: Stack, currency = "EUR"): Promise<string> {
  const result = await stack.graphql(`query($c: String!) { settlementAccount(currency: $c) { id } }`, {
    c: currency,
  });
  return result.data!.settlementAccount.id as string;
}

export const CREATE_PAYMENT = `mutation($input: PaymentInput!, $key: String!) {
  createPayment(input: $input, idempotencyKey: $key) { ${PAYMENT_FIELDS} }
}`;
export const CREATE_DRAFT = `mutation($input: PaymentInput!, $key: String!) {
  createDraftPayment(input: $input, idempotencyKey: $key) { ${PAYMENT_FIELDS} }
}`;

export function paymentInput(
  debitAccountId: string,
  creditAccountId: string,
  amount: string,
  description = "test payment",
) {
  return { debitAccountId, creditAccountId, amount, description };
}

/** Moves `amount` from the currency's settlement account into `accountId` (money entering the bank). */
export async function fund(stack: Stack, accountId: string, amount: string, currency = "EUR"): Promise<void> {
  const settlement = await settlementAccountId(stack, currency);
  const result = await stack.graphql(CREATE_PAYMENT, {
    input: paymentInput(settlement, accountId, amount, "deposit"),
    key: randomUUID(),
  });
  if (result.errors) throw new Error(`fund failed: ${JSON.stringify(result.errors)}`);
}

export async function balance(stack: Stack, accountId: string) {
  const result = await stack.graphql(
    `query($id: ID!) { account(id: $id) { balance { posted pending available } } }`,
    {
      id: accountId,
    },
  );
  return result.data!.account.balance as { posted: string; pending: string; available: string };
}

/** pendPayment, postPayment or cancelPayment, with a fresh idempotency key unless one is given. */
export async function transition(
  stack: Stack,
  operation: "pend" | "post" | "cancel",
  id: string,
  key: string = randomUUID(),
) {
  return stack.graphql(transitionMutation(operation), { id, key });
}

export function transitionMutation(operation: "pend" | "post" | "cancel"): string {
  return `mutation($id: ID!, $key: String!) { ${operation}Payment(id: $id, idempotencyKey: $key) { ${PAYMENT_FIELDS} } }`;
}
