/**
 * Which row properties a list query will read (common/graphql/node-properties.ts), worked out on
 * the subgraphs' real schemas: a list page reads only their columns (decision 0032).
 */
import { graphql, type GraphQLFieldResolver, type GraphQLSchema } from "graphql";
import type { RowProperties } from "../../common/db/row-reader";
import { nodeProperties } from "../../common/graphql/node-properties";
import { buildClientSchema } from "../../subgraphs/client/schema";
import { buildTransferSchema } from "../../subgraphs/transfer/schema";

let client: GraphQLSchema;
let transfer: GraphQLSchema;
beforeAll(async () => {
  client = await buildClientSchema();
  transfer = await buildTransferSchema();
});

/** The properties `nodeProperties` finds for the list field of `query` (whose resolver is replaced). */
async function propertiesOf(schema: GraphQLSchema, field: string, query: string): Promise<RowProperties> {
  const list = schema.getQueryType()!.getFields()[field];
  const original = list.resolve;
  let found: RowProperties | "not called" = "not called";
  const capture: GraphQLFieldResolver<unknown, unknown> = (_source, _args, _context, info) => {
    found = nodeProperties(info);
    return { nodes: [], edges: [], totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null } };
  };
  list.resolve = capture;
  try {
    const result = await graphql({ schema, source: query, contextValue: {} });
    expect(result.errors).toBeUndefined();
  } finally {
    list.resolve = original;
  }
  if (found === "not called") throw new Error(`${field} was not resolved`);
  return found;
}

describe("nodeProperties", () => {
  it("When plain fields are selected, then their properties come back, renamed fields by their property", async () => {
    const properties = await propertiesOf(
      client,
      "clients",
      `{ clients { nodes { __typename id created riskLevel email } pageInfo { endCursor } } }`,
    );
    expect(properties).toEqual(["id", "createdAt", "riskLevel", "email"]);
  });

  it("When fields come through edges, fragments and inline fragments, then they all count", async () => {
    const properties = await propertiesOf(
      client,
      "clients",
      `query { clients { edges { cursor node { ...Names } } nodes { ... on Client { address { city } } } } }
       fragment Names on Client { firstName lastName }`,
    );
    expect([...properties!].sort()).toEqual(["address", "firstName", "lastName"]);
  });

  it("When no node is selected, then no property is needed (the cursor's columns are read anyway)", async () => {
    expect(
      await propertiesOf(client, "clients", `{ clients { totalCount pageInfo { hasNextPage } } }`),
    ).toEqual([]);
  });

  it("When a field with a resolver of its own is selected, then every property may be read", async () => {
    expect(
      await propertiesOf(client, "clients", `{ clients { nodes { id statusHistory { to } } } }`),
    ).toBeUndefined();
    expect(
      await propertiesOf(transfer, "transfers", `{ transfers { nodes { id account { id } } } }`),
    ).toBeUndefined();
  });

  it("When a GraphQL type is not the row's class, then its fields still name the row's properties", async () => {
    const properties = await propertiesOf(
      transfer,
      "transfers",
      `{ transfers { nodes { id kind status amount currency reference createdAt } } }`,
    );
    expect(properties).toEqual(["id", "kind", "status", "amount", "currency", "reference", "createdAt"]);
  });
});
