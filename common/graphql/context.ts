import type { Caller } from "../auth/caller";

/** What every subgraph resolver knows about the request; subgraphs add their loaders and services. */
export interface RequestContext {
  caller: Caller;
  /** Forwarded by the gateway (`x-request-id`) so one request can be followed across services. */
  requestId: string;
}
