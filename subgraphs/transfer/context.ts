import type { RequestContext } from "../../common/graphql/context";
import type { TransferService } from "./transfer.service";

export interface TransferContext extends RequestContext {
  transfers: TransferService;
}
