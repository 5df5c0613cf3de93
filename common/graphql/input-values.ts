/**
 * One walk over a GraphQL input value, shared by what rewrites inputs by their type (ids made
 * canonical at a subgraph's edge, REST enum spellings turned into GraphQL's).
 */
import {
  type GraphQLEnumType,
  type GraphQLInputType,
  type GraphQLScalarType,
  getNullableType,
  isInputObjectType,
  isListType,
} from "graphql";

/**
 * `value` with each leaf (a scalar or enum value) replaced by `leaf`'s answer, through lists and
 * input objects. Null and absent values, fields the type does not declare and a value of the
 * wrong shape (no array for a list, no object for an input object) are left as they are, for
 * coercion to judge. A list or object none of whose leaves changed is answered as it is, not
 * copied (most requests' ids are canonical already). With `walks`, an input object's field is
 * looked into only when `walks` says its type can hold a leaf `leaf` changes.
 */
export function mapInputLeaves(
  value: unknown,
  type: GraphQLInputType,
  leaf: (value: unknown, type: GraphQLScalarType | GraphQLEnumType) => unknown,
  walks?: (type: GraphQLInputType) => boolean,
): unknown {
  if (value === null || value === undefined) return value;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return value;
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const mapped = mapInputLeaves(item, nullable.ofType, leaf, walks);
      if (mapped !== item) (copy ??= [...value])[i] = mapped;
    });
    return copy ?? value;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== "object" || Array.isArray(value)) return value;
    const fields = nullable.getFields();
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const key of Object.keys(record)) {
      if (!fields[key] || (walks && !walks(fields[key].type))) continue;
      const mapped = mapInputLeaves(record[key], fields[key].type, leaf, walks);
      if (mapped !== record[key]) (copy ??= { ...record })[key] = mapped;
    }
    return copy ?? value;
  }
  return leaf(value, nullable);
}
