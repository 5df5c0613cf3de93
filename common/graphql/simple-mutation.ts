/**
 * The mutations nearly every caller sends, run as graphql-js's `execute` runs them, without the
 * work `execute` repeats on every request for any document (decision 0061): finding the
 * operation and fragments, collecting the root fields and each object's subfields (memoized per
 * request, so never reused), the serial reduction over root fields. For a payment that was a
 * third of graphql-js's time in the ledger's profile.
 *
 * The shape ({@link simpleMutation}): one operation in the document, no fragments, no
 * directives; one root field (aliased or not) returning an object type, nullable or not, never
 * a list or an abstract type; under it only leaf fields (scalars, enums, `__typename`), each
 * response name once. Anything else runs in graphql-js.
 *
 * What runs is graphql-js 16.15's own execution of that shape, function for function
 * (`execute`, `executeField`, `completeValue`, `completeObjectValue`, `executeFields`,
 * `handleFieldError`, `CollectedErrors`, `buildResponse`) with graphql-js's own helpers
 * (argument coercion, resolve infos, located errors, paths; the variables coerced by
 * ./variable-coercion.ts, which answers graphql-js's values exactly or leaves them to graphql-js;
 * arguments that are all variables read from the plan, ./planned-arguments.ts): the same resolver
 * calls with the same arguments and infos, the same promise chain, the same result and errors.
 * It is used only with the graphql-js version it was read from ({@link PORTED_FROM}); another
 * runs everything in graphql-js until this module is read against it again.
 */
import {
  defaultFieldResolver,
  type DocumentNode,
  type ExecutionResult,
  type FieldNode,
  getNullableType,
  getVariableValues,
  GraphQLError,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLResolveInfo,
  type GraphQLSchema,
  isLeafType,
  isNonNullType,
  isObjectType,
  Kind,
  locatedError,
  type OperationDefinitionNode,
  OperationTypeNode,
  TypeNameMetaFieldDef,
  version,
} from "graphql";
import { buildResolveInfo, type ExecutionContext } from "graphql/execution/execute";
import { inspect } from "graphql/jsutils/inspect";
import { isPromise } from "graphql/jsutils/isPromise";
import { addPath, type Path, pathToArray } from "graphql/jsutils/Path";
import { promiseForObject } from "graphql/jsutils/promiseForObject";
import { argumentValues, type PlannedArgument, plannedArguments } from "./planned-arguments";
import { operationCoercer, type VariableCoercer } from "./variable-coercion";

/** The graphql-js version (major.minor) whose execution this module reproduces. */
export const PORTED_FROM = "16.15";

/** Whether the installed graphql-js is the one this module reproduces. */
export const simpleMutationsRun = version.split(".").slice(0, 2).join(".") === PORTED_FROM;

type Field = GraphQLField<unknown, unknown>;

/** A field of the plan: what graphql-js's field collection would give for its response name. */
interface PlannedField {
  responseName: string;
  fieldNodes: readonly FieldNode[];
  fieldDef: Field;
  /** Its arguments, where each is a variable or absent (./planned-arguments.ts); else undefined. */
  arguments: readonly PlannedArgument[] | undefined;
}

/** A mutation of the simple shape, with what graphql-js would find for it on every request. */
export interface SimpleMutation {
  operation: OperationDefinitionNode;
  rootType: GraphQLObjectType;
  root: PlannedField;
  /** The leaf fields selected under the root field, in the order graphql-js collects them. */
  leaves: readonly PlannedField[];
  /** graphql-js's coercion of the operation's variables, where it is sure (./variable-coercion.ts). */
  coerce: VariableCoercer;
  /** No response name is `__proto__`: result objects may be built plain ({@link newResults}). */
  plainResults: boolean;
}

/** `operation`'s plan when it has the simple shape (see the module's comment), else undefined. */
export function simpleMutation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): SimpleMutation | undefined {
  const rootType = schema.getMutationType();
  if (!simpleMutationsRun || !rootType || operation.operation !== OperationTypeNode.MUTATION)
    return undefined;
  if (document.definitions.length !== 1 || operation.directives?.length) return undefined;
  const [selection, ...others] = operation.selectionSet.selections;
  if (others.length || selection.kind !== Kind.FIELD || selection.directives?.length) return undefined;
  const fieldDef = rootType.getFields()[selection.name.value] as Field | undefined;
  const objectType = fieldDef && getNullableType(fieldDef.type);
  if (!fieldDef || !isObjectType(objectType) || !selection.selectionSet) return undefined;
  const leaves: PlannedField[] = [];
  for (const leaf of selection.selectionSet.selections) {
    if (leaf.kind !== Kind.FIELD || leaf.directives?.length || leaf.arguments?.length) return undefined;
    const responseName = leaf.alias?.value ?? leaf.name.value;
    if (leaves.some((planned) => planned.responseName === responseName)) return undefined;
    const leafDef =
      leaf.name.value === TypeNameMetaFieldDef.name
        ? (TypeNameMetaFieldDef as Field)
        : (objectType.getFields()[leaf.name.value] as Field | undefined);
    if (!leafDef || !isLeafType(getNullableType(leafDef.type))) return undefined;
    leaves.push({
      responseName,
      fieldNodes: [leaf],
      fieldDef: leafDef,
      arguments: plannedArguments(leafDef, leaf),
    });
  }
  const root = {
    responseName: selection.alias?.value ?? selection.name.value,
    fieldNodes: [selection],
    fieldDef,
    arguments: plannedArguments(fieldDef, selection),
  };
  const plainResults = ![root, ...leaves].some((field) => field.responseName === "__proto__");
  return { operation, rootType, root, leaves, coerce: operationCoercer(schema, operation), plainResults };
}

/** graphql-js's `CollectedErrors`: an error under a position already nulled is not reported. */
class CollectedErrors {
  private readonly positions = new Set<Path | undefined>();
  readonly errors: GraphQLError[] = [];

  add(error: GraphQLError, path: Path | undefined): void {
    for (let at = path; at !== undefined; at = at.prev) if (this.positions.has(at)) return;
    if (this.positions.has(undefined)) return;
    this.positions.add(path);
    this.errors.push(error);
  }
}

interface Execution {
  /** What graphql-js's resolve infos are built from (`buildResolveInfo`). */
  context: ExecutionContext;
  errors: CollectedErrors;
  plan: SimpleMutation;
}

type Completed = unknown;

/**
 * `plan` executed as graphql-js's `execute({schema, document, variableValues, contextValue})`
 * would; undefined, having run nothing, when the variables do not coerce (graphql-js's answer
 * then has no `data`: the direct path hands such a request to Apollo Server).
 */
export function executeSimpleMutation(
  schema: GraphQLSchema,
  plan: SimpleMutation,
  variables: Record<string, unknown> | undefined,
  contextValue: unknown,
  /** The variables are JSON.parse's (see `DirectRequest.json`): the plan's coercion may read them first. */
  json = false,
): ExecutionResult | Promise<ExecutionResult> | undefined {
  const variableValues =
    (json ? plan.coerce(variables ?? {}) : undefined) ?? coercedByGraphql(schema, plan, variables);
  if (!variableValues) return undefined;
  const errors = new CollectedErrors();
  const context = {
    schema,
    fragments: Object.create(null) as ExecutionContext["fragments"],
    rootValue: undefined,
    contextValue,
    operation: plan.operation,
    variableValues,
  } as ExecutionContext;
  const execution: Execution = { context, errors, plan };
  try {
    const result = executeRoot(execution);
    if (isPromise(result)) {
      return result.then(
        (data) => buildResponse(data, errors.errors),
        (error: GraphQLError) => {
          errors.add(error, undefined);
          return buildResponse(null, errors.errors);
        },
      );
    }
    return buildResponse(result, errors.errors);
  } catch (error) {
    errors.add(error as GraphQLError, undefined);
    return buildResponse(null, errors.errors);
  }
}

/** graphql-js's own coercion, where the plan's is not sure: the values, or undefined on errors. */
function coercedByGraphql(
  schema: GraphQLSchema,
  plan: SimpleMutation,
  variables: Record<string, unknown> | undefined,
): { [name: string]: unknown } | undefined {
  const coerced = getVariableValues(schema, plan.operation.variableDefinitions ?? [], variables ?? {}, {
    maxErrors: 50,
    hideSuggestions: false,
  });
  return coerced.errors ? undefined : coerced.coerced;
}

/**
 * An empty result object. graphql-js's are `Object.create(null)`, which V8 keeps as a dictionary:
 * slower to fill and to serialise (`JSON.stringify` leaves its fast path for one). Where the
 * plan allows ({@link SimpleMutation.plainResults}: a plain object's `__proto__` is its
 * prototype, not a property), a plain object is filled and given its null prototype when full
 * ({@link filled}), which keeps its properties fast: the same object to anything that reads it.
 */
function newResults({ plainResults }: SimpleMutation): Record<string, unknown> {
  return plainResults ? {} : (Object.create(null) as Record<string, unknown>);
}

function filled(plan: SimpleMutation, results: Record<string, unknown>): Record<string, unknown> {
  return plan.plainResults ? (Object.setPrototypeOf(results, null) as Record<string, unknown>) : results;
}

/** `executeFieldsSerially` over the one root field (its `promiseReduce` from an empty map). */
function executeRoot(execution: Execution): Completed {
  const { plan } = execution;
  const { rootType, root } = plan;
  const results = newResults(plan);
  const fieldPath = addPath(undefined, root.responseName, rootType.name);
  const result = executeField(execution, rootType, undefined, root, fieldPath);
  if (result === undefined) return filled(plan, results);
  if (isPromise(result)) {
    return result.then((resolved) => {
      results[root.responseName] = resolved;
      return filled(plan, results);
    });
  }
  results[root.responseName] = result;
  return filled(plan, results);
}

function buildResponse(data: unknown, errors: readonly GraphQLError[]): ExecutionResult {
  const result = data as ExecutionResult["data"];
  return errors.length === 0 ? { data: result } : { errors, data: result };
}

function executeField(
  execution: Execution,
  parentType: GraphQLObjectType,
  source: unknown,
  planned: PlannedField,
  path: Path,
): Completed {
  const { context } = execution;
  // A list of its own per request, as graphql-js collects it: a resolver may keep or change it.
  const fieldNodes = [...planned.fieldNodes];
  const { fieldDef } = planned;
  const returnType = fieldDef.type;
  const resolveFn = fieldDef.resolve ?? defaultFieldResolver;
  const info = buildResolveInfo(context, fieldDef, fieldNodes, parentType, path);
  try {
    const args = argumentValues(fieldDef, planned.arguments, fieldNodes[0], context.variableValues);
    const result = resolveFn(source, args, context.contextValue, info);
    const completed = isPromise(result)
      ? result.then((resolved) => completeValue(execution, returnType, info, path, resolved))
      : completeValue(execution, returnType, info, path, result);
    if (isPromise(completed)) {
      return completed.then(undefined, (rawError) =>
        handleFieldError(locatedError(rawError, fieldNodes, pathToArray(path)), returnType, path, execution),
      );
    }
    return completed;
  } catch (rawError) {
    return handleFieldError(
      locatedError(rawError, fieldNodes, pathToArray(path)),
      returnType,
      path,
      execution,
    );
  }
}

function handleFieldError(
  error: GraphQLError,
  returnType: GraphQLOutputType,
  path: Path,
  { errors }: Execution,
): null {
  if (isNonNullType(returnType)) throw error;
  errors.add(error, path);
  return null;
}

/** `completeValue` for the types a plan holds: non-null, leaf and the root field's object type. */
function completeValue(
  execution: Execution,
  returnType: GraphQLOutputType,
  info: GraphQLResolveInfo,
  path: Path,
  result: unknown,
): Completed {
  if (result instanceof Error) throw result;
  if (isNonNullType(returnType)) {
    const completed = completeValue(execution, returnType.ofType, info, path, result);
    if (completed === null) {
      throw new Error(`Cannot return null for non-nullable field ${info.parentType.name}.${info.fieldName}.`);
    }
    return completed;
  }
  if (result == null) return null;
  if (isLeafType(returnType)) {
    const serialized: unknown = returnType.serialize(result);
    if (serialized == null) {
      throw new Error(
        `Expected \`${inspect(returnType)}.serialize(${inspect(result)})\` to ` +
          `return non-nullable value, returned: ${inspect(serialized)}`,
      );
    }
    return serialized;
  }
  if (isObjectType(returnType)) return completeObjectValue(execution, returnType, info, path, result);
  throw new Error(`A simple mutation cannot complete ${inspect(returnType)}`);
}

function completeObjectValue(
  execution: Execution,
  returnType: GraphQLObjectType,
  info: GraphQLResolveInfo,
  path: Path,
  result: unknown,
): Completed {
  const { context } = execution;
  if (returnType.isTypeOf) {
    const isTypeOf = returnType.isTypeOf(result, context.contextValue, info);
    if (isPromise(isTypeOf)) {
      return isTypeOf.then((resolvedIsTypeOf) => {
        if (!resolvedIsTypeOf) throw invalidReturnTypeError(returnType, result, info.fieldNodes);
        return executeFields(execution, returnType, result, path);
      });
    }
    if (!isTypeOf) throw invalidReturnTypeError(returnType, result, info.fieldNodes);
  }
  return executeFields(execution, returnType, result, path);
}

function invalidReturnTypeError(
  returnType: GraphQLObjectType,
  result: unknown,
  fieldNodes: readonly FieldNode[],
): GraphQLError {
  return new GraphQLError(`Expected value of type "${returnType.name}" but got: ${inspect(result)}.`, {
    nodes: fieldNodes,
  });
}

/** `executeFields` over the plan's leaves. */
function executeFields(
  execution: Execution,
  parentType: GraphQLObjectType,
  sourceValue: unknown,
  path: Path,
): Completed {
  const results = newResults(execution.plan);
  let containsPromise = false;
  try {
    for (const leaf of execution.plan.leaves) {
      const fieldPath = addPath(path, leaf.responseName, parentType.name);
      const result = executeField(execution, parentType, sourceValue, leaf, fieldPath);
      if (result !== undefined) {
        results[leaf.responseName] = result;
        if (isPromise(result)) containsPromise = true;
      }
    }
  } catch (error) {
    if (containsPromise) {
      // As graphql-js: the other fields' promises are still waited for, as they may also reject.
      return promiseForObject(results as never).finally(() => {
        throw error;
      });
    }
    throw error;
  }
  if (!containsPromise) return filled(execution.plan, results);
  // graphql-js's own: it reads the results' own keys and builds the resolved object itself.
  return promiseForObject(results as never);
}
