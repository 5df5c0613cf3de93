/**
 * Which properties of a list's rows the query will read (decision 0032): a list page reads only
 * their columns (`keysetPage`), not the 49 of a client when 9 fields are asked for.
 */
import {
  type FieldNode,
  type FragmentDefinitionNode,
  getNamedType,
  type GraphQLObjectType,
  type GraphQLResolveInfo,
  Kind,
  type SelectionSetNode,
} from "graphql";
import { createParameterDecorator, getMetadataStorage } from "type-graphql";
import type { RowProperties } from "../db/row-reader";

/** Per field of a type: the property it reads, or null if a resolver of ours computes it (it may read anything). */
type FieldReads = Map<string, string | null>;

/**
 * Per occurrence of a connection field in a document: the node fields selected under it, or null
 * when one of them is computed by a resolver. Kept per node, never per merged set: graphql-js
 * hands a resolver every occurrence of its response key at that place (`info.fieldNodes`), and
 * which ones depends on the parent and on `@skip`/`@include`, so the same first node may come
 * with other siblings.
 */
const cache = new WeakMap<FieldNode, ReadonlySet<string> | null>();

/**
 * The properties of the rows under `nodes` and `edges { node }` of the connection `info`
 * resolves: for each field selected there, in any of the field's occurrences (through fragments
 * too; `@skip`/`@include` are not evaluated, so a field that may be skipped counts), the class
 * property it reads. Undefined (all properties) when a selected field has a field resolver: what
 * it reads is its own business. A property that is no column (a getter) makes the page read
 * every column too (`rowReader`). Field middleware (`SystemOnly`) is taken to read the context,
 * not the row.
 */
export function nodeProperties(info: GraphQLResolveInfo): RowProperties {
  if (info.fieldNodes.length === 1) return propertiesOfOne(info.fieldNodes[0], info);
  const properties = new Set<string>();
  for (const field of info.fieldNodes) {
    let read = cache.get(field);
    if (read === undefined) cache.set(field, (read = propertiesUnder(field, info)));
    if (read === null) return undefined;
    for (const property of read) properties.add(property);
  }
  return [...properties];
}

/**
 * The answer of {@link nodeProperties} for a connection field that occurs once (the usual case),
 * per occurrence: the same array every time, so that the page's row reader is found by it
 * (`rowReader`) rather than by sorting and joining the names on every request.
 */
const answers = new WeakMap<FieldNode, readonly string[] | null>();

function propertiesOfOne(field: FieldNode, info: GraphQLResolveInfo): RowProperties {
  let answer = answers.get(field);
  if (answer === undefined) {
    let read = cache.get(field);
    if (read === undefined) cache.set(field, (read = propertiesUnder(field, info)));
    answers.set(field, (answer = read && Object.freeze([...read])));
  }
  return answer ?? undefined;
}

/** The properties the node fields selected under one occurrence `field` read; null if any may read anything. */
function propertiesUnder(field: FieldNode, info: GraphQLResolveInfo): ReadonlySet<string> | null {
  const connection = getNamedType(info.returnType) as GraphQLObjectType;
  const nodeType = getNamedType(connection.getFields().nodes?.type);
  const reads = nodeType && fieldReads(nodeType.name);
  if (!reads) return null;
  const fields = new Set<string>();
  for (const nodes of fieldsNamed(field.selectionSet, ["nodes"], info.fragments)) {
    collectFieldNames(nodes.selectionSet, info.fragments, fields);
  }
  for (const node of fieldsNamed(field.selectionSet, ["edges", "node"], info.fragments)) {
    collectFieldNames(node.selectionSet, info.fragments, fields);
  }
  fields.delete("__typename");
  const properties = new Set<string>();
  for (const name of fields) {
    const property = reads.get(name);
    if (typeof property !== "string") return null;
    properties.add(property);
  }
  return properties;
}

/** {@link nodeProperties} as a resolver parameter: `@NodeProperties() properties: RowProperties`. */
export function NodeProperties() {
  return createParameterDecorator(({ info }) => nodeProperties(info));
}

/** The fields reached by following `path` (field names) from `selectionSet`. */
function fieldsNamed(
  selectionSet: SelectionSetNode | undefined,
  path: string[],
  fragments: Record<string, FragmentDefinitionNode>,
): FieldNode[] {
  let level: FieldNode[] = [];
  let sets = selectionSet ? [selectionSet] : [];
  for (const name of path) {
    level = sets.flatMap((set) => fieldNodes(set, fragments)).filter((field) => field.name.value === name);
    sets = level.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
  }
  return level;
}

function collectFieldNames(
  selectionSet: SelectionSetNode | undefined,
  fragments: Record<string, FragmentDefinitionNode>,
  into: Set<string>,
): void {
  if (!selectionSet) return;
  for (const field of fieldNodes(selectionSet, fragments)) into.add(field.name.value);
}

/** The fields of a selection set, fragments and inline fragments spread. */
function fieldNodes(selectionSet: SelectionSetNode, fragments: Record<string, FragmentDefinitionNode>) {
  const fields: FieldNode[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) fields.push(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT)
      fields.push(...fieldNodes(selection.selectionSet, fragments));
    else {
      const fragment = fragments[selection.name.value];
      if (fragment) fields.push(...fieldNodes(fragment.selectionSet, fragments));
    }
  }
  return fields;
}

/**
 * What each field of the GraphQL type `typeName` reads, from type-graphql's metadata: the
 * property of its class (`created` reads `createdAt`), or null for a field resolver. Several
 * classes may share a type name (one per subgraph in a test process): a field reads a property
 * only if it does so in every class that has it. Run once per query document (see the cache).
 */
function fieldReads(typeName: string): FieldReads | undefined {
  const storage = getMetadataStorage();
  const classes = storage.objectTypes.filter((type) => type.name === typeName);
  if (!classes.length) return undefined;
  const reads: FieldReads = new Map();
  for (const type of classes) {
    for (const field of type.fields ?? []) {
      const seen = reads.get(field.schemaName);
      const property = field.params?.length ? null : field.name;
      reads.set(field.schemaName, seen === undefined || seen === property ? property : null);
    }
  }
  for (const resolver of storage.fieldResolvers) {
    const type = resolver.getObjectType?.();
    if (classes.some((known) => known.target === type)) reads.set(resolver.schemaName, null);
  }
  return reads;
}
