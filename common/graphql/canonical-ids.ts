/**
 * Ids are normalised once, at a subgraph's edge: every `ID` a resolver receives, as an argument,
 * in a list or inside an input object, is canonical (a UUID in lower case, as PostgreSQL returns
 * it), so services, loaders and idempotency hashes compare ids as they are. A value that is not a
 * UUID names nothing and is left as the caller wrote it.
 */
import {
  defaultFieldResolver,
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
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
  return isUuid(id) ? id.toLowerCase() : id;
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
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || isIntrospectionType(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (!field.args.some((arg) => carriesId(arg.type, new Set()))) continue;
      const resolve = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args: Record<string, unknown>, context, info) =>
        resolve(source, canonicalArgs(field.args, args), context, info);
      // A subscription's arguments reach its source (`subscribe`) first: its filter compares ids as text.
      const { subscribe } = field;
      if (subscribe) {
        field.subscribe = (source, args: Record<string, unknown>, context, info) =>
          subscribe(source, canonicalArgs(field.args, args), context, info);
      }
    }
  }
  return schema;
}

/**
 * `args` with its ids canonical: a copy where one changed, else `args` itself (most requests'
 * ids are canonical already, and the copy was a few microseconds of every request).
 */
function canonicalArgs(definitions: readonly GraphQLArgument[], args: Record<string, unknown>) {
  let canonical: Record<string, unknown> | undefined;
  for (const { name, type } of definitions) {
    if (!(name in args)) continue;
    const value = canonicalValue(type, args[name]);
    if (value !== args[name]) (canonical ??= { ...args })[name] = value;
  }
  return canonical ?? args;
}

function canonicalValue(type: GraphQLInputType, value: unknown): unknown {
  return mapInputLeaves(value, type, (leaf, leafType) =>
    leafType.name === "ID" && typeof leaf === "string" ? canonicalId(leaf) : leaf,
  );
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
