/**
 * The demo data (`npm run seed`) against a real supergraph: transfers in every state a dashboard
 * shows, and a second run that succeeds without adding anything.
 */
import { formatSummary, seed, type SeedSummary } from "../../bin/seed";
import { type Stack, startStack } from "../helpers/stack";

let stack: Stack;
let first: SeedSummary;
beforeAll(async () => {
  stack = await startStack();
  first = await seed({
    graphqlUrl: stack.gateway.url,
    databaseUrl: stack.databaseUrl,
    token: stack.systemToken,
  });
}, 60_000);
afterAll(() => stack.stop());

const COUNT = `query($filter: TransferFilterInput) { transfers(filter: $filter) { totalCount } }`;

async function count(filter: Record<string, unknown> = {}): Promise<number> {
  const result = await stack.graphql(COUNT, { filter });
  expect(result.errors).toBeUndefined();
  return result.data!.transfers.totalCount as number;
}

async function totals() {
  const result = await stack.graphql(
    `{
      clients { totalCount }
      accounts(first: 100) { totalCount nodes { id balance { posted pending } } }
      recipients { totalCount }
      transfers { totalCount }
    }`,
  );
  expect(result.errors).toBeUndefined();
  return result.data;
}

describe("demo data", () => {
  it.each([
    ["INTERNAL", "COMPLETED"],
    ["INTERNAL", "FAILED"],
    ["OUTGOING", "PENDING_CONFIRMATION"],
    ["OUTGOING", "PROCESSING"],
    ["OUTGOING", "COMPLETED"],
    ["OUTGOING", "CANCELLED"],
    ["OUTGOING", "FAILED"],
    ["INCOMING", "COMPLETED"],
    ["INCOMING", "UNRECOGNIZED"],
    ["FX", "COMPLETED"],
  ])("When the seed has run, then some %s transfer is %s", async (kind, status) => {
    expect(await count({ kind, status })).toBeGreaterThanOrEqual(1);
    expect(first.transfers).toContainEqual(expect.objectContaining({ kind, status }));
  });

  it("When the seed has run, then its clients have funded accounts and the summary names one to try", async () => {
    const [client] = first.clients;
    const read = await stack.graphql(
      `query($id: ID!) { client(id: $id) { lastName accounts { currency balance { available } } } }`,
      { id: client.id },
    );
    expect(read.errors).toBeUndefined();
    expect(read.data!.client.accounts.map((a: { currency: string }) => a.currency).sort()).toEqual([
      "EUR",
      "USD",
    ]);
    expect(
      read.data!.client.accounts.every(
        (a: { balance: { available: string } }) => Number(a.balance.available) > 0,
      ),
    ).toBe(true);
    const summary = formatSummary(first);
    expect(summary).toContain(client.id);
    expect(summary).toMatch(
      /OUTGOING +PENDING_CONFIRMATION 1, PROCESSING 1, COMPLETED 1, CANCELLED 1, FAILED 1/,
    );
  });

  it("When the seed runs a second time, then it succeeds, adds nothing and moves no money", async () => {
    const before = await totals();
    const again = await seed({
      graphqlUrl: stack.gateway.url,
      databaseUrl: stack.databaseUrl,
      token: stack.systemToken,
    });
    expect(again).toEqual(first);
    expect(await totals()).toEqual(before);
  }, 60_000);
});
