import type { RequestContext } from "../../common/graphql/context";
import type { ClientService } from "./client.service";

export interface ClientContext extends RequestContext {
  clients: ClientService;
}
