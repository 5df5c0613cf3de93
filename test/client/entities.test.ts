/** Federation: `_entities` resolves a batch of client references with one SQL statement. */
import { importClient, type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Client { id firstName status } }
}`;

describe("Client entity references", () => {
  it("When 100 clients are resolved through _entities, then the subgraph sends one SQL statement and answers in order", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 100; i++) ids.push(await importClient(stack));
    const representations = [...ids].reverse().map((id) => ({ __typename: "Client", id }));

    const before = stack.client.statements.count;
    const result = await stack.graphql(ENTITIES, { representations }, { url: stack.client.url });
    const statements = stack.client.statements.count - before;

    expect(result.errors).toBeUndefined();
    expect(result.data!._entities.map((e: any) => e.id)).toEqual([...ids].reverse());
    expect(result.data!._entities.every((e: any) => e.firstName === "Ann" && e.status === "ACTIVE")).toBe(
      true,
    );
    expect(statements).toBe(1);
  });

  it("When a reference names no client or a malformed id, then that entity is null and the rest resolve", async () => {
    const id = await importClient(stack);
    const result = await stack.graphql(
      ENTITIES,
      {
        representations: [
          { __typename: "Client", id },
          { __typename: "Client", id: "00000000-0000-4000-8000-000000000000" },
          { __typename: "Client", id: "not-a-uuid" },
          { __typename: "Client" },
          { __typename: "Client", id: 42 },
        ],
      },
      { url: stack.client.url },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data!._entities).toEqual([
      { id, firstName: "Ann", status: "ACTIVE" },
      null,
      null,
      null,
      null,
    ]);
  });

  it("When a front-office token resolves another client's reference, then that entity is refused", async () => {
    const own = await importClient(stack);
    const other = await importClient(stack);
    const result = await stack.graphql(
      ENTITIES,
      {
        representations: [
          { __typename: "Client", id: own },
          { __typename: "Client", id: other },
        ],
      },
      { url: stack.client.url, token: await stack.clientToken(own) },
    );
    expect(result.data!._entities[0]).toEqual({ id: own, firstName: "Ann", status: "ACTIVE" });
    expect(result.data!._entities[1]).toBeNull();
    expect(result.errors![0].extensions!.code).toBe("FORBIDDEN");
  });
});
