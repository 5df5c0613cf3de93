/**
 * The error registry is closed: every code a client can receive is one of common/errors.ts, the
 * codes Apollo Server and graphql-js raise for a malformed request included, and a code the
 * registry does not list never reaches a client.
 */
import { ERROR_CODES } from "../../common/errors";
import { formatError } from "../../common/graphql/errors";
import { type Stack, startStack } from "../helpers/stack";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

async function raw(body: unknown) {
  const response = await fetch(stack.gateway.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${stack.systemToken}` },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    body: (await response.json()) as { errors?: Array<{ extensions?: any }> },
  };
}

describe("the closed error registry", () => {
  it.each([
    ["a syntax error", { query: "{ clients(" }, "GRAPHQL_PARSE_FAILED"],
    ["an unknown field", { query: "{ nothingHere }" }, "GRAPHQL_VALIDATION_FAILED"],
    [
      "a variable of the wrong type",
      { query: "query($n: Int) { clients(first: $n) { totalCount } }", variables: { n: "x" } },
      "BAD_USER_INPUT",
    ],
    [
      "an unknown persisted query",
      { extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } } },
      "PERSISTED_QUERY_NOT_FOUND",
    ],
  ])(
    "When a request holds %s, then its code is registered and its status is the registry's",
    async (_case, body, code) => {
      const answer = await raw(body);
      expect(answer.body.errors?.[0].extensions?.code).toBe(code);
      expect(Object.keys(ERROR_CODES)).toContain(code);
      expect(answer.status).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES].status);
    },
  );

  it("When an error carries a code the registry does not list, then the client sees INTERNAL_SERVER_ERROR", () => {
    expect(
      formatError(
        { message: "Something of a library's", extensions: { code: "SOME_LIBRARY_CODE", secret: 1 } },
        undefined,
      ),
    ).toEqual({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } });
  });
});
