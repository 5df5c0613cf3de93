/**
 * graphql-js 16.15's `getArgumentValues` for a field whose arguments are all variables or not
 * given (what callers send), read from a plan made once per operation (decision 0064):
 * graphql-js builds the arguments in an object without a prototype, a dictionary to V8, and
 * answers a copy of it, which V8 makes in its runtime, on every call. Anything else (a
 * literal, a missing or null value where one is required: an error) is left to graphql-js.
 */
import { type FieldNode, getArgumentValues, type GraphQLField, isNonNullType, Kind } from "graphql";
import type { ExecutionContext } from "graphql/execution/execute";

type Field = GraphQLField<unknown, unknown>;

/** An argument of a field, as graphql-js's `getArgumentValues` looks at it. */
export interface PlannedArgument {
  name: string;
  /** The variable it is given; undefined when the selection does not give it. */
  variable: string | undefined;
  defaultValue: unknown;
  nonNull: boolean;
}

/**
 * The plan of `fieldDef`'s arguments in `node`: each given a variable or not given; undefined
 * when one is given a literal (graphql-js's `getArgumentValues` then coerces it).
 */
export function plannedArguments(fieldDef: Field, node: FieldNode): PlannedArgument[] | undefined {
  const planned: PlannedArgument[] = [];
  for (const argDef of fieldDef.args) {
    const given = node.arguments?.find((argument) => argument.name.value === argDef.name);
    if (given && given.value.kind !== Kind.VARIABLE) return undefined;
    planned.push({
      name: argDef.name,
      variable: given?.value.kind === Kind.VARIABLE ? given.value.name.value : undefined,
      defaultValue: argDef.defaultValue,
      nonNull: isNonNullType(argDef.type),
    });
  }
  return planned;
}

/**
 * What graphql-js's `getArgumentValues(fieldDef, node, variableValues)` answers: the same plain
 * object, the arguments in their definition's order, from `plan` where it has one and the
 * values allow; from graphql-js otherwise (which throws its own error where there is one).
 */
export function argumentValues(
  fieldDef: Field,
  plan: readonly PlannedArgument[] | undefined,
  node: FieldNode,
  variableValues: ExecutionContext["variableValues"],
): Record<string, unknown> {
  // graphql-js's answer for a field without arguments is a fresh `{}` (a spread of an empty map).
  if (!fieldDef.args.length) return {};
  if (!plan) return getArgumentValues(fieldDef, node, variableValues);
  const args: Record<string, unknown> = {};
  for (const { name, variable, defaultValue, nonNull } of plan) {
    if (variable === undefined || !Object.hasOwn(variableValues, variable)) {
      if (defaultValue !== undefined) args[name] = defaultValue;
      else if (nonNull) return getArgumentValues(fieldDef, node, variableValues);
      continue;
    }
    const value = variableValues[variable];
    if (value === undefined || (value === null && nonNull)) {
      return getArgumentValues(fieldDef, node, variableValues);
    }
    args[name] = value;
  }
  return args;
}
