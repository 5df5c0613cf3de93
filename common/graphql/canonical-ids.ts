/**
 * Ids are normalised once, at a subgraph's edge: every `ID` a resolver receives, as an argument,
 * in a list or inside an input object, is canonical (a UUID in lower case, as PostgreSQL returns
 * it), so services, loaders and idempotency hashes compare ids as they are. A value that is not a
 * UUID names nothing and is left as the caller wrote it.
 */
import {
  defaultFieldResolver,
  type GraphQLArgument,
  type GraphQLEnumType,
  type GraphQLInputType,
  type GraphQLScalarType,
  type GraphQLSchema,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isIntrospectionType,
  isListType,
  isObjectType,
  isScalarType,
} from "graphql";
import { isUuid } from "../ids";
import { mapInputLeaves } from "./input-values";
import { byId } from "./references";

/** A UUID in lower case; anything else unchanged. */
export function canonicalId(id: string): string {
  const lower = id.toLowerCase();
  // Nearly every id arrives in lower case already: then it is its own answer, and no pattern runs.
  return lower === id || !isUuid(id) ? id : lower;
}

/** {@link byId} for an entity representation, which reaches `__resolveReference` without passing an argument. */
export function byCanonicalId<TContext, TResult>(load: (id: string, ctx: TContext) => TResult) {
  return byId((id: string, ctx: TContext) => load(canonicalId(id), ctx));
}

/**
 * Wraps, in place, the resolver (and a subscription's `subscribe`) of every field whose arguments
 * can carry an `ID`, so that those arrive canonical. Fields without one keep their resolver untouched (no cost per value).
 */
export function canonicalIds(schema: GraphQLSchema): GraphQLSchema {
  const holdsId = idHolders(schema);
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      // Only the arguments that can hold an ID are looked into, and in them only such fields.
      const withIds = field.args.filter((arg) => holdsId(arg.type));
      if (!withIds.length) continue;
      const canonical = (args: Record<string, unknown>) => canonicalArgs(withIds, args, holdsId);
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args: Record<string, unknown>, context, info) =>
        resolve(source, canonical(args), context, info);
      // A subscription's arguments reach its source (`subscribe`) first: its filter compares ids as text.
      const { subscribe } = field;
      if (subscribe) {
        field.subscribe = (source, args: Record<string, unknown>, context, info) =>
          subscribe(source, canonical(args), context, info);
      }
    }
  }
  return schema;
}

/**
 * `args` with its ids canonical: a copy where one changed, else `args` itself (most requests'
 * ids are canonical already, and the copy was a few microseconds of every request).
 */
function canonicalArgs(
  definitions: readonly GraphQLArgument[],
  args: Record<string, unknown>,
  holdsId: (type: GraphQLInputType) => boolean,
) {
  let canonical: Record<string, unknown> | undefined;
  for (const { name, type } of definitions) {
    if (!(name in args)) continue;
    const value = mapInputLeaves(args[name], type, canonicalLeaf, holdsId);
    if (value !== args[name]) (canonical ??= { ...args })[name] = value;
  }
  return canonical ?? args;
}

function canonicalLeaf(leaf: unknown, leafType: GraphQLScalarType | GraphQLEnumType): unknown {
  return leafType.name === "ID" && typeof leaf === "string" ? canonicalId(leaf) : leaf;
}

/** Whether a value of a type of `schema` can hold an `ID`, worked out once per input type. */
function idHolders(schema: GraphQLSchema): (type: GraphQLInputType) => boolean {
  const holders = new Set(
    Object.values(schema.getTypeMap())
      .filter((type) => isInputObjectType(type) && carriesId(type, new Set()))
      .map((type) => type.name),
  );
  return (type) => {
    const named = getNamedType(type);
    return isScalarType(named) ? named.name === "ID" : holders.has(named.name);
  };
}

/** Whether a value of this type can hold an `ID` (`seen` stops at recursive input types). */
function carriesId(type: GraphQLInputType, seen: Set<string>): boolean {
  const nullable = getNullableType(type);
  if (isListType(nullable)) return carriesId(nullable.ofType, seen);
  if (isScalarType(nullable)) return nullable.name === "ID";
  if (!isInputObjectType(nullable) || seen.has(nullable.name)) return false;
  seen.add(nullable.name);
  return Object.values(nullable.getFields()).some((field) => carriesId(field.type, seen));
}
