import type { Caller } from "../common/auth/caller";

/** Per-request facts the gateway forwards to subgraphs. */
export interface GatewayContext {
  caller: Caller;
  /** The caller's own `Authorization` header, forwarded as is: subgraphs verify it again. */
  authorization: string;
  requestId: string;
}
