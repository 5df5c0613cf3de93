/**
 * Fields that only read a property run without type-graphql's per-field resolver
 * (common/graphql/build-subgraph-schema.ts, decision 0032): a renamed field reads its property,
 * and a `SystemOnly` field checks the caller and answers at once, never a promise that makes
 * graphql-js wait on every row.
 */
import "reflect-metadata";
import { type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema } from "graphql";
import { buildClientSchema } from "../../subgraphs/client/schema";

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildClientSchema();
});

const system = { caller: { kind: "system", subject: "ops" }, requestId: "r" };
const frontOffice = { caller: { kind: "client", subject: "ann", clientId: "c" }, requestId: "r" };
const row = { createdAt: new Date(0), riskLevel: "high", isDefaultCompliant: true };

function resolve(field: string, context: object): unknown {
  const resolver = (schema.getType("Client") as GraphQLObjectType).getFields()[field]!.resolve!;
  return resolver(row, {}, context, {} as GraphQLResolveInfo);
}

describe("property fields of the client subgraph", () => {
  it("When a renamed field is read, then its property comes back at once", () => {
    expect(resolve("created", system)).toBe(row.createdAt);
  });

  it("When a SystemOnly field is read by a system caller, then its value comes back at once, not a promise", () => {
    expect(resolve("riskLevel", system)).toBe("high");
    expect(resolve("isDefaultCompliant", system)).toBe(true);
  });

  it("When a SystemOnly field is read by a front-office caller, then it throws FORBIDDEN at once", () => {
    let thrown: unknown;
    try {
      const answer = resolve("riskLevel", frontOffice);
      // A promise (type-graphql's middleware chain) would reject later: not what is asked here.
      if (answer instanceof Promise) answer.catch(() => undefined);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: "FORBIDDEN" });
  });
});
