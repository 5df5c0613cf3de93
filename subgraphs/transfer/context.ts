import type { RequestContext } from "../../common/graphql/context";
import type { RecipientService } from "./recipient.service";
import type { TransferService } from "./transfer.service";

export interface TransferContext extends RequestContext {
  transfers: TransferService;
  recipients: RecipientService;
}
