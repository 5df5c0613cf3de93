/**
 * Ids are UUIDs. PostgreSQL compares them in any case, but this subgraph also compares them as
 * text (loader keys, request hashes, subscription filters, "is it the caller's own"), so every
 * ID argument and entity reference is lower-cased here, once, as it enters, and nowhere else.
 */
import {
  type GraphQLInputType,
  type GraphQLResolveInfo,
  isInputObjectType,
  isListType,
  isNonNullType,
  isScalarType,
} from "graphql";
import type { MiddlewareFn } from "type-graphql";

/** An id as the database spells it. */
export function canonicalId(id: string): string {
  return id.toLowerCase();
}

function withCanonicalIds(value: unknown, type: GraphQLInputType): unknown {
  if (value === null || value === undefined) return value;
  if (isNonNullType(type)) return withCanonicalIds(value, type.ofType);
  if (isListType(type)) {
    return Array.isArray(value) ? value.map((item) => withCanonicalIds(item, type.ofType)) : value;
  }
  if (isScalarType(type)) return type.name === "ID" && typeof value === "string" ? canonicalId(value) : value;
  if (isInputObjectType(type) && typeof value === "object") {
    const fields = type.getFields();
    return Object.fromEntries(
      Object.entries(value).map(([name, field]) => [
        name,
        fields[name] ? withCanonicalIds(field, fields[name].type) : field,
      ]),
    );
  }
  return value;
}

/** The field's arguments with every ID in them (also inside inputs and lists) lower-cased. */
export function canonicalIdArgs<T extends Record<string, unknown>>(args: T, info: GraphQLResolveInfo): T {
  const field = info.parentType.getFields()[info.fieldName];
  const result: Record<string, unknown> = { ...args };
  for (const arg of field?.args ?? []) {
    if (arg.name in result) result[arg.name] = withCanonicalIds(result[arg.name], arg.type);
  }
  return result as T;
}

/** Resolver middleware (on every transfer-subgraph resolver class): its arguments' ids, lower-cased. */
export const CanonicalIds: MiddlewareFn = (action, next) => {
  action.args = canonicalIdArgs(action.args, action.info);
  return next();
};
