/**
 * What the gateway reads from the composed supergraph's join directives itself (the query
 * planner reads the rest): each subgraph's name and URL, and which subgraph serves each
 * subscription field.
 */
import { type ConstDirectiveNode, type DocumentNode, Kind, OperationTypeNode, parse } from "graphql";

/** A subgraph as `@join__graph` names it. */
export interface JoinGraph {
  name: string;
  url: string;
}

/** join__Graph enum value (`TRANSFER`) -> the subgraph's name (`transfer`) and URL. */
export function joinGraphs(document: DocumentNode): Map<string, JoinGraph> {
  const graphs = new Map<string, JoinGraph>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.ENUM_TYPE_DEFINITION || definition.name.value !== "join__Graph") continue;
    for (const value of definition.values ?? []) {
      const graph = value.directives?.find((d) => d.name.value === "join__graph");
      const name = stringArgument(graph, "name");
      const url = stringArgument(graph, "url");
      if (name && url) graphs.set(value.name.value, { name, url });
    }
  }
  return graphs;
}

/**
 * Subscription field -> the name of the subgraph that serves it: the field's `@join__field`
 * graph, else (when one subgraph alone defines the Subscription type, composition writes no
 * `@join__field`) the type's only `@join__type` graph. A field several subgraphs could serve is
 * left out: a subscription is opened at one.
 */
export function subscriptionOwners(supergraphSdl: string): Record<string, string> {
  const document = parse(supergraphSdl);
  const graphs = joinGraphs(document);
  const rootName = subscriptionTypeName(document);
  const owners: Record<string, string> = {};
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION || definition.name.value !== rootName) continue;
    const typeGraphs = graphsOf(definition.directives, "join__type");
    for (const field of definition.fields ?? []) {
      const fieldGraphs = graphsOf(field.directives, "join__field");
      const candidates = fieldGraphs.length ? fieldGraphs : typeGraphs;
      const owner = candidates.length === 1 ? graphs.get(candidates[0])?.name : undefined;
      if (owner) owners[field.name.value] = owner;
    }
  }
  return owners;
}

function subscriptionTypeName(document: DocumentNode): string {
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION) continue;
    const root = definition.operationTypes.find((t) => t.operation === OperationTypeNode.SUBSCRIPTION);
    if (root) return root.type.name.value;
  }
  return "Subscription";
}

/** The distinct `graph:` enum values of a type's or field's join directives named `directive`. */
function graphsOf(directives: readonly ConstDirectiveNode[] | undefined, directive: string): string[] {
  const graphs = new Set<string>();
  for (const node of directives ?? []) {
    if (node.name.value !== directive) continue;
    const graph = node.arguments?.find((a) => a.name.value === "graph")?.value;
    if (graph?.kind === Kind.ENUM) graphs.add(graph.value);
  }
  return [...graphs];
}

function stringArgument(directive: ConstDirectiveNode | undefined, name: string): string | undefined {
  const value = directive?.arguments?.find((a) => a.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}
