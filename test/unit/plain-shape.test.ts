/**
 * A plain operation's answer shaped by its plan (gateway/plain-shape.ts, decision 0065) is what
 * @apollo/gateway's `computeResponse` makes of it, key order included, whenever it shapes without
 * a finding; every answer it would report something about (a null to bubble up, a leaf of the
 * wrong kind, a value of the wrong structure) is left to `computeResponse`.
 */
import {
  buildSchema,
  type EnumType,
  isValidLeafValue,
  operationFromDocument,
  type ScalarType,
} from "@apollo/federation-internals";
import { computeResponse } from "@apollo/gateway/dist/resultShaping";
import { parse } from "graphql";
import { leafCheck, planPlainShape, shapePlain, UNSHAPED } from "../../gateway/plain-shape";

const schema = buildSchema(`
  type Query {
    payment(id: ID!): Payment
    payments: [Payment!]!
    maybe: [Payment]
    count: Int!
    json: JSON
    node: Node
  }
  scalar JSON
  enum Status { DRAFT POSTED }
  interface Node { id: ID! }
  type Owner { name: String! age: Int }
  type Payment implements Node {
    id: ID!
    status: Status!
    amount: String!
    note: String
    tags: [String!]
    owner: Owner
    flag: Boolean
    rate: Float
    n: Int
  }
`);

const operation = (query: string) => operationFromDocument(schema, parse(query), { validate: true });

const PLAIN = `{
  payment(id: "1") { id status amount note tags owner { name age } flag rate n }
  again: payment(id: "2") { key: id s: status }
  payments { id status owner { name } }
  maybe { id }
  count
  json
}`;

const VALID = {
  payment: {
    id: "p1",
    status: "POSTED",
    amount: "2.50",
    note: null,
    tags: ["a", "b"],
    owner: { name: "Ann", age: 40 },
    flag: true,
    rate: 1.5,
    n: 7,
  },
  again: { key: "p2", s: "DRAFT" },
  payments: [
    { id: "p3", status: "POSTED", owner: null },
    { id: "p4", status: "DRAFT", owner: { name: "Bo" } },
  ],
  maybe: [null, { id: "p5" }],
  count: 3,
  json: { any: ["thing", 1] },
};

/** What `computeResponse` makes of `input`: its data and errors, or that it threw. */
function apollos(query: string, input: Record<string, unknown>) {
  try {
    const { data, errors } = computeResponse({
      operation: operation(query),
      variables: {},
      input,
      introspectionHandling: () => null,
    });
    return { data, errors };
  } catch (error) {
    return { threw: error };
  }
}

/** `value` with the value at `path` replaced (or deleted, for undefined), as a new tree. */
function replaced(value: unknown, path: (string | number)[], by: unknown): unknown {
  if (path.length === 0) return by;
  const [head, ...rest] = path;
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  if (rest.length === 0 && by === undefined && !Array.isArray(value)) delete copy[head!];
  else copy[head!] = replaced(copy[head!], rest, by);
  return copy;
}

/** Every path in `value` that holds something. */
function pathsOf(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [path];
  const inner = Object.entries(value).flatMap(([key, child]) =>
    pathsOf(child, [...path, Array.isArray(value) ? Number(key) : key]),
  );
  return [path, ...inner].filter((p) => p.length > 0);
}

const ODD_VALUES = [
  null,
  undefined,
  "x",
  "BAD",
  1.5,
  7,
  true,
  {},
  [],
  { name: "N" },
  [{ id: "q" }],
  { name: "N", id: "q", status: "DRAFT", __typename: "Owner" },
  { name: "N", id: "q", status: "DRAFT", __typename: "Nope" },
];

describe("a plain operation's answer shaped by its plan", () => {
  const plan = planPlainShape(operation(PLAIN))!;

  it("When the answer is valid, then it is computeResponse's data, key for key and in its order, as plain objects", () => {
    const input = { ...VALID, extra: "not selected" };
    const mine = shapePlain(plan, input);
    const theirs = apollos(PLAIN, input);
    expect(theirs.errors).toEqual([]);
    expect(mine).not.toBe(UNSHAPED);
    expect(JSON.stringify(mine)).toBe(JSON.stringify(theirs.data));
    expect(JSON.parse(JSON.stringify(mine))).toEqual(VALID);
    const shaped = mine as Record<string, Record<string, unknown>>;
    expect(Object.getPrototypeOf(shaped)).toBe(Object.prototype);
    expect(Object.getPrototypeOf(shaped.payment!.owner)).toBe(Object.prototype);
    expect(shaped.json).toBe(VALID.json);
  });

  it("When any value of the answer is replaced by a null, nothing, or a value of another kind, then the plan shapes it as computeResponse does or leaves it to it", () => {
    let shapedByPlan = 0;
    let leftToApollo = 0;
    for (const path of pathsOf(VALID)) {
      for (const odd of ODD_VALUES) {
        const input = replaced(VALID, path, odd) as Record<string, unknown>;
        const mine = shapePlain(plan, input);
        const theirs = apollos(PLAIN, input);
        const clean = !("threw" in theirs) && theirs.errors!.length === 0 && theirs.data !== null;
        const where = `${path.join(".")} = ${JSON.stringify(odd)}`;
        if (mine === UNSHAPED) {
          leftToApollo++;
          // Only an answer computeResponse reports on, or one holding a __typename, is left to it.
          if (clean) expect([where, JSON.stringify(input)].join(" ")).toContain("__typename");
        } else {
          shapedByPlan++;
          expect([where, clean]).toEqual([where, true]);
          expect([where, JSON.stringify(mine)]).toEqual([where, JSON.stringify(theirs.data)]);
        }
      }
    }
    // Both ways were taken, many times each.
    expect(shapedByPlan).toBeGreaterThan(100);
    expect(leftToApollo).toBeGreaterThan(100);
  });

  it.each(["String", "Int", "Float", "Boolean", "ID", "Status", "JSON"])(
    "When a %s value is checked, then the planned check says what isValidLeafValue says, for every kind of JSON value",
    (name) => {
      const type = schema.type(name) as ScalarType | EnumType;
      const check = leafCheck(schema, type);
      const values = [
        true,
        false,
        0,
        -0,
        7,
        -3,
        1.5,
        1e21,
        2 ** 53,
        "",
        "x",
        "7",
        "DRAFT",
        "draft",
        {},
        [],
        [1],
      ];
      const theirs = values.map((value) => isValidLeafValue(schema, value, type));
      expect(values.map((value) => check(value))).toEqual(theirs);
      // The values tell the kinds apart: each type takes some and refuses others.
      expect(theirs.includes(true) && (name === "JSON" || theirs.includes(false))).toBe(true);
    },
  );

  it.each([
    ["a fragment spread", `{ payment(id: "1") { ...F } } fragment F on Payment { id }`],
    ["an inline fragment", `{ payment(id: "1") { ... on Payment { id } } }`],
    ["__typename", `{ payment(id: "1") { __typename id } }`],
    ["@skip", `{ payment(id: "1") { id @skip(if: true) } }`],
    ["@include", `{ payment(id: "1") @include(if: true) { id } }`],
    ["an interface", `{ node { id } }`],
    ["introspection", `{ __type(name: "Payment") { name } }`],
    ["a __proto__ alias", `{ __proto__: count }`],
  ])("When the operation has %s, then it is not plain: computeResponse shapes it", (_what, query) => {
    expect(planPlainShape(operation(query))).toBeUndefined();
  });

  it("When the operation is plain, then it has a plan", () => {
    expect(planPlainShape(operation(`{ count payments { id } }`))).toEqual({
      root: [
        { name: "count", shape: { kind: "nonNull", of: { kind: "leaf", valid: expect.any(Function) } } },
        {
          name: "payments",
          shape: {
            kind: "nonNull",
            of: {
              kind: "list",
              of: {
                kind: "nonNull",
                of: {
                  kind: "object",
                  fields: [
                    {
                      name: "id",
                      shape: { kind: "nonNull", of: { kind: "leaf", valid: expect.any(Function) } },
                    },
                  ],
                },
              },
            },
          },
        },
      ],
    });
  });
});
