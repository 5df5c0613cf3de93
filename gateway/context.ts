import type { Caller } from "../common/auth/caller";

/** Per-request facts the gateway forwards to subgraphs. */
export interface GatewayContext {
  caller: Caller;
  /** The caller's own `Authorization` header, forwarded as is: subgraphs verify it again. */
  authorization: string;
  requestId: string;
  /**
   * Planning an event query (gateway/subscriptions/event-fetch.ts): every subgraph call is
   * recorded here and answered null instead of being sent.
   */
  planning?: (fetch: RecordedFetch) => void;
  /**
   * The answer of one subgraph call that was already made: an event's first fetch, answered by
   * the upstream subscription it came over. The call with this subgraph and operation text gets
   * it instead of going out.
   */
  prefetched?: { subgraph: string; operation: string; answer: { data: Record<string, unknown> } };
}

/** A subgraph call as planning saw it. */
export interface RecordedFetch {
  subgraph: string;
  /** The operation text the gateway would send. */
  query: string;
}
