/**
 * The common case without Apollo Server's request pipeline (decision 0042): a query or mutation
 * whose text has validated before, with variables that coerce and within the operation limits,
 * is executed directly (graphql-js in a subgraph, or the query compiled by graphql-jit where it
 * answers the same: decision 0044; @apollo/gateway's executor in the gateway), and
 * its result answered as Apollo Server answers it (the same error formatting, status and body).
 * Anything else, including a text that does not validate, is left to Apollo Server: the unusual
 * cases keep one set of rules, and nothing has run when one is handed over, so a mutation is
 * never executed twice.
 */
import {
  type DocumentNode,
  execute,
  type ExecutionResult,
  type FormattedExecutionResult,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  type OperationDefinitionNode,
  parse,
  specifiedRules,
  validate,
} from "graphql";
import type { Caller } from "../auth/caller";
import { type RequestScope, withRequestScope } from "../request-id";
import { formatError } from "./errors";
import type { OperationLimits } from "./limits";
import { executeSimpleMutation, type SimpleMutation, simpleMutation } from "./simple-mutation";
import { operationCoercer } from "./variable-coercion";

/**
 * Characters of query text whose parsed documents are remembered (a text longer than a
 * sixteenth is validated each time). A document takes 45-170 bytes of heap per character of its
 * text (measured on the client schema), so this holds at most about 90 MB.
 */
const PREPARED_CHARS = 512 * 1024;

/** What {@link DirectExecution.run} answers: the response, and what the request log needs. */
export interface DirectAnswer {
  status: number;
  /** Headers errors asked for (`extensions.http.headers`), besides the content type. */
  headers: Map<string, string>;
  body: string;
  /** The operation's name in the document (null when it has none), as Apollo Server reports it. */
  operationName: string | null;
  errors: readonly GraphQLFormattedError[] | undefined;
}

/** An operation the direct path runs: validated, within the limits, not a subscription. */
export interface DirectRequest {
  /** The text, as sent. */
  query: string;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  /** As the caller sent it (undefined when absent or null). */
  operationName: string | undefined;
  variables: Record<string, unknown> | undefined;
  /**
   * True when the variables are as JSON.parse made them (a request's body): no getters,
   * iterators or side effects, so reading them twice (a coercion that gives up, then
   * graphql-js's) reads the same values.
   */
  json?: boolean;
}

/**
 * What runs a {@link DirectRequest}: graphql-js over a subgraph's schema ({@link graphqlEngine}),
 * compiled queries where they answer the same (`compiledEngine`, compiled-engine.ts), or the
 * gateway's executor (gateway/direct.ts).
 */
export interface DirectEngine {
  /** The schema requests validate against (the gateway's changes when its supergraph does). */
  schema(): GraphQLSchema;
  /**
   * The result, final whatever it holds (a result without `data`, the gateway's executor failing
   * after its fetches ran, is answered, never run again); or undefined, having run nothing, when
   * the request's variables do not coerce: Apollo Server answers those. An engine over another
   * executor than graphql-js checks them first ({@link variablesCoerce}).
   */
  execute(request: DirectRequest, contextValue: object): Promise<ExecutionResult | undefined>;
  /**
   * Adjusts the status and headers of an answer from its data and formatted errors, as the
   * server's own `willSendResponse` plugins would (the gateway's failed-request statuses).
   */
  finish?(answer: Omit<DirectAnswer, "operationName">, data: ExecutionResult["data"]): void;
}

/**
 * A subgraph's engine: graphql-js's `execute` over `schema`, as Apollo Server runs it; a mutation
 * of the simple shape by ./simple-mutation.ts (graphql-js's execution of that shape without its
 * per-request look-ups, decision 0061). Both coerce the variables before anything runs and answer
 * no `data` at all when they do not coerce (the operation is known to exist): that result is
 * undefined here, so they are coerced once per request, not checked first and coerced again.
 */
export function graphqlEngine(schema: GraphQLSchema): DirectEngine {
  // Each operation's plan, or null where it does not have the simple shape (./simple-mutation.ts).
  const plans = new WeakMap<OperationDefinitionNode, SimpleMutation | null>();
  const planOf = ({ document, operation }: DirectRequest) => {
    let plan = plans.get(operation);
    if (plan === undefined)
      plans.set(operation, (plan = simpleMutation(schema, document, operation) ?? null));
    return plan;
  };
  return {
    schema: () => schema,
    execute: (request, contextValue) => {
      const { document, operationName, variables } = request;
      const plan = request.operation.operation === "mutation" ? planOf(request) : null;
      return Promise.resolve(
        plan
          ? executeSimpleMutation(schema, plan, variables, contextValue, request.json === true)
          : execute({ schema, document, operationName, variableValues: variables, contextValue }),
      ).then((result) => (result && "data" in result ? result : undefined));
    },
  };
}

/**
 * Whether `request`'s variables coerce, as graphql-js would coerce them: what an engine over
 * another executor checks before it runs anything. Variables from a JSON body go through the
 * operation's coercion plan first (made once per operation and schema); graphql-js decides where
 * the plan answers nothing (errors, or a case it does not reproduce).
 */
export function variablesCoerce(schema: GraphQLSchema, request: DirectRequest): boolean {
  const { operation } = request;
  const definitions = operation.variableDefinitions ?? [];
  if (request.json && operationCoercer(schema, operation)(request.variables ?? {})) return true;
  return !("errors" in getVariableValues(schema, definitions, request.variables ?? {}));
}

/** A `POST /graphql` body the direct path takes: one operation, its fields of the right types. */
export interface PlainBody {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * Executes validated operations directly. Kept per server: the texts it has validated (for the
 * schema it validated them against) and the rules Apollo Server applies.
 */
export class DirectExecution {
  private readonly prepared = new Map<string, DocumentNode>();
  private preparedChars = 0;
  private preparedFor: GraphQLSchema | undefined;
  private readonly rules;

  constructor(
    private readonly engine: DirectEngine,
    private readonly limits: OperationLimits,
  ) {
    // Introspection is left to Apollo Server, which alone knows whether it is on.
    this.rules = [...specifiedRules, NoSchemaIntrospectionCustomRule, ...limits.validationRules];
  }

  /**
   * Runs `body` for `caller` with `contextValue`, or returns undefined, having run nothing, when
   * Apollo Server must answer: a body or `accept` header out of the ordinary, a text that does
   * not parse or validate, no operation to run or a subscription, an operation beyond the
   * limits, variables that do not coerce.
   */
  async run(
    body: unknown,
    accept: string | undefined,
    caller: Caller,
    contextValue: object,
    /** The request's, which its errors are logged with (formatError): the direct path runs unscoped. */
    scope: RequestScope,
  ): Promise<DirectAnswer | undefined> {
    if (!isPlainBody(body) || !acceptsJson(accept)) return undefined;
    const request = this.requestOf(body, caller, true);
    // Variables that do not coerce are Apollo Server's to answer: the engine runs nothing then.
    const result = request && (await this.engine.execute(request, contextValue));
    if (!result) return undefined;
    const { head, errors } = result.errors
      ? withRequestScope(scope, () => this.formatted(result))
      : this.formatted(result);
    // One object, built whole: spreads here cost a new hidden class per request (decision 0064).
    const answer: DirectAnswer = {
      status: head.status,
      headers: head.headers,
      // Apollo Server's order (errors, then data) and its trailing newline.
      body: JSON.stringify({ errors, data: result.data }) + "\n",
      operationName: operationNameOf(request),
      errors,
    };
    this.engine.finish?.(answer, result.data);
    return answer;
  }

  /**
   * Runs an operation the server sends itself (a REST route's, a subscription event's) as Apollo
   * Server's `executeOperation` would: its result, errors formatted, and the operation's name; or
   * undefined, having run nothing, for what Apollo Server must run (as {@link run}).
   */
  async result(
    body: PlainBody,
    caller: Caller,
    contextValue: object,
  ): Promise<{ result: FormattedExecutionResult; operationName: string | null } | undefined> {
    const request = this.requestOf(body, caller);
    const result = request && (await this.engine.execute(request, contextValue));
    if (!result) return undefined;
    return {
      result: { ...result, errors: this.formatted(result).errors },
      operationName: operationNameOf(request),
    };
  }

  /**
   * The request the direct path runs for a plain body: validated, an operation to run that is not
   * a subscription, within the limits; undefined when Apollo Server must answer it.
   */
  private requestOf(body: PlainBody, caller: Caller, json = false): DirectRequest | undefined {
    const schema = this.engine.schema();
    const document = this.documentOf(schema, body.query);
    if (!document) return undefined;
    const operationName = body.operationName ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation || operation.operation === "subscription") return undefined;
    const variables = body.variables ?? undefined;
    if (this.limits.check({ schema, document, operationName, variables, caller })) return undefined;
    return { query: body.query, document, operation, operationName, variables, json };
  }

  /** The validated document of `query`, from memory or validated now; undefined when it is not valid. */
  private documentOf(schema: GraphQLSchema, query: string): DocumentNode | undefined {
    if (schema !== this.preparedFor) this.forget(schema);
    const known = this.prepared.get(query);
    if (known) return known;
    let document: DocumentNode;
    try {
      document = parse(query, this.limits.parseOptions);
    } catch {
      return undefined;
    }
    if (validate(schema, document, this.rules).length > 0) return undefined;
    if (query.length <= PREPARED_CHARS / 16) {
      if (this.preparedChars + query.length > PREPARED_CHARS) this.forget(schema);
      this.prepared.set(query, document);
      this.preparedChars += query.length;
    }
    return document;
  }

  private forget(schema: GraphQLSchema): void {
    this.prepared.clear();
    this.preparedChars = 0;
    this.preparedFor = schema;
  }

  /** `result`'s errors as Apollo Server formats them, and the status and headers they ask for (`extensions.http`). */
  private formatted(result: ExecutionResult): {
    head: Pick<DirectAnswer, "status" | "headers">;
    errors: GraphQLFormattedError[] | undefined;
  } {
    let status = 200;
    const headers = new Map<string, string>();
    let errors: GraphQLFormattedError[] | undefined;
    if (result.errors) {
      this.limits.hideSuggestionsIn(result.errors);
      errors = result.errors.map((thrown: unknown) => {
        // As Apollo Server's ensureGraphQLError: an executor may hand back another Error.
        const error =
          thrown instanceof GraphQLError
            ? thrown
            : new GraphQLError((thrown as Error).message, { originalError: thrown as Error });
        const extensions: Record<string, unknown> = {
          ...error.extensions,
          code: error.extensions.code ?? "INTERNAL_SERVER_ERROR",
        };
        if (isHttpHead(extensions.http)) {
          if (extensions.http.status) status = extensions.http.status;
          for (const [name, value] of extensions.http.headers ?? []) headers.set(name, value);
          delete extensions.http;
        }
        return safely(() => formatError({ ...error.toJSON(), extensions }, thrown));
      });
    }
    return { head: { status, headers }, errors };
  }
}

/** `formatError`, or a masked error if it throws, as Apollo Server does. */
function safely(format: () => GraphQLFormattedError): GraphQLFormattedError {
  try {
    return format();
  } catch {
    return { message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
  }
}

/** The operation's name in the document (null when it has none), as Apollo Server reports it. */
function operationNameOf(request: DirectRequest): string | null {
  return request.operation.name?.value ?? null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** One operation with a text, nothing Apollo Server reads besides (extensions: persisted queries). */
function isPlainBody(body: unknown): body is PlainBody {
  if (!isRecord(body) || typeof body.query !== "string") return false;
  const { operationName, variables, extensions } = body;
  if (operationName != null && typeof operationName !== "string") return false;
  if (variables != null && !isRecord(variables)) return false;
  return extensions === undefined || extensions === null;
}

/** `extensions.http` as Apollo Server obeys it: a numeric status and/or a Map of headers. */
function isHttpHead(value: unknown): value is { status?: number; headers?: Map<string, string> } {
  if (!value || typeof value !== "object") return false;
  const head = value as { status?: unknown; headers?: unknown };
  return (
    (!("status" in head) || typeof head.status === "number") &&
    (!("headers" in head) || head.headers instanceof Map)
  );
}

/** Media ranges that make Apollo Server answer `application/json; charset=utf-8`. */
const JSON_RANGES = new Set(["application/json", "*/*", "application/*"]);

/**
 * True when `accept` leaves Apollo Server no choice but `application/json`. A range with
 * parameters (`q=0`, a charset) is left to Apollo Server's negotiation.
 */
function acceptsJson(accept: string | undefined): boolean {
  if (accept === undefined || accept === "") return true;
  if (accept.includes(";")) return false;
  return accept.split(",").every((range) => JSON_RANGES.has(range.trim().toLowerCase()));
}
