/**
 * Who may reach a client's documents (decision 0034): system callers all; a front-office caller
 * its own client's, to list, read, download and upload, never to delete. The use cases
 * themselves are the shared ones (`common/documents/service.ts`).
 */
import { type Caller, requireClientAccess, requireSystem } from "../../common/auth/caller";
import { AppError } from "../../common/errors";
import type { DocumentAction, DocumentOwner } from "../../common/documents/service";
import type { ClientRepository } from "./persistence/client.repository";

export function clientDocumentOwner(clients: ClientRepository): DocumentOwner {
  return {
    kind: "client",
    async authorize(caller: Caller, clientId: string, action: DocumentAction) {
      if (action === "delete") requireSystem(caller);
      requireClientAccess(caller, clientId);
      if (action !== "upload") return;
      const [client] = await clients.findByIds([clientId]);
      if (!client) throw new AppError("CLIENT_NOT_FOUND", `No client has id "${clientId}"`, { clientId });
    },
  };
}
