/**
 * The subscription fields the gateway relays. Each is opened at the subgraph that owns it in the
 * supergraph (`@join__field`/`@join__type` of the Subscription type), selecting the event's key
 * (and, where it can, what the event query's first fetch reads: event-fetch.ts); every event is
 * then answered by a query field that takes that key, through the whole supergraph.
 */
import { log } from "../../common/log";
import { subscriptionOwners } from "../supergraph";

/** How one subscription field's events are identified and answered. */
export interface RelayedEvents {
  /** The Query field that answers one event; its arguments are named like the `key` fields. */
  eventQuery: string;
  /** The event's fields that identify it: always selected upstream. */
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

/** A relayed field, with the subgraph that serves it over graphql-ws at its GraphQL URL. */
export interface RelayedField extends RelayedEvents {
  subgraph: string;
}

/** Subscription field name -> its events' key and query, whichever subgraph serves it. */
export const RELAYED_EVENTS: Readonly<Record<string, RelayedEvents>> = {
  transferStatusChanged: {
    eventQuery: "transferStatusEvent",
    key: ["transferId", "sequence"],
    resumeArguments: ["after", "afterSequence"],
    cursor: { field: "position", argument: "after" },
  },
  accountActivity: {
    eventQuery: "accountActivityEvent",
    key: ["accountId", "sequence"],
    resumeArguments: ["afterSequence"],
  },
};

/** Subscription field name -> how it is relayed. */
export type RelayedFields = Readonly<Record<string, RelayedField>>;

/** The relayed fields of `supergraphSdl`, each at the subgraph that owns it there. */
export function relayedFields(supergraphSdl: string): RelayedFields {
  const fields: Record<string, RelayedField> = {};
  for (const [fieldName, subgraph] of Object.entries(subscriptionOwners(supergraphSdl))) {
    const events = RELAYED_EVENTS[fieldName];
    if (events) fields[fieldName] = { subgraph, ...events };
    else
      log.warn(
        { field: fieldName, subgraph },
        "the gateway does not know how to relay this subscription field",
      );
  }
  return fields;
}
