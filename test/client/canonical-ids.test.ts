/** A client id written in upper case names the same client, for its own front-office token too. */
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

describe("client ids in upper case", () => {
  it("When a client is read, blocked and resolved by its upper-case id, then it is the same client", async () => {
    const id = await importClient(stack);
    const own = await stack.graphql(
      `query($id: ID!) { client(id: $id) { id } }`,
      { id: id.toUpperCase() },
      { token: await stack.clientToken(id) },
    );
    expect(own.errors).toBeUndefined();
    expect(own.data!.client).toEqual({ id });

    const blocked = await stack.graphql(
      `mutation($id: ID!) { blockClient(id: $id, reason: "test") { id status statusHistory { to } } }`,
      { id: id.toUpperCase() },
    );
    expect(blocked.errors).toBeUndefined();
    expect(blocked.data!.blockClient).toEqual({
      id,
      status: "BLOCKED",
      statusHistory: [{ to: "ACTIVE" }, { to: "BLOCKED" }],
    });

    const entities = await stack.graphql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Client { id status } } }`,
      { r: [{ __typename: "Client", id: id.toUpperCase() }] },
      { url: stack.client.url },
    );
    expect(entities.data!._entities).toEqual([{ id, status: "BLOCKED" }]);
  });
});
