/**
 * A subgraph's direct-path engine that runs known queries compiled by graphql-jit (decision 0044)
 * instead of interpreting them with graphql-js's `execute` each time. Only an answer graphql-js
 * would give word for word is taken from the compiled query; everything else is graphql-js's:
 *
 * - an operation is compiled the second time its text runs (a text seen once costs no
 *   compilation); the compiled queries are kept by text, {@link COMPILED_CHARS} characters of it
 *   in all, and all dropped when that is full (as the direct path's document cache is);
 * - mutations are never compiled (an answer cannot be run again), nor documents graphql-jit
 *   runs differently ({@link compiles}: async `resolveType`, custom scalar literals, variables
 *   inside literals, required input fields with defaults), nor one it fails to compile;
 * - a compiled query runs only once its variables are known to coerce as graphql-js coerces
 *   them (`variablesCoerce`): graphql-jit lets through some that graphql-js refuses; a request
 *   whose variables do not coerce runs nothing (Apollo Server answers it);
 * - an answer with errors is thrown away and the query run again by graphql-js: graphql-jit
 *   runs the siblings of a failed non-null field that graphql-js stops at, reports every failed
 *   non-null field where graphql-js reports the first, orders null-bubbling errors last and
 *   builds errors of its own class, so only an error-free answer is known to be the same. A
 *   query that fails thus runs twice (its resolvers too: queries only read), counted as
 *   `graphql-js-again`.
 */
import {
  type DocumentNode,
  type ExecutionResult,
  getNamedType,
  type GraphQLSchema,
  type GraphQLType,
  isAbstractType,
  isInputObjectType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  Kind,
  type OperationDefinitionNode,
  TypeInfo,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  BREAK,
} from "graphql";
import { type CompiledQuery, compileQuery, isCompiledQuery } from "graphql-jit";
import type { Registry } from "prom-client";
import { counterChild, OwnCounter } from "../ops/request-metrics";
import { type DirectEngine, type DirectRequest, graphqlEngine, variablesCoerce } from "./direct-execution";

/** What is known of one operation of a text: seen once, compiled, or refused (graphql-js runs it). */
type Compiled = "seen" | "refused" | CompiledQuery;

/**
 * Characters of query text whose compiled queries (or the mark that a text was seen once, or is
 * refused) are kept; all are dropped when full, and a text over a sixteenth is never compiled. A
 * compiled query takes about 170 bytes of heap per character of its text before its first run
 * (37 KB for the 217 characters of bench:lists' `clients` query; compiling it took 10-14 ms on a
 * busy machine), more once V8 has compiled its code: 128 K characters is about 22 MB and code.
 */
const COMPILED_CHARS = 128 * 1024;

/**
 * graphqlEngine's answers, run by graphql-jit where it gives the same (see the module's comment).
 * Each run is counted in `registry`: `graphql_direct_executions_total` by `executor`, `compiled`,
 * `graphql-js`, or `graphql-js-again` (a compiled query's answer had errors).
 */
export function compiledEngine(schema: GraphQLSchema, registry: Registry): DirectEngine {
  const runs = executionCounter(registry);
  const known = new Map<string, Map<string | undefined, Compiled>>();
  let knownChars = 0;
  const interpret = graphqlEngine(schema).execute;

  /** The compiled query of `request`'s operation, or undefined while graphql-js runs it. */
  const compiledFor = (request: DirectRequest): CompiledQuery | undefined => {
    const { query } = request;
    if (request.operation.operation !== "query" || query.length > COMPILED_CHARS / 16) return undefined;
    let operations = known.get(query);
    if (!operations) {
      if (knownChars + query.length > COMPILED_CHARS) {
        known.clear();
        knownChars = 0;
      }
      known.set(query, (operations = new Map()));
      knownChars += query.length;
    }
    const state = operations.get(request.operationName);
    if (state === undefined) {
      operations.set(request.operationName, "seen");
      return undefined;
    }
    if (state !== "seen") return state === "refused" ? undefined : state;
    const compiled = compiles(schema, request.document, request.operation)
      ? compileQuery(schema, request.document, request.operationName, {
          disablingCapturingStackErrors: true,
        })
      : undefined;
    const next = compiled && isCompiledQuery(compiled) ? compiled : "refused";
    operations.set(request.operationName, next);
    return next === "refused" ? undefined : next;
  };

  /** A compiled query's answer when it has no errors, else graphql-js's (see the module's comment). */
  const runCompiled = async (compiled: CompiledQuery, request: DirectRequest, contextValue: object) => {
    if (!variablesCoerce(schema, request)) return undefined;
    const result = (await compiled.query(undefined, contextValue, request.variables)) as ExecutionResult;
    if (result.errors || !("data" in result)) {
      runs.again.inc();
      return interpret(request, contextValue);
    }
    runs.compiled.inc();
    return { data: result.data };
  };

  return {
    schema: () => schema,
    // Not an async function: graphql-js's promise is answered as it is, not wrapped in another.
    execute: (request, contextValue) => {
      const compiled = compiledFor(request);
      if (compiled) return runCompiled(compiled, request, contextValue);
      // Counted when graphql-js ran it: variables that do not coerce run nothing (Apollo Server answers).
      return interpret(request, contextValue).then((result) => {
        if (result) runs.interpreted.inc();
        return result;
      });
    },
  };
}

/**
 * Whether graphql-jit runs `operation` as graphql-js does: no abstract type with an async
 * `resolveType` nor object type with an async `isTypeOf` (graphql-jit calls both as if
 * synchronous), no literal of a custom scalar (arguments, input fields, variables' defaults),
 * no variable inside a list or input object literal (graphql-jit passes an absent one as null
 * where graphql-js leaves the field out, and lets through values graphql-js refuses), no
 * variable of an input object with a non-null field that has a default (graphql-jit refuses
 * the variable when that field is left out).
 */
function compiles(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  const variableTypes = (operation.variableDefinitions ?? []).map((definition) =>
    typeFromAST(schema, definition.type),
  );
  if (variableTypes.some((type) => type && hasRequiredDefault(type, new Set()))) return false;
  const typeInfo = new TypeInfo(schema);
  let supported = true;
  let literalDepth = 0;
  const refuse = () => {
    supported = false;
    return BREAK;
  };
  const visitor = visitWithTypeInfo(typeInfo, {
    enter(node) {
      if (node.kind === Kind.OPERATION_DEFINITION && node !== operation) return false;
      if (node.kind === Kind.SELECTION_SET) {
        const parent = typeInfo.getParentType();
        if (parent && isAbstractType(parent) && isAsync(parent.resolveType)) return refuse();
        if (parent && isObjectType(parent) && isAsync(parent.isTypeOf)) return refuse();
      }
      if (node.kind === Kind.VARIABLE) return literalDepth > 0 ? refuse() : undefined;
      if (!VALUE_KINDS.has(node.kind)) return undefined;
      const input = typeInfo.getInputType();
      const named = input && getNamedType(input);
      if (named && isScalarType(named) && !isSpecifiedScalarType(named)) return refuse();
      if (node.kind === Kind.LIST || node.kind === Kind.OBJECT) literalDepth++;
      return undefined;
    },
    leave(node) {
      if (node.kind === Kind.LIST || node.kind === Kind.OBJECT) literalDepth--;
    },
  });
  visit(document, visitor);
  return supported;
}

/** Whether `type` is or holds an input object with a non-null field that has a default value. */
function hasRequiredDefault(type: GraphQLType, seen: Set<string>): boolean {
  const named = getNamedType(type);
  if (!isInputObjectType(named) || seen.has(named.name)) return false;
  seen.add(named.name);
  return Object.values(named.getFields()).some(
    (field) =>
      (isNonNullType(field.type) && field.defaultValue !== undefined) || hasRequiredDefault(field.type, seen),
  );
}

/** The kinds of literal values (a variable is not one). */
const VALUE_KINDS = new Set<string>([
  Kind.INT,
  Kind.FLOAT,
  Kind.STRING,
  Kind.BOOLEAN,
  Kind.NULL,
  Kind.ENUM,
  Kind.LIST,
  Kind.OBJECT,
]);

function isAsync(resolveType: unknown): boolean {
  return typeof resolveType === "function" && resolveType.constructor.name === "AsyncFunction";
}

/**
 * The counter of direct executions by executor (one per registry: a test may start several
 * servers). Our own counter (common/ops/request-metrics.ts): an `inc()` is one addition, where
 * prom-client's children hash their labels on every call.
 */
function executionCounter(registry: Registry) {
  const name = "graphql_direct_executions_total";
  const found = registry.getSingleMetric(name) as unknown;
  const counter =
    found instanceof OwnCounter
      ? found
      : new OwnCounter({
          name,
          help: "Operations the direct path ran, by executor: compiled (graphql-jit), graphql-js, graphql-js-again (a compiled query's answer had errors)",
          registry,
        });
  return {
    compiled: counterChild(counter, { executor: "compiled" }),
    interpreted: counterChild(counter, { executor: "graphql-js" }),
    again: counterChild(counter, { executor: "graphql-js-again" }),
  };
}
