/**
 * The body the gateway sends a subgraph (gateway/subgraph-body.ts) is what
 * `JSON.stringify({ query, operationName, variables, extensions })` writes, whatever is absent or
 * odd in the request, and the same when the query's JSON comes from memory.
 */
import type { GatewayGraphQLRequest } from "@apollo/server-gateway-interface";
import { subgraphBody } from "../../gateway/subgraph-body";

const QUERY = "mutation Pay($input: CreatePaymentInput!) { createPayment(input: $input) { id status } }";

const requests: GatewayGraphQLRequest[] = [
  {
    query: QUERY,
    operationName: "Pay",
    variables: { input: { amount: "0.01", note: 'a "quoted"\n\u2028 line' } },
  },
  { query: QUERY },
  { query: QUERY, variables: {} },
  { query: QUERY, operationName: undefined, variables: undefined, extensions: undefined },
  { query: "{ a }", extensions: { persistedQuery: { version: 1 } }, variables: { at: new Date(0), n: null } },
  { query: 'query "escaped" \\ \u0000 é', operationName: "x" },
  { operationName: "NoText", variables: { a: 1 } },
];

test.each(requests.map((request, i) => [i, request] as const))(
  "request %i: as JSON.stringify writes it",
  (_, request) => {
    const { query, operationName, variables, extensions } = request;
    const expected = JSON.stringify({ query, operationName, variables, extensions });
    expect(subgraphBody(request)).toBe(expected);
    // The second time, the query's JSON is remembered.
    expect(subgraphBody(request)).toBe(expected);
  },
);

test("a flood of distinct texts does not change any body", () => {
  for (let i = 0; i < 2_500; i++) {
    const request = { query: `{ f${i} }`, variables: { i } };
    expect(subgraphBody(request)).toBe(JSON.stringify(request));
  }
  expect(subgraphBody(requests[0]!)).toBe(JSON.stringify(requests[0]));
});
