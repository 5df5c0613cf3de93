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
 * coercion to judge.
 */
export function mapInputLeaves(
  value: unknown,
  type: GraphQLInputType,
  leaf: (value: unknown, type: GraphQLScalarType | GraphQLEnumType) => unknown,
): unknown {
  if (value === null || value === undefined) return value;
  const nullable = getNullableType(type);
  if (isListType(nullable)) {
    return Array.isArray(value) ? value.map((item) => mapInputLeaves(item, nullable.ofType, leaf)) : value;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== "object" || Array.isArray(value)) return value;
    const fields = nullable.getFields();
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        fields[key] ? mapInputLeaves(item, fields[key].type, leaf) : item,
      ]),
    );
  }
  return leaf(value, nullable);
}
