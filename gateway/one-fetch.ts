/**
 * Operations whose query plan is one fetch from one subgraph (a mutation forwarded as is, a
 * query of one subgraph's fields), run on the direct path without @apollo/gateway's executor
 * (decision 0047). The executor repeats per request what does not change for a known text: the
 * operation context, the variables' coercion (the direct path has just done it against the same
 * schema), the plan store's lookup, the operation rebuilt for result shaping, and six layers of
 * OpenTelemetry spans and async functions around one HTTP call. Here that is done once per
 * document, and a request runs what is left of `executeQueryPlan` for a root fetch: the
 * variables the fetch uses, the data source's `process`, the subgraph's errors as the executor
 * reports them, and Apollo's own result shaping (`computeResponse`). Every other plan, and the
 * first run of each text, goes through the executor, which is also how a plan becomes known.
 */
import type {
  ApolloGateway,
  Experimental_DidResolveQueryPlanCallback,
  GraphQLDataSource,
} from "@apollo/gateway";
// Not exported from the package's entry: the kind of call a data source gets, and the executor's
// own result shaping (so answers stay its answers).
import { GraphQLDataSourceRequestKind } from "@apollo/gateway/dist/datasources/types";
import { computeResponse } from "@apollo/gateway/dist/resultShaping";
import { errorCodeDef, ERRORS, type Operation, operationFromDocument } from "@apollo/federation-internals";
import type { FetchNode } from "@apollo/query-planner";
import type { GatewayGraphQLRequestContext } from "@apollo/server-gateway-interface";
import { type DocumentNode, type ExecutionResult, GraphQLError, Kind } from "graphql";
import { type PlainShape, planPlainShape, shapePlain, UNSHAPED } from "./plain-shape";

/** What a one-fetch plan needs per request, prepared once per document and operation name. */
export interface OneFetch {
  fetch: FetchNode;
  service: GraphQLDataSource;
  /** The operation as `executeQueryPlan` builds it for result shaping (against the API schema). */
  operation: Operation;
  /** Its shaping planned, when the operation is plain (gateway/plain-shape.ts). */
  shape: PlainShape | undefined;
}

/**
 * The plans of the direct path's documents, learnt from the executor's
 * `experimental_didResolveQueryPlan` hook: a {@link OneFetch} where the plan is one fetch at the
 * root, null where it is anything else (the executor keeps running those). Kept per document
 * object, so they go when the direct path forgets the document (a new schema, a full memory).
 */
export class QueryPlanMemory {
  private readonly plans = new WeakMap<DocumentNode, Map<string, OneFetch | null>>();
  /** Requests of the direct path sent to the executor, whose plan is to be remembered. */
  private readonly watched = new WeakSet<GatewayGraphQLRequestContext>();
  private gateway: ApolloGateway | undefined;

  /** The gateway whose planner made the plans (its API schema builds the operations). */
  attach(gateway: ApolloGateway): void {
    this.gateway = gateway;
  }

  /** A {@link OneFetch}, null when the plan is not one fetch, undefined when not known yet. */
  planOf(document: DocumentNode, operationName: string | undefined): OneFetch | null | undefined {
    return this.plans.get(document)?.get(operationName ?? "");
  }

  /** Marks a request the executor is about to run: its plan is remembered when resolved. */
  watch(requestContext: GatewayGraphQLRequestContext): void {
    this.watched.add(requestContext);
  }

  /** The gateway's `experimental_didResolveQueryPlan` (called before the plan runs). */
  readonly didResolveQueryPlan: Experimental_DidResolveQueryPlanCallback = ({
    queryPlan,
    serviceMap,
    operationContext,
    requestContext,
  }) => {
    const { document } = requestContext;
    if (!document || !this.watched.has(requestContext)) return;
    let byName = this.plans.get(document);
    if (!byName) this.plans.set(document, (byName = new Map()));
    const node = queryPlan.node;
    const service = node?.kind === "Fetch" ? serviceMap[node.serviceName] : undefined;
    const apiSchema = this.gateway?.__testing().queryPlanner?.supergraph.apiSchema();
    let oneFetch: OneFetch | null = null;
    if (node?.kind === "Fetch" && isPlainFetch(node) && service && apiSchema) {
      try {
        // As executeQueryPlan builds it on every request.
        const operation = operationFromDocument(
          apiSchema,
          {
            kind: Kind.DOCUMENT,
            definitions: [operationContext.operation, ...Object.values(operationContext.fragments)],
          },
          { validate: false },
        );
        oneFetch = { fetch: node, service, operation, shape: planPlainShape(operation) };
      } catch {
        oneFetch = null;
      }
    }
    byName.set(requestContext.request.operationName ?? "", oneFetch);
  };
}

/**
 * A fetch that sends the operation and takes the answer as it is: no entities to send
 * (`requires`), no values to rewrite on the way in or out, nothing deferred.
 */
function isPlainFetch(fetch: FetchNode): boolean {
  return (
    !fetch.requires &&
    !fetch.hasDefers &&
    !fetch.inputRewrites?.length &&
    !fetch.outputRewrites?.length &&
    !fetch.contextRewrites?.length
  );
}

/**
 * Runs `plan` for `requestContext` as @apollo/gateway 2.14's `executeQueryPlan` runs a plan
 * whose root is that one fetch (without its spans: no tracer is registered, decision 0008).
 */
export async function executeOneFetch(
  plan: OneFetch,
  requestContext: GatewayGraphQLRequestContext,
): Promise<ExecutionResult> {
  const { fetch, service } = plan;
  const errors: Error[] = [];
  const data: Record<string, unknown> = Object.create(null);
  // The fetch gets the variables it uses, as the caller sent them (undefined ones left out).
  const provided = requestContext.request.variables;
  const variables: Record<string, unknown> = Object.create(null);
  for (const name of fetch.variableUsages ?? []) {
    if (provided && Object.hasOwn(provided, name) && provided[name] !== undefined) {
      variables[name] = provided[name];
    }
  }
  try {
    const response = await service.process({
      kind: GraphQLDataSourceRequestKind.INCOMING_OPERATION,
      request: { query: fetch.operation, variables, operationName: fetch.operationName, http: undefined },
      incomingRequestContext: requestContext,
      context: requestContext.context,
      document: fetch.operationDocumentNode,
      pathInIncomingRequest: [],
    });
    if (response.errors) {
      for (const error of response.errors) errors.push(downstreamServiceError(error, fetch.serviceName));
    }
    mergeIntoRoot(data, response.data);
  } catch (error) {
    // The executor keeps what a fetch throws (the subgraph unreachable) as the request's error.
    errors.push(error as Error);
  }
  return shaped(plan, requestContext, data, errors);
}

/**
 * The executor's post-processing: the response shaped to the operation, and its errors. A plain
 * operation's answer that shapes without a finding is shaped by its plan, as `computeResponse` would.
 */
function shaped(
  { operation, shape }: OneFetch,
  requestContext: GatewayGraphQLRequestContext,
  input: Record<string, unknown>,
  errors: Error[],
): ExecutionResult {
  const plain = shape ? shapePlain(shape, input) : UNSHAPED;
  if (plain !== UNSHAPED)
    return errors.length === 0 ? { data: plain } : { errors: errors as GraphQLError[], data: plain };
  try {
    const { data, errors: shapingErrors } = computeResponse({
      operation,
      variables: requestContext.request.variables,
      input,
      // The direct path validates with NoSchemaIntrospectionCustomRule: no __schema or __type here.
      introspectionHandling: () => {
        throw new Error("introspection is not run on the direct path");
      },
    });
    if (errors.length === 0 && shapingErrors.length > 0) {
      return { extensions: { valueCompletion: shapingErrors }, data };
    }
    return errors.length === 0 ? { data } : { errors: errors as GraphQLError[], data };
  } catch (error) {
    if (error instanceof GraphQLError) return { errors: [error] };
    if (error instanceof Error)
      return { errors: [new GraphQLError(error.message, { originalError: error })] };
    requestContext.logger.error(`Unexpected error during query plan execution: ${String(error)}`);
    return { errors: [new GraphQLError("Unexpected error during query plan execution")] };
  }
}

/** `deepMerge` of a fetch's data into the empty root, as the executor does it. */
function mergeIntoRoot(
  root: Record<string, unknown>,
  data: Record<string, unknown> | null | undefined,
): void {
  if (data === undefined || data === null) return;
  for (const key of Object.keys(data)) {
    if (data[key] !== undefined) root[key] = data[key];
  }
}

/** A subgraph's error as the executor passes it on: its path kept, `serviceName` added, a code given. */
function downstreamServiceError(
  original: NonNullable<Awaited<ReturnType<GraphQLDataSource["process"]>>["errors"]>[number],
  serviceName: string,
): GraphQLError {
  const message = original.message || `Error while fetching subquery from service "${serviceName}"`;
  const options = {
    originalError: original as Error,
    path: original.path ? [...original.path] : undefined,
    extensions: { ...original.extensions, serviceName },
  };
  const codeDef = errorCodeDef(original);
  if (!codeDef && original.extensions?.code) return new GraphQLError(message, options);
  return (codeDef ?? ERRORS.DOWNSTREAM_SERVICE_ERROR).err(message, options);
}
