/**
 * OperationLimits.check, which runs on every request, against the check it replaced (kept
 * here as the reference): the same refusals, to the message, details and field, for random
 * variables and extensions on operations of the ledger subgraph whose cost is fixed whatever
 * their variables (remembered once, without costShape) and on ones whose cost changes with them.
 */
import fc from "fast-check";
import { type DocumentNode, getOperationAST, GraphQLError, type GraphQLSchema, parse } from "graphql";
import type { Caller } from "../../common/auth/caller";
import { loadConfig, type OperationLimitsConfig } from "../../common/config";
import { AppError } from "../../common/errors";
import * as cost from "../../common/graphql/cost";
import { type LimitedRequest, limitExceeded, OperationLimits } from "../../common/graphql/limits";
import { buildLedgerSchema } from "../../subgraphs/ledger/schema";

// Counted, not changed: which requests costShape and operationCost were still needed for.
jest.mock("../../common/graphql/cost", () => {
  const actual = jest.requireActual<typeof cost>("../../common/graphql/cost");
  return { ...actual, costShape: jest.fn(actual.costShape), operationCost: jest.fn(actual.operationCost) };
});

/** The check as it was before (commit 5a883ba), word for word but for its class. */
class ReferenceLimits {
  private readonly costs = new WeakMap<DocumentNode, Map<string, number>>();

  constructor(private readonly limits: OperationLimitsConfig) {}

  check(request: LimitedRequest): AppError | undefined {
    const { limits } = this;
    if (!limits.enabled) return undefined;
    const values = [
      ...Object.entries(request.variables ?? {}).map(([name, value]) => [name, value] as const),
      ...Object.entries(request.extensions ?? {}).map(
        ([name, value]) => [`extensions.${name}`, value] as const,
      ),
    ];
    for (const [field, value] of values) {
      const nested = referenceNestingDepth(value);
      if (nested > limits.maxVariableDepth) {
        const refusal = limitExceeded("variableDepth", limits.maxVariableDepth, nested);
        return new AppError(refusal.code, `${field}: ${refusal.message}`, { ...refusal.details, field });
      }
    }
    if (!getOperationAST(request.document, request.operationName)) return undefined;
    const max = request.caller?.kind === "system" ? limits.maxCostSystem : limits.maxCost;
    let counted: number | null;
    try {
      counted = this.cachedCost(request);
    } catch (error) {
      if (error instanceof GraphQLError && error.message.includes("maximum allowed number of nodes")) {
        counted = null;
      } else {
        return undefined;
      }
    }
    return counted === null || counted > max ? limitExceeded("cost", max, counted) : undefined;
  }

  private cachedCost(request: LimitedRequest): number {
    let byVariables = this.costs.get(request.document);
    if (!byVariables) this.costs.set(request.document, (byVariables = new Map()));
    const key = `${request.operationName ?? ""}\n${referenceCostShape(request.variables)}`;
    let counted = byVariables.get(key);
    if (counted === undefined) {
      counted = jest.requireActual<typeof cost>("../../common/graphql/cost").operationCost(request);
      if (byVariables.size >= 64) byVariables.clear();
      byVariables.set(key, counted);
    }
    return counted;
  }
}

function referenceNestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== "object") continue;
    const inner = depth + 1;
    if (inner > deepest) deepest = inner;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (child !== null && typeof child === "object") pending.push([child, inner]);
    }
  }
  return deepest;
}

function referenceCostShape(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}:${referenceCostShape(item)}`)
      .join(",")}}`;
  }
  return typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

/** What a caller is told: the whole refusal, or nothing. */
function told(refusal: AppError | undefined) {
  return (
    refusal && {
      type: refusal.constructor.name,
      code: refusal.code,
      message: refusal.message,
      details: refusal.details,
    }
  );
}

const defaults = loadConfig({}).operationLimits;
const client: Caller = { kind: "client", subject: "u", clientId: "c" };
const system: Caller = { kind: "system", subject: "ops" };

/** Operations of the ledger subgraph: `fixed` when their cost cannot change with their variables. */
const DOCUMENTS = {
  // String, ID and enum variables only.
  accounts: {
    fixed: true,
    query: `query($filter: AccountFilterInput, $after: String) { accounts(filter: $filter, after: $after) { nodes { id } totalCount } }`,
  },
  // PaymentInput's metadata is a JSONObject (it may hold numbers), read nowhere the cost reads.
  createPayment: {
    fixed: true,
    query: `mutation($input: PaymentInput!, $key: String!) { createPayment(input: $input, idempotencyKey: $key) { id status } }`,
  },
  pages: {
    fixed: false,
    query: `query($n: Int, $filter: AccountFilterInput, $tx: Boolean!) { accounts(first: $n, filter: $filter) { nodes { id transactions(first: $n) @include(if: $tx) { nodes { id } } } } }`,
  },
  entities: {
    fixed: false,
    query: `query($r: [_Any!]!) { _entities(representations: $r) { ... on Account { id client { id } } } }`,
  },
  named: {
    fixed: false,
    query: `query A($filter: AccountFilterInput) { accounts(filter: $filter) { nodes { id } } }
      query B($n: Int) { accounts(first: $n) { nodes { id } } }`,
  },
} as const;
type DocumentName = keyof typeof DOCUMENTS;

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildLedgerSchema();
});

/** Values of any shape, nesting up to `depth` levels. */
const anyValue = (depth: number) => fc.jsonValue({ maxDepth: depth }).map((value) => value as unknown);

/** Values a variable of each document may take: mostly fitting ones, some of any shape. */
const variablesOf: Record<DocumentName, fc.Arbitrary<Record<string, unknown>>> = {
  accounts: fc.record(
    {
      filter: fc.oneof(
        fc.record(
          {
            clientId: fc.string(),
            currency: fc.constantFrom("EUR", "USD"),
            status: fc.constantFrom("OPEN", "CLOSED"),
          },
          { requiredKeys: [] },
        ),
        anyValue(4),
      ),
      after: fc.oneof(fc.string(), fc.constant(null), fc.integer()),
    },
    { requiredKeys: [] },
  ),
  createPayment: fc.record(
    {
      input: fc.oneof(
        fc.record(
          {
            debitAccountId: fc.string(),
            creditAccountId: fc.string(),
            amount: fc.oneof(fc.constant("12.34"), fc.string()),
            description: fc.string(),
            metadata: fc.oneof(fc.dictionary(fc.string(), anyValue(3)), fc.constant(null)),
          },
          { requiredKeys: ["debitAccountId", "creditAccountId", "amount", "description"] },
        ),
        anyValue(5),
      ),
      key: fc.oneof(fc.string(), fc.constant(null), fc.boolean()),
    },
    { requiredKeys: ["input"] },
  ),
  pages: fc.record(
    {
      n: fc.oneof(fc.integer({ min: -5, max: 100 }), fc.constant(null), fc.string()),
      tx: fc.boolean(),
      filter: anyValue(3),
    },
    { requiredKeys: ["tx"] },
  ),
  entities: fc.record(
    {
      r: fc.oneof(
        fc.array(fc.record({ __typename: fc.constant("Account"), id: fc.string() }), { maxLength: 30 }),
        anyValue(3),
      ),
    },
    { requiredKeys: [] },
  ),
  named: fc.record(
    { filter: anyValue(2), n: fc.oneof(fc.integer({ min: 0, max: 100 }), fc.boolean()) },
    { requiredKeys: [] },
  ),
};

/** A request's variables plus variables the operation does not declare, and maybe extensions. */
const requestOf = (name: DocumentName) =>
  fc.record({
    variables: fc
      .tuple(variablesOf[name], fc.dictionary(fc.string(), anyValue(6), { maxKeys: 3 }))
      .map(([declared, extra]) => ({ ...extra, ...declared })),
    extensions: fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.dictionary(fc.string(), anyValue(6), { maxKeys: 3 }),
    ),
    operationName:
      name === "named"
        ? fc.constantFrom(undefined, "A", "B", "C")
        : fc.constantFrom(undefined, undefined, "Other"),
  });

/** Budgets around the costs of the documents (1 for createPayment, tens for the others) and up to `most`. */
const budget = (most: number) =>
  fc.oneof(
    fc.integer({ min: 0, max: 2 }),
    fc.integer({ min: 0, max: 50 }),
    fc.integer({ min: 1, max: most }),
  );

describe("OperationLimits.check against the check it replaced", () => {
  it("When random variables and extensions come, one caller after another, then every answer is the one the old check gave", () => {
    const documents = Object.fromEntries(
      Object.keys(DOCUMENTS).map((name) => [name, parse(DOCUMENTS[name as DocumentName].query)]),
    );
    const scenario = fc.constantFrom(...(Object.keys(DOCUMENTS) as DocumentName[])).chain((name) =>
      fc.record({
        name: fc.constant(name),
        // One caller per run: the old check answered variables that do not fit from its cache of
        // shapes costed for any caller; the new one asks that cache only past the caller's budget.
        caller: fc.constantFrom(undefined, client, system),
        maxCost: budget(2_500),
        maxCostSystem: budget(50_000),
        maxVariableDepth: fc.integer({ min: 1, max: 6 }),
        requests: fc.array(requestOf(name), { minLength: 1, maxLength: 6 }),
      }),
    );
    fc.assert(
      fc.property(scenario, ({ name, caller, requests, ...budgets }) => {
        const config = { ...defaults, ...budgets };
        const [checked, reference] = [new OperationLimits(config, false), new ReferenceLimits(config)];
        for (const request of requests) {
          const limited = { schema, document: documents[name], caller, ...request };
          expect(told(checked.check(limited))).toEqual(told(reference.check(limited)));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("When a constant-cost operation comes with other strings, then it answers the same cost, costed once and without costShape", () => {
    const document = parse(DOCUMENTS.createPayment.query);
    const variables = (key: string, description: string) => ({
      input: { debitAccountId: "a-1", creditAccountId: "a-2", amount: "12.34", description },
      key,
    });
    const counted = cost.operationCost({ schema, document, variables: variables("k", "x") });
    expect(counted).toBeGreaterThan(0);
    const limits = new OperationLimits({ ...defaults, maxCost: counted, maxCostSystem: counted - 1 }, false);
    jest.mocked(cost.costShape).mockClear();
    jest.mocked(cost.operationCost).mockClear();
    for (let i = 0; i < 10; i++) {
      const request = { schema, document, variables: variables(`k-${i}`, "y".repeat(i)) };
      expect(limits.check({ ...request, caller: client })).toBeUndefined();
      expect(cost.operationCost(request)).toBe(counted);
    }
    // The first request costed the operation (its shape taken as before); no other did.
    expect(cost.costShape).toHaveBeenCalledTimes(1);
    expect(cost.operationCost).toHaveBeenCalledTimes(1 + 10);
    // Past a budget it is the cost of every variable, as before.
    const refusal = limits.check({ schema, document, variables: variables("other", "z"), caller: system });
    expect(refusal?.details).toEqual({ limit: "cost", max: counted - 1, actual: counted });
  });

  it("When page sizes change an operation's cost, then each shape of its variables is still costed as itself", () => {
    const document = parse(DOCUMENTS.pages.query);
    const variables = (n: number) => ({ n, tx: false, filter: { currency: `C${n}` } });
    const [ten, hundred] = [10, 100].map((n) =>
      cost.operationCost({ schema, document, variables: variables(n) }),
    );
    expect(hundred).toBe(10 * ten);
    const limits = new OperationLimits({ ...defaults, maxCost: ten }, false);
    const check = (n: number) => limits.check({ schema, document, variables: variables(n), caller: client });
    jest.mocked(cost.costShape).mockClear();
    expect(check(10)).toBeUndefined();
    expect(check(100)?.details).toEqual({ limit: "cost", max: ten, actual: hundred });
    expect(check(10)).toBeUndefined();
    expect(cost.costShape).toHaveBeenCalledTimes(3);
  });
});

describe("the nesting of variables and extensions", () => {
  /** `levels` objects and arrays nested in one another. */
  const nested = (levels: number): unknown => {
    let value: unknown = "leaf";
    for (let i = 0; i < levels; i++) value = i % 2 ? { a: value } : [value];
    return value;
  };
  const document = parse(DOCUMENTS.accounts.query);

  it("When values nest too deeply, then the first of them in order is named with its whole depth, as before", () => {
    const limits = new OperationLimits({ ...defaults, maxVariableDepth: 3 }, false);
    const reference = new ReferenceLimits({ ...defaults, maxVariableDepth: 3 });
    const cases: Array<Pick<LimitedRequest, "variables" | "extensions">> = [
      {
        variables: { after: "x", filter: { a: nested(9) }, later: nested(12) },
        extensions: { deep: nested(12) },
      },
      {
        variables: { after: "x", filter: nested(3) },
        extensions: { shallow: nested(3), deep: [nested(7), 1] },
      },
      { variables: { filter: [[1], [[[{}]]]] } },
    ];
    const answers = cases.map((request) => told(limits.check({ schema, document, ...request })));
    expect(answers.map((answer) => answer?.details)).toEqual([
      { limit: "variableDepth", max: 3, actual: 10, field: "filter" },
      { limit: "variableDepth", max: 3, actual: 8, field: "extensions.deep" },
      { limit: "variableDepth", max: 3, actual: 5, field: "filter" },
    ]);
    expect(answers[0]?.message).toBe(
      "filter: A variable or extension value nests 10 levels deep; the limit is 3: send flatter values",
    );
    expect(answers).toEqual(cases.map((request) => told(reference.check({ schema, document, ...request }))));
  });

  it("When a value nests a million levels deep, then it is refused with its depth, and lifted limits count it without overflowing the stack", () => {
    const deep = nested(1_000_000);
    const refusal = new OperationLimits(defaults, false).check({
      schema,
      document,
      variables: { filter: deep },
    });
    expect(refusal?.details).toEqual({ limit: "variableDepth", max: 20, actual: 1_000_000, field: "filter" });
    const lifted = new OperationLimits({ ...defaults, maxVariableDepth: 2_000_000 }, false);
    expect(lifted.check({ schema, document, variables: { filter: deep } })).toBeUndefined();
  });
});
