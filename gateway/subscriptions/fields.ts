/**
 * The subscription fields the gateway relays. Each is opened at the subgraph that owns it,
 * selecting only the event's key; every event is then answered by a query field that takes
 * that key, through the whole supergraph.
 */
export interface RelayedField {
  /** The subgraph that serves the subscription over graphql-ws at its GraphQL URL. */
  subgraph: string;
  /** The Query field that answers one event; its arguments are named like the `key` fields. */
  eventQuery: string;
  /** The event's fields that identify it: the only ones selected upstream. */
  key: readonly string[];
  /**
   * The arguments asking for missed events first (a cursor): such a subscription has its own
   * upstream subscription (decision 0028).
   */
  resumeArguments: readonly string[];
  /**
   * The event's position in one ordered log (selected upstream with the key) and the argument
   * that starts after one: a subscription resuming from a cursor catches up on a stream of its
   * own, then moves to the shared one (decision 0028).
   */
  cursor?: { field: string; argument: string };
}

/** Subscription field name -> how it is relayed. */
export const RELAYED_FIELDS: Readonly<Record<string, RelayedField>> = {
  transferStatusChanged: {
    subgraph: "transfer",
    eventQuery: "transferStatusEvent",
    key: ["transferId", "sequence"],
    resumeArguments: ["after", "afterSequence"],
    cursor: { field: "position", argument: "after" },
  },
};
