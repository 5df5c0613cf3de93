/**
 * Who may reach a transfer's documents (decision 0034): system callers all; a front-office caller
 * those of its own client's transfers (not a counterparty's), to list, read, download and upload,
 * and to delete one only while the transfer still waits for its confirmation. Then the rule that
 * asks for a document before a large outgoing transfer is confirmed.
 */
import type { Caller } from "../../../common/auth/caller";
import type { TransferConfig } from "../../../common/config";
import type { DocumentAction, DocumentOwner, DocumentService } from "../../../common/documents/service";
import { AppError } from "../../../common/errors";
import { documentRequired, needsSupportingDocument } from "../domain/documents";
import { TransferStatus } from "../domain/transfer-status";
import type { TransferRow } from "../persistence/entities";
import type { TransferRepository } from "../persistence/transfer.repository";

export function transferDocumentOwner(transfers: TransferRepository): DocumentOwner {
  return {
    kind: "transfer",
    async authorize(caller: Caller, transferId: string, action: DocumentAction) {
      const [transfer] = await transfers.transfersByIds([transferId]);
      if (caller.kind === "client" && transfer?.clientId !== caller.clientId) {
        throw new AppError("FORBIDDEN", "A front-office token may only reach its own client's transfers");
      }
      if (!transfer) {
        if (action === "read") return;
        throw new AppError("TRANSFER_NOT_FOUND", `No transfer ${transferId}`, { transferId });
      }
      if (action === "delete" && caller.kind === "client") requireAwaitingConfirmation(transfer.status);
    },
    // The same rule under a share lock on the transfer, in the deletion's transaction: a
    // confirmation (which locks the transfer and then counts its documents) cannot slip between
    // the check and the deletion.
    async guardDelete(tx, caller, transferId) {
      if (caller.kind !== "client") return;
      const rows = (await tx.query(`SELECT status FROM transfer.transfer WHERE id = $1 FOR SHARE`, [
        transferId,
      ])) as Array<{ status: TransferStatus }>;
      if (rows[0]) requireAwaitingConfirmation(rows[0].status);
    },
  };
}

function requireAwaitingConfirmation(status: string): void {
  if (status !== TransferStatus.PENDING_CONFIRMATION) {
    throw new AppError(
      "FORBIDDEN",
      "A front-office caller may delete a transfer's document only while the transfer waits for confirmation",
    );
  }
}

/** Refuses to confirm an outgoing transfer above the configured amount without an ACTIVE document. */
export async function assertSupportingDocument(
  deps: { documents: DocumentService; config: TransferConfig },
  transfer: TransferRow,
): Promise<AppError | undefined> {
  const thresholds = deps.config.documentRequiredAbove;
  if (!needsSupportingDocument(transfer, thresholds)) return undefined;
  if (await deps.documents.hasActive(transfer.id)) return undefined;
  return documentRequired(transfer.id, transfer.currency, thresholds[transfer.currency]);
}
