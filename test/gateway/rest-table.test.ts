/**
 * The REST route table against the committed supergraph, without servers: every route's operation
 * is valid and binds only variables it declares, every error code a route can answer is derived
 * (use cases, shim, any request), and the bindings name the REST fields of problems.
 */
import fs from "node:fs";
import path from "node:path";
import { Supergraph } from "@apollo/federation-internals";
import { type GraphQLSchema, parse, validate } from "graphql";
import { ERROR_CODES } from "../../common/errors";
import { projectRoot } from "../../common/paths";
import { bindInput, restFieldNamer } from "../../gateway/rest/bind";
import { routeErrorCodes, USE_CASE_ERRORS } from "../../gateway/rest/error-codes";
import { operationOf, rootFieldsOf, variableTypesOf } from "../../gateway/rest/operation";
import { restRoutes } from "../../gateway/rest/routes";

const schema: GraphQLSchema = Supergraph.build(
  fs.readFileSync(path.join(projectRoot(), "schema", "supergraph.graphql"), "utf8"),
)
  .apiSchema()
  .toGraphQLJSSchema();

const named = restRoutes.map((route) => [`${route.method.toUpperCase()} ${route.path}`, route] as const);

function routeAt(method: string, routePath: string) {
  const route = restRoutes.find((r) => r.method === method && r.path === routePath);
  if (!route) throw new Error(`no route ${method} ${routePath}`);
  return route;
}

describe.each(named)("%s", (_name, route) => {
  const operation = operationOf(route.operation);

  it("When its operation is validated against the supergraph, then it is valid", () => {
    expect(validate(schema, parse(route.operation)).map((e) => e.message)).toEqual([]);
  });

  it("When its inputs are read, then each names a variable of the operation and every path parameter is bound", () => {
    const declared = [...variableTypesOf(schema, operation).keys()];
    const { params = {}, query = {}, headers = {}, body } = route.input ?? {};
    const bound = [
      ...Object.values(params).filter((binding): binding is string => typeof binding === "string"),
      ...Object.values({ ...query, ...headers }).map((binding) => binding.variable),
      ...(typeof body === "string" ? [body] : Object.values(body ?? {})),
    ];
    expect(declared).toEqual(expect.arrayContaining(bound));
    const pathParameters = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => name);
    expect(Object.keys(params).sort()).toEqual(pathParameters.sort());
  });

  it("When its error codes are derived, then every use case is listed and any request's codes are there", () => {
    for (const field of rootFieldsOf(operation)) expect(USE_CASE_ERRORS).toHaveProperty([field.name.value]);
    const codes = routeErrorCodes(route);
    expect(codes).toEqual(
      expect.arrayContaining([
        "UNAUTHENTICATED",
        "BAD_REQUEST",
        "OPERATION_LIMIT_EXCEEDED",
        "SUBGRAPH_UNAVAILABLE",
        "INTERNAL_SERVER_ERROR",
      ]),
    );
    if (route.auth === "system") expect(codes).toContain("FORBIDDEN");
    if (route.notFoundCode) expect(codes).toContain(route.notFoundCode);
  });

  it("When its answer style is read, then it follows from the path alone", () => {
    expect(route.style).toBe(/^\/(v2\/)?(ledger\/)?internal\//i.test(route.path) ? "envelope" : "plain");
  });
});

describe("the use-case error table", () => {
  it("When its entries are read, then each names a root field of the supergraph and registered codes", () => {
    const rootFields = [
      ...Object.keys(schema.getQueryType()!.getFields()),
      ...Object.keys(schema.getMutationType()!.getFields()),
    ];
    for (const [field, codes] of Object.entries(USE_CASE_ERRORS)) {
      expect({ field, known: rootFields.includes(field) }).toEqual({ field, known: true });
      for (const code of codes) expect(ERROR_CODES).toHaveProperty([code]);
    }
  });

  it("When a route's use cases can refuse with a code, then the route lists it (POST /Confirmations: 429 CONFIRMATION_LIMIT_REACHED)", () => {
    expect(routeErrorCodes(routeAt("post", "/Confirmations"))).toContain("CONFIRMATION_LIMIT_REACHED");
    expect(routeErrorCodes(routeAt("get", "/BaasProvider/available-currencies"))).not.toContain("FORBIDDEN");
  });
});

describe("binding a request to the operation's variables", () => {
  const bind = (method: string, routePath: string, request: Partial<Parameters<typeof bindInput>[1]>) => {
    const route = routeAt(method, routePath);
    return bindInput(
      route.input ?? {},
      { params: {}, query: {}, header: () => undefined, body: undefined, ...request },
      variableTypesOf(schema, operationOf(route.operation)),
    );
  };

  it("When ids anywhere in the input are not UUIDs, then each is named by its REST path with isUuid", () => {
    expect(
      bind("post", "/v2/ledger/internal/Accounts/search", { body: { filter: { clientId: "c-1" } } }),
    ).toEqual({
      error: expect.objectContaining({
        fields: [expect.objectContaining({ field: "filter.clientId", rule: "isUuid" })],
      }),
    });
    expect(bind("put", "/Accounts/reorder-accounts", { body: { clientId: "x", accountIds: ["y"] } })).toEqual(
      {
        error: expect.objectContaining({
          fields: [
            expect.objectContaining({ field: "clientId", rule: "isUuid" }),
            expect.objectContaining({ field: "accountIds.0", rule: "isUuid" }),
          ],
        }),
      },
    );
    expect(bind("get", "/Transfers", { query: { accountId: "a-1" } })).toEqual({
      error: expect.objectContaining({
        fields: [expect.objectContaining({ field: "accountId", rule: "isUuid" })],
      }),
    });
  });

  it("When query text fills an Int or a Boolean variable, then it is read as a number or a boolean, else left as text", () => {
    expect(bind("get", "/Recipients", { query: { first: "5", includeHidden: "true" } })).toEqual({
      variables: { first: 5, includeHidden: true },
    });
    expect(bind("get", "/Recipients", { query: { first: "ten", includeHidden: "TRUE" } })).toEqual({
      variables: { first: "ten", includeHidden: "TRUE" },
    });
  });

  it("When a route whose path decides the kind is bound, then the kind is no input", () => {
    const route = routeAt("get", "/internal/Transfers/outgoing");
    expect(Object.keys(route.input?.query ?? {})).not.toContain("kind");
    expect(route.operation).toContain("kind: OUTGOING");
  });
});

describe("REST names of the fields a subgraph names", () => {
  const namer = (method: string, routePath: string) => {
    const route = routeAt(method, routePath);
    return restFieldNamer(route.input ?? {}, operationOf(route.operation));
  };

  it("When a subgraph names an argument, then REST names the input bound to its variable", () => {
    expect(namer("put", "/Transfers/outgoing/{transferId}/confirm")("id")).toBe("transferId");
    expect(namer("post", "/Confirmations")("id")).toBe("transferId");
    expect(namer("post", "/internal/Payments")("idempotencyKey")).toBe("Idempotency-Key");
    expect(namer("post", "/internal/Payments")("input.amount")).toBe("amount");
    expect(namer("post", "/internal/Payments")("amount")).toBe("amount");
    expect(namer("get", "/internal/Clients")("after")).toBe("after");
  });
});
