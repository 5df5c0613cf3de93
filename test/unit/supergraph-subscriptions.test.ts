/**
 * The gateway relays a subscription field from the subgraph the supergraph names: its
 * `@join__field` graph, or the Subscription type's only `@join__type` graph.
 */
import fs from "node:fs";
import path from "node:path";
import { projectRoot } from "../../common/paths";
import { EVENT_KEY_FIELDS } from "../../common/graphql/subscription-events";
import { RELAYED_EVENTS, relayedFields } from "../../gateway/subscriptions/fields";
import { subscriptionOwners } from "../../gateway/supergraph";

const JOIN = `
  directive @join__graph(name: String!, url: String!) on ENUM_VALUE
  directive @join__type(graph: join__Graph!, key: String) repeatable on OBJECT
  directive @join__field(graph: join__Graph) repeatable on FIELD_DEFINITION
  enum join__Graph {
    LEDGER @join__graph(name: "ledger", url: "http://ledger/graphql")
    TRANSFER @join__graph(name: "transfer", url: "http://transfer/graphql")
  }
  type Query { ok: Boolean }
`;

describe("which subgraph serves a subscription field", () => {
  it("When the committed supergraph is read, then accountActivity is the ledger's and transferStatusChanged the transfer subgraph's", () => {
    const sdl = fs.readFileSync(path.join(projectRoot(), "schema", "supergraph.graphql"), "utf8");
    expect(subscriptionOwners(sdl)).toEqual({ accountActivity: "ledger", transferStatusChanged: "transfer" });
    expect(relayedFields(sdl)).toEqual({
      accountActivity: { subgraph: "ledger", ...RELAYED_EVENTS.accountActivity },
      transferStatusChanged: { subgraph: "transfer", ...RELAYED_EVENTS.transferStatusChanged },
    });
  });

  it("When one subgraph alone defines Subscription (no @join__field), then its @join__type names the owner", () => {
    const sdl = `${JOIN} type Subscription @join__type(graph: LEDGER) { accountActivity: Boolean }`;
    expect(subscriptionOwners(sdl)).toEqual({ accountActivity: "ledger" });
  });

  it("When the schema renames the subscription root, then its fields are still found; a field of no single subgraph is left out", () => {
    const sdl = `${JOIN}
      schema { query: Query subscription: Events }
      type Events @join__type(graph: LEDGER) @join__type(graph: TRANSFER) {
        accountActivity: Boolean @join__field(graph: LEDGER)
        both: Boolean
      }`;
    expect(subscriptionOwners(sdl)).toEqual({ accountActivity: "ledger" });
  });
});

describe("what a subgraph sends of an event it could not resolve", () => {
  it("When any relayed field's event fails at its subgraph, then the fields the gateway needs to query it whole are among those sent", () => {
    for (const events of Object.values(RELAYED_EVENTS)) {
      const needed = events.cursor ? [...events.key, events.cursor.field] : events.key;
      for (const field of needed) expect(EVENT_KEY_FIELDS).toContain(field);
    }
  });
});
