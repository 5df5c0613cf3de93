/**
 * Every operation the project itself sends or shows (the explorer's saved tabs, GraphiQL's
 * introspection query, the dashboard's subscription, each REST route's operation, the seed's
 * documents), with variables that make each as large as its callers can: limit tests check they
 * all pass, with room to spare.
 */
import fs from "node:fs";
import path from "node:path";
import {
  getIntrospectionQuery,
  getNamedType,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  parse,
  typeFromAST,
} from "graphql";
import { DEMO_TRANSFERS } from "../../bin/demo-data";
import { readBackQuery, SEED_OPERATIONS } from "../../bin/seed";
import { createGateway } from "../../gateway/gateway";
import { SubgraphTransport } from "../../common/graphql/subgraph-transport";
import { testConfig } from "./stack";
import { EXAMPLE_TABS } from "../../gateway/explorer/examples";
import { restRoutes } from "../../gateway/rest/routes";
import { MAX_PAGE_SIZE } from "../../common/graphql/page-size";
import { projectRoot } from "../../common/paths";

export interface KnownOperation {
  name: string;
  query: string;
  /** Who sends it: the cost budget depends on it. */
  caller: "system" | "client";
  /** Given variables; {@link sampleVariables} fills the rest. */
  variables?: Record<string, unknown>;
}

/** The gateway's API schema from the committed schema/supergraph.graphql, as the gateway loads it. */
export async function committedApiSchema(): Promise<GraphQLSchema> {
  const sdl = fs.readFileSync(path.join(projectRoot(), "schema", "supergraph.graphql"), "utf8");
  const transport = new SubgraphTransport(testConfig().upstream);
  const gateway = createGateway(sdl, {}, transport);
  const { schema } = await gateway.load();
  await gateway.stop();
  await transport.close();
  return schema;
}

/** One of the dashboard's operations (`SNAPSHOT`, `SUBSCRIPTION`), as gateway/dashboard/dashboard.js sends it. */
export function dashboardOperation(name: "SNAPSHOT" | "SUBSCRIPTION"): string {
  const script = fs.readFileSync(path.join(projectRoot(), "gateway", "dashboard", "dashboard.js"), "utf8");
  const constants: Record<string, string> = {};
  for (const [, constant, text] of script.matchAll(/const ([A-Z_]+) = `([^`]*)`/g)) {
    constants[constant] = text.replace(/\$\{([A-Z_]+)\}/g, (_all, used: string) => constants[used] ?? "");
  }
  if (!constants[name]) throw new Error(`gateway/dashboard/dashboard.js has no ${name}`);
  return constants[name];
}

export function knownOperations(): KnownOperation[] {
  return [
    ...EXAMPLE_TABS.map((tab, i) => ({
      name: `explorer tab ${i + 1}`,
      query: tab.query,
      caller: "client" as const,
    })),
    {
      name: "GraphiQL introspection",
      query: getIntrospectionQuery({ inputValueDeprecation: true, schemaDescription: true }),
      caller: "client",
    },
    { name: "graphql-js introspection (all options)", query: allOptionsIntrospection(), caller: "client" },
    { name: "dashboard snapshot", query: dashboardOperation("SNAPSHOT"), caller: "client" },
    { name: "dashboard subscription", query: dashboardOperation("SUBSCRIPTION"), caller: "client" },
    ...restRoutes.map((route) => ({
      name: `REST ${route.method.toUpperCase()} ${route.path}`,
      query: route.operation,
      caller: route.auth === "system" ? ("system" as const) : ("client" as const),
    })),
    ...Object.entries(SEED_OPERATIONS).map(([name, query]) => ({
      name: `seed ${name}`,
      query,
      caller: "system" as const,
    })),
    { name: "seed read-back", query: readBackQuery(DEMO_TRANSFERS.length), caller: "system" },
  ];
}

function allOptionsIntrospection(): string {
  return getIntrospectionQuery({
    descriptions: true,
    specifiedByUrl: true,
    directiveIsRepeatable: true,
    schemaDescription: true,
    inputValueDeprecation: true,
    oneOf: true,
  });
}

/**
 * Values for every variable the operation declares: page sizes (`first`, `last`, `limit`) at
 * their largest allowed, lists with one item, input objects with every field, enums at their
 * first value. Enough for costing (the shapes are right), not for running.
 */
export function sampleVariables(schema: GraphQLSchema, query: string): Record<string, unknown> {
  const operation = parse(query).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  )!;
  return Object.fromEntries(
    (operation.variableDefinitions ?? []).map((definition) => {
      const type = typeFromAST(schema, definition.type as never) as GraphQLInputType;
      return [definition.variable.name.value, sampleValue(definition.variable.name.value, type, 0)];
    }),
  );
}

function sampleValue(name: string, type: GraphQLInputType, depth: number): unknown {
  if (isNonNullType(type)) return sampleValue(name, type.ofType, depth);
  if (isListType(type)) return [sampleValue(name, type.ofType, depth + 1)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    if (depth > 5) return null;
    return Object.fromEntries(
      Object.values(type.getFields()).map((field) => [
        field.name,
        sampleValue(field.name, field.type, depth + 1),
      ]),
    );
  }
  const named = getNamedType(type);
  if (isScalarType(named)) {
    if (named.name === "Int") return ["first", "last", "limit"].includes(name) ? MAX_PAGE_SIZE : 1;
    if (named.name === "Float") return 1;
    if (named.name === "Boolean") return true;
    if (named.name === "ID") return "9d322407-0266-4106-803f-895b3575eb2d";
    if (named.name === "JSONObject") return { reference: "sample" };
    return "2026-01-01T00:00:00.000Z";
  }
  return null;
}
