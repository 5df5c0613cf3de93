/**
 * List pages read only the columns of the fields selected under their nodes (decision 0032). A
 * connection field may occur several times under one response key, merged by graphql-js with
 * other siblings depending on the parent and on `@include`/`@skip`: every occurrence's fields
 * are read, on the subgraph and through the gateway, on the first request and on later ones.
 */
import { randomUUID } from "node:crypto";
import { fund, openAccount } from "../helpers/ledger";
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack.stop();
});

const PATHS = [["the subgraph"], ["the gateway"]] as const;

describe("list columns", () => {
  it.each(PATHS)(
    "When a fragment's list is spread under two parents, one adding a field, then via %s both get every field",
    async (path) => {
      const account = await openAccount(stack);
      await fund(stack, account.id, "10.00");
      const query = `query Shared${path === "the gateway" ? "Gateway" : "Subgraph"}($id: ID!) {
        account(id: $id) { ...Listed }
        again: account(id: $id) { ...Listed transactions { nodes { kind } } }
      }
      fragment Listed on Account { transactions { nodes { id } } }`;
      const url = path === "the subgraph" ? stack.ledger.url : undefined;
      for (let round = 0; round < 2; round++) {
        const answer = await stack.graphql(query, { id: account.id }, { url });
        expect(answer.errors).toBeUndefined();
        const [listed] = answer.data!.again.transactions.nodes;
        expect(listed).toEqual({
          id: answer.data!.account.transactions.nodes[0].id,
          kind: expect.any(String),
        });
      }
    },
  );

  it.each(PATHS)(
    "When a second occurrence of a list is included only sometimes, then via %s its fields are read when it is",
    async (path) => {
      const tag = `columns-${randomUUID()}`;
      await importClient(stack, { externalId: `${tag}-1`, email: `${tag}@example.com` });
      const query = `query Included${path === "the gateway" ? "Gateway" : "Subgraph"}($with: Boolean!, $tag: String) {
        clients(filter: { search: $tag }) { nodes { id } }
        clients(filter: { search: $tag }) @include(if: $with) { nodes { externalId email } }
      }`;
      const url = path === "the subgraph" ? stack.client.url : undefined;
      const without = await stack.graphql(query, { with: false, tag }, { url });
      expect(without.errors).toBeUndefined();
      expect(without.data!.clients.nodes).toEqual([{ id: expect.any(String) }]);
      const withBoth = await stack.graphql(query, { with: true, tag }, { url });
      expect(withBoth.errors).toBeUndefined();
      expect(withBoth.data!.clients.nodes).toEqual([
        { id: without.data!.clients.nodes[0].id, externalId: `${tag}-1`, email: `${tag}@example.com` },
      ]);
    },
  );
});
