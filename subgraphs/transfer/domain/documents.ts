/**
 * Transfers' supporting documents (decision 0034): their categories, and the rule that an
 * outgoing transfer above a configured amount needs one before it is confirmed.
 */
import { parseAmount } from "../../../common/amount";
import { AppError } from "../../../common/errors";
import { TransferKind } from "./transfer-status";

export enum TransferDocumentCategory {
  INVOICE = "INVOICE",
  CONTRACT = "CONTRACT",
  SOURCE_OF_FUNDS = "SOURCE_OF_FUNDS",
  OTHER = "OTHER",
}

/**
 * True when `transfer` may not be confirmed without a supporting document: outgoing, and its
 * amount above the threshold of its currency (`TRANSFER_DOCUMENT_REQUIRED_ABOVE`; a currency
 * not listed has none).
 */
export function needsSupportingDocument(
  transfer: { kind: string; amount: string; currency: string },
  thresholds: Readonly<Record<string, string>>,
): boolean {
  const threshold = thresholds[transfer.currency];
  if (transfer.kind !== TransferKind.OUTGOING || threshold === undefined) return false;
  return parseAmount(transfer.amount, transfer.currency) > parseAmount(threshold, transfer.currency);
}

export function documentRequired(transferId: string, currency: string, threshold: string): AppError {
  return new AppError(
    "TRANSFER_DOCUMENT_REQUIRED",
    `Outgoing transfers above ${threshold} ${currency} need a supporting document before confirmation`,
    { transferId, currency, limit: "documentRequiredAbove", max: threshold },
  );
}
