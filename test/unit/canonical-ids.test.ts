/** canonicalIds: every ID argument reaches the resolver canonical; nothing else is touched. */
import { buildSchema, graphql, type GraphQLInputObjectType, parse, subscribe } from "graphql";
import { canonicalIds } from "../../common/graphql/canonical-ids";
import { mapInputLeaves } from "../../common/graphql/input-values";

const UUID = "8F14E45F-CEEA-467A-9575-2B1B0F3E0D6C";

function schemaEchoingArgs() {
  const schema = buildSchema(`
    input Inner { ids: [ID!], name: String }
    input Filter { id: ID, inner: Inner, self: Filter, note: String }
    type Query {
      one(id: ID!): String
      many(ids: [ID!]!): String
      filtered(filter: Filter!): String
      text(value: String!): String
      plain: String
    }`);
  const echo = (_: unknown, args: unknown) => JSON.stringify(args);
  const fields = schema.getQueryType()!.getFields();
  for (const name of ["one", "many", "filtered", "text"]) fields[name].resolve = echo;
  const plain = () => "plain";
  fields.plain.resolve = plain;
  return { schema: canonicalIds(schema), plain, fields };
}

describe("canonicalIds", () => {
  const { schema, plain, fields } = schemaEchoingArgs();
  const run = async (source: string) => {
    const result = await graphql({ schema, source });
    expect(result.errors).toBeUndefined();
    return Object.values(result.data!)[0] as string;
  };

  it("When an ID argument, a list of IDs or an ID inside input objects is a UUID in upper case, then the resolver gets it in lower case", async () => {
    expect(JSON.parse(await run(`{ one(id: "${UUID}") }`))).toEqual({ id: UUID.toLowerCase() });
    expect(JSON.parse(await run(`{ many(ids: ["${UUID}", "x-Y"]) }`))).toEqual({
      ids: [UUID.toLowerCase(), "x-Y"],
    });
    expect(
      JSON.parse(
        await run(
          `{ filtered(filter: { id: "${UUID}", note: "${UUID}", inner: { ids: ["${UUID}"], name: "${UUID}" }, self: { id: "${UUID}" } }) }`,
        ),
      ),
    ).toEqual({
      filter: {
        id: UUID.toLowerCase(),
        note: UUID,
        inner: { ids: [UUID.toLowerCase()], name: UUID },
        self: { id: UUID.toLowerCase() },
      },
    });
  });

  it("When an ID is not a UUID or a String holds one, then it stays as written; a field without ID arguments keeps its resolver", async () => {
    expect(JSON.parse(await run(`{ one(id: "Not-A-Uuid") }`))).toEqual({ id: "Not-A-Uuid" });
    expect(JSON.parse(await run(`{ text(value: "${UUID}") }`))).toEqual({ value: UUID });
    expect(fields.plain.resolve).toBe(plain);
  });

  it("When a subscription's filter holds a UUID in upper case, then its source (subscribe) gets it in lower case", async () => {
    const schema = buildSchema(`
      type Query { plain: String }
      type Subscription { changed(id: ID): String }`);
    const field = schema.getSubscriptionType()!.getFields().changed;
    const seen: unknown[] = [];
    field.subscribe = (_: unknown, args: unknown) => {
      seen.push(args);
      return (async function* () {
        yield { changed: "one" };
      })();
    };
    const stream = await subscribe({
      schema: canonicalIds(schema),
      document: parse(`subscription { changed(id: "${UUID}") }`),
    });
    expect(Symbol.asyncIterator in stream).toBe(true);
    expect(seen).toEqual([{ id: UUID.toLowerCase() }]);
  });
});

describe("mapInputLeaves", () => {
  const { schema } = schemaEchoingArgs();
  const filter = schema.getType("Filter") as GraphQLInputObjectType;
  const lower = (value: unknown) => (typeof value === "string" ? value.toLowerCase() : value);

  it("When no leaf changes, then the value itself is answered; when one does, then a copy, the original untouched", () => {
    const same = { id: "a", inner: { ids: ["b", "c"], name: "x" }, note: "n" };
    expect(mapInputLeaves(same, filter, lower)).toBe(same);
    const changed = { id: "a", inner: { ids: ["b", "C"], name: "x" }, self: { id: "d" }, note: "N" };
    const before = structuredClone(changed);
    const mapped = mapInputLeaves(changed, filter, lower) as typeof changed;
    expect(mapped).toEqual({ id: "a", inner: { ids: ["b", "c"], name: "x" }, self: { id: "d" }, note: "n" });
    expect(changed).toEqual(before);
    // What did not change is shared, what did is new.
    expect(mapped.self).toBe(changed.self);
    expect(mapped.inner).not.toBe(changed.inner);
  });
});
