import type { DocumentService } from "../../common/documents/service";
import type { RequestContext } from "../../common/graphql/context";
import type { ClientService } from "./client.service";

export interface ClientContext extends RequestContext {
  clients: ClientService;
  /** The client's documents (decision 0034). */
  documents: DocumentService;
}
