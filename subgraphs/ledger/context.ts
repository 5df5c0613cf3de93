import type { RequestContext } from "../../common/graphql/context";
import type { LedgerService } from "./ledger.service";

export interface LedgerContext extends RequestContext {
  ledger: LedgerService;
}
