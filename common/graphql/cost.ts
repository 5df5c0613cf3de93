/**
 * The cost model of the operation limits (common/graphql/limits.ts): how many objects an
 * operation may return, with list sizes counted, by graphql-query-complexity.
 */
import {
  type DocumentNode,
  getNamedType,
  getNullableType,
  getOperationAST,
  type GraphQLInputType,
  type GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type OperationDefinitionNode,
  type TypeNode,
  type ValueNode,
  visit,
} from "graphql";
import { type ComplexityEstimator, getComplexity } from "graphql-query-complexity";
import { DEFAULT_PAGE_SIZE } from "./page-size";

/** A list without a size argument is costed as this many items (a page's default size). */
export const DEFAULT_LIST_SIZE = DEFAULT_PAGE_SIZE;

/** Arguments that say how many items a list field returns. */
const SIZE_ARGUMENTS = ["first", "last", "limit"];

/**
 * Every argument whose value {@link listSizeEstimator} reads (the sizes, and `_entities`'s
 * representations): with @include and @skip, the only places a variable can change a cost.
 */
const COSTED_ARGUMENTS = new Set([...SIZE_ARGUMENTS, "representations"]);

/**
 * Selections graphql-query-complexity evaluates at most (fragments count each time they are
 * spread): a document of spreads of spreads would otherwise take exponential time to cost.
 */
const MAX_COSTED_SELECTIONS = 10_000;

/** What a cost depends on: the operation and the values of its variables. */
export interface CostedRequest {
  schema: GraphQLSchema;
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * The cost model: each object a field resolves costs 1, scalars and enums nothing, and a list
 * multiplies its items' cost by how many it may hold: the `first`/`last`/`limit` argument of a
 * paged field (its default page size when omitted), the representations of an `_entities` fetch,
 * a page's `nodes`/`edges` once (the page's size was counted on the connection field), and
 * {@link DEFAULT_LIST_SIZE} for any other list of objects. So `first: 100` costs 100 times
 * `first: 1`, and nesting lists multiplies. Introspection costs nothing here: graphql-js's
 * MaxIntrospectionDepthRule (a specified rule) bounds its nesting, the schema its size.
 */
export const listSizeEstimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (type.name.startsWith("__") || field.name.startsWith("__")) return 0;
  if (isLeafType(getNamedType(field.type))) return 0;
  const own = 1 + childComplexity;
  const sizeArgument = SIZE_ARGUMENTS.find((name) => field.args.some((arg) => arg.name === name));
  if (sizeArgument !== undefined) {
    const size: unknown = args[sizeArgument];
    return own * (typeof size === "number" && size > 0 ? size : DEFAULT_PAGE_SIZE);
  }
  if (field.name === "_entities" && Array.isArray(args.representations)) {
    return own * args.representations.length;
  }
  if (!isListType(getNullableType(field.type))) return own;
  const onPage = isObjectType(type) && "pageInfo" in type.getFields();
  return onPage ? own : own * DEFAULT_LIST_SIZE;
};

/**
 * The cost of the request's operation under {@link listSizeEstimator}. Throws when the variables
 * do not fit the operation, or when costing would take more than {@link MAX_COSTED_SELECTIONS} steps.
 */
export function operationCost(request: CostedRequest): number {
  const operation = getOperationAST(request.document, request.operationName);
  if (!operation) throw new Error("the document has no such operation");
  return getComplexity({
    schema: request.schema,
    query: request.document,
    operationName: operation.name?.value,
    variables: request.variables ?? {},
    estimators: [listSizeEstimator],
    maxQueryNodes: MAX_COSTED_SELECTIONS,
  });
}

/**
 * What of the variables a cost depends on: numbers (page sizes), booleans (`@include`) and the
 * lengths of lists (an `_entities` fetch's representations); strings never change it. Variables
 * are already known to nest no deeper than the limit.
 */
export function costShape(value: unknown): string {
  if (Array.isArray(value)) return `[${value.length}]`;
  if (value && typeof value === "object") {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}:${costShape(item)}`)
      .join(",")}}`;
  }
  return typeof value === "number" || typeof value === "boolean" ? String(value) : "";
}

/**
 * Whether the operation's cost may change with its variables. A variable can change it only
 * where the cost model reads it (an argument of {@link COSTED_ARGUMENTS}, @include, @skip,
 * anywhere in the document: more than the operation reaches, which errs on the safe side) and
 * only through a number, a boolean or a list's length, so a variable whose type can hold none
 * of them (String, ID, enums, input objects of those) cannot. Any other scalar (a custom one
 * may hold anything) is taken as able to. Variables the operation does not declare cannot
 * either: graphql-query-complexity reads the operation's coerced variables only.
 */
export function costVaries(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  const read = variablesCostReads(document);
  return (operation.variableDefinitions ?? []).some(
    (definition) => read.has(definition.variable.name.value) && typeMayHoldCostInput(schema, definition.type),
  );
}

/** The variables named in the values the cost model reads, in any operation or fragment of `document`. */
function variablesCostReads(document: DocumentNode): Set<string> {
  const read = new Set<string>();
  const collect = (value: ValueNode) =>
    visit(value, {
      Variable: (variable) => {
        read.add(variable.name.value);
      },
    });
  visit(document, {
    Field: (field) => {
      for (const argument of field.arguments ?? []) {
        if (COSTED_ARGUMENTS.has(argument.name.value)) collect(argument.value);
      }
    },
    Directive: (directive) => {
      if (directive.name.value !== "include" && directive.name.value !== "skip") return;
      for (const argument of directive.arguments ?? []) collect(argument.value);
    },
  });
  return read;
}

/** Whether a variable of this type may hold a number, a boolean or a list at any depth. */
function typeMayHoldCostInput(schema: GraphQLSchema, type: TypeNode): boolean {
  if (type.kind === Kind.LIST_TYPE) return true;
  if (type.kind === Kind.NON_NULL_TYPE) return typeMayHoldCostInput(schema, type.type);
  const named = schema.getType(type.name.value);
  return named === undefined || inputMayHoldCostInput(named as GraphQLInputType, new Set());
}

/** {@link typeMayHoldCostInput} for a schema type; `seen` input objects (recursive ones) are answered where first met. */
function inputMayHoldCostInput(type: GraphQLInputType, seen: Set<GraphQLInputType>): boolean {
  if (isNonNullType(type)) return inputMayHoldCostInput(type.ofType, seen);
  if (isEnumType(type)) return false;
  if (isScalarType(type)) return type.name !== "String" && type.name !== "ID";
  if (!isInputObjectType(type)) return true; // a list, or not an input type at all
  if (seen.has(type)) return false;
  seen.add(type);
  return Object.values(type.getFields()).some((field) => inputMayHoldCostInput(field.type, seen));
}
