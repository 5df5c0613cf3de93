/**
 * Queries called without type-graphql's promise per argument (common/graphql/lean-resolvers.ts,
 * decision 0045), on the client subgraph's real schema: the same conversion, validation and
 * order of parameters, failures still a rejected promise.
 */
import { type GraphQLResolveInfo, type GraphQLSchema, parse } from "graphql";
import type { AppError } from "../../common/errors";
import { buildClientSchema } from "../../subgraphs/client/schema";
import { ClientFilterInput } from "../../subgraphs/client/graphql/inputs";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildClientSchema();
});

/** `clients`'s resolver, called as graphql-js would, with a context whose service records its call. */
function callClients(args: Record<string, unknown>) {
  const calls: unknown[][] = [];
  const context = { clients: { list: (...values: unknown[]) => (calls.push(values), "page") } };
  const query = parse("{ clients { nodes { id email } } }");
  const field = query.definitions[0].kind === "OperationDefinition" ? query.definitions[0] : undefined;
  const info = {
    fieldNodes: field!.selectionSet.selections,
    returnType: schema.getQueryType()!.getFields().clients.type,
    fragments: {},
  } as unknown as GraphQLResolveInfo;
  const answer = schema.getQueryType()!.getFields().clients.resolve!(undefined, args, context, info);
  return { answer, calls };
}

describe("lean operation resolvers", () => {
  it("When a list is asked for, then its method is called at once with converted, validated arguments in order", () => {
    const { answer, calls } = callClients({ filter: { search: "abc" }, first: 5 });
    expect(answer).toBe("page");
    expect(calls).toHaveLength(1);
    const [filter, first, after, properties] = calls[0];
    expect(filter).toBeInstanceOf(ClientFilterInput);
    expect(filter).toEqual(Object.assign(new ClientFilterInput(), { search: "abc" }));
    expect([first, after, properties]).toEqual([5, undefined, ["id", "email"]]);
  });

  it("When an argument breaks a rule, then the answer is a rejected promise and the method is not called", async () => {
    const { answer, calls } = callClients({ filter: { search: "x".repeat(101) } });
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).rejects.toMatchObject({ code: "VALIDATION_FAILED" } satisfies Partial<AppError>);
    expect(calls).toHaveLength(0);
  });
});
