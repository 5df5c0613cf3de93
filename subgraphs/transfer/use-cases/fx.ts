/**
 * Exchanges between two accounts of one client in different currencies (decision 0016): a
 * quote first, good for one transfer until it expires, then the transfer at its rate.
 */
import { AppError, validationError } from "../../../common/errors";
import { fxTerms } from "../domain/fx";
import { TransferType } from "../domain/rails";
import { TransferKind } from "../domain/transfer-status";
import type { FxQuoteRow, TransferRow } from "../persistence/entities";
import { offeredAmount, ownAccount } from "./accounts";
import { actorOf, type Needs } from "./deps";
import { clientScope, recordOnce } from "./record";

function sameClientsOtherAccount(message: string, rule: string): AppError {
  return validationError([{ field: "targetAccountId", rule, message }]);
}

/** A rate for exchanging `amount` of the source account's currency into the target's, good until `expiresAt`. */
export async function fxQuote(
  deps: Needs<"ledger" | "quotes" | "config">,
  sourceAccountId: string,
  targetAccountId: string,
  amount: string,
): Promise<FxQuoteRow> {
  const source = await ownAccount(deps, sourceAccountId, "sourceAccountId");
  const target = await deps.ledger.account(targetAccountId, deps.requestId);
  if (!target || target.clientId !== source.clientId) {
    throw sameClientsOtherAccount(
      "targetAccountId must be another account of the source account's client",
      "sameClient",
    );
  }
  if (target.currency === source.currency) {
    throw sameClientsOtherAccount(
      "An exchange needs two currencies; use an internal transfer within one",
      "otherCurrency",
    );
  }
  await offeredAmount(deps, amount, source.currency);
  const exponents = await deps.ledger.exponents(deps.requestId);
  const { fx } = deps.config;
  const terms = fxTerms(
    fx.rates,
    fx.spreadBps,
    { code: source.currency, exponent: exponents.get(source.currency) ?? 2 },
    { code: target.currency, exponent: exponents.get(target.currency) ?? 2 },
    amount,
  );
  return deps.quotes.insertQuote(
    {
      clientId: source.clientId,
      sourceAccountId: source.id,
      targetAccountId: target.id,
      sourceCurrency: source.currency,
      targetCurrency: target.currency,
      ...terms,
    },
    fx.quoteTtlSeconds,
  );
}

/**
 * Exchanges at a quote: the source amount into the bank's FX position in that currency, then
 * the target amount out of the position in the other, as one process; if the second leg is
 * refused the first is refunded. A quote buys one transfer, and only before it expires.
 */
export async function createFxTransfer(
  deps: Needs<"quotes" | "transfers" | "engine">,
  quoteId: string,
  idempotencyKey: string,
): Promise<TransferRow> {
  const found = await deps.quotes.quote(quoteId);
  if (!found || (deps.caller.kind === "client" && found.quote.clientId !== deps.caller.clientId)) {
    throw new AppError("QUOTE_NOT_FOUND", `No quote ${quoteId}`, { quoteId });
  }
  const { quote, expired } = found;
  const scope = clientScope(quote.clientId);
  if (expired && !(await deps.transfers.transferByKey(scope, idempotencyKey))) {
    throw new AppError("QUOTE_EXPIRED", "The quote has expired; ask for a new one", {
      quoteId,
      expiresAt: quote.expiresAt.toISOString(),
    });
  }
  const started = await recordOnce(
    deps,
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
    { request: [quote.id], idempotencyKey, scope },
  ).catch((error: unknown) => quoteUsedElsewhere(deps, error, quote.id, idempotencyKey));
  return deps.engine.finish(started, actorOf(deps));
}

/**
 * A quote that already bought a transfer under another key: its unique constraint makes the new
 * one look like a reused key, so IDEMPOTENCY_KEY_REUSED becomes QUOTE_ALREADY_USED, naming that
 * transfer. Any other error stands.
 */
async function quoteUsedElsewhere(
  deps: Needs<"transfers">,
  error: unknown,
  quoteId: string,
  idempotencyKey: string,
): Promise<never> {
  if (!(error instanceof AppError && error.code === "IDEMPOTENCY_KEY_REUSED")) throw error;
  const other = await deps.transfers.transferByQuote(quoteId);
  if (other && other.idempotencyKey !== idempotencyKey) {
    throw new AppError("QUOTE_ALREADY_USED", "The quote was already used by another transfer", {
      quoteId,
      transferId: other.id,
    });
  }
  throw error;
}
