/**
 * Operation limits (DESIGN.md section 9, README "Limits"): what one GraphQL request may ask
 * for, so that no single request can stall a service. The rules come from well-kept libraries:
 * - tokens: graphql-js's own parser (`parseOptions.maxTokens`) stops reading past the limit;
 * - depth, aliases, directives: the graphql-armor validation rules;
 * - cost: graphql-query-complexity with the list-counting model of common/graphql/cost.ts;
 * plus one check of our own that no library offers: how deeply variables and `extensions` nest
 * (common/graphql/variable-depth.ts), counted before anything serialises them.
 *
 * The gateway (HTTP, the REST shim, graphql-ws) and the subgraphs (HTTP, graphql-ws) use the
 * same rules; subgraphs allow headroom for what the gateway's query plans add. A refusal is
 * `OPERATION_LIMIT_EXCEEDED` with `{limit, max, actual}`.
 */
import type { ApolloServerPlugin, GraphQLRequestListener } from "@apollo/server";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import {
  type DocumentNode,
  getEnterLeaveForKind,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  parse,
  type ParseOptions,
  specifiedRules,
  TypeInfo,
  validate,
  ValidationContext,
  type ValidationRule,
} from "graphql";
import type { Caller } from "../auth/caller";
import type { OperationLimitsConfig } from "../config";
import { AppError } from "../errors";
import type { CostedRequest } from "./cost";
import { OperationCosts } from "./operation-costs";
import { tooDeep } from "./variable-depth";

export { nestingDepth } from "./variable-depth";

/** The limit a refusal names in `extensions.limit`. */
export type LimitName = "depth" | "aliases" | "tokens" | "directives" | "cost" | "variableDepth";

/**
 * Subgraphs check what reaches them with the gateway's limits times this, for counts (aliases,
 * directives, tokens, cost): a query plan adds key fields and `__typename`, spells fragments out
 * and sizes an entity fetch by what earlier fetches found (a list costed at its default size at
 * the gateway may hold more), so a fetch for an allowed operation can count more than the
 * operation did. Depths are not multiplied: an `_entities` fetch replaces at least one level of
 * the operation's path by its own one.
 */
export const SUBGRAPH_HEADROOM = 4;

/** The limits subgraphs apply: the gateway's, with {@link SUBGRAPH_HEADROOM} for counts. */
export function subgraphLimits(limits: OperationLimitsConfig): OperationLimitsConfig {
  return {
    ...limits,
    maxAliases: limits.maxAliases * SUBGRAPH_HEADROOM,
    maxDirectives: limits.maxDirectives * SUBGRAPH_HEADROOM,
    maxTokens: limits.maxTokens * SUBGRAPH_HEADROOM,
    maxCost: limits.maxCost * SUBGRAPH_HEADROOM,
    maxCostSystem: limits.maxCostSystem * SUBGRAPH_HEADROOM,
  };
}

/** What a refused caller is told: what was found, the limit, and what to do instead. */
const MESSAGES: Record<LimitName, (found: string, max: number) => string> = {
  depth: (found, max) =>
    `The operation nests fields ${found} levels deep; the limit is ${max}: nest fewer fields`,
  aliases: (found, max) =>
    `The operation has ${found} aliases; the limit is ${max}: use fewer aliases, or split the operation`,
  tokens: (found, max) => `The document has ${found} tokens; the limit is ${max}: send a shorter document`,
  directives: (found, max) =>
    `The operation has ${found} directives; the limit is ${max}: use fewer directives`,
  cost: (found, max) =>
    `The operation may return ${found} objects (list sizes counted); the limit is ${max}: ask for smaller pages (first), fewer nested lists, or split the operation`,
  variableDepth: (found, max) =>
    `A variable or extension value nests ${found} levels deep; the limit is ${max}: send flatter values`,
};

/** The refusal for one limit; `actual` is null when it could not be counted to the end. */
export function limitExceeded(limit: LimitName, max: number, actual: number | null): AppError {
  const found = actual === null ? `more than ${max}` : String(actual);
  return new AppError("OPERATION_LIMIT_EXCEEDED", MESSAGES[limit](found, max), { limit, max, actual });
}

/** A refusal as a GraphQL error of a whole request: HTTP 400, the AppError behind it (formatError shows its code). */
function requestError(refusal: AppError): GraphQLError {
  return new GraphQLError(refusal.message, {
    originalError: refusal,
    extensions: { code: refusal.code, http: { status: 400 } },
  });
}

// graphql-js 16's parser past `maxTokens` (its spelling): "Syntax Error: Document contains more that 5000 tokens. Parsing aborted."
const TOO_MANY_TOKENS = /^Syntax Error: Document contains more tha[nt] (\d+) tokens\. Parsing aborted\.$/;

/**
 * The token refusal behind a parse error of graphql-js (Apollo Server reports it as
 * GRAPHQL_PARSE_FAILED); undefined for any other error. The parser stops at the limit, so
 * `actual` is null: the rest was never read.
 */
export function tokenLimitOf(error: unknown): AppError | undefined {
  const message = error instanceof Error ? error.message : undefined;
  const max = message ? TOO_MANY_TOKENS.exec(message)?.[1] : undefined;
  return max === undefined ? undefined : limitExceeded("tokens", Number(max), null);
}

// Apollo Server's own pattern (ApolloServerPluginDisableSuggestions), for the validation we run ourselves.
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/** Characters of query text {@link OperationLimits.refuseEarly} remembers (a text longer than a sixteenth is not kept). */
const EARLY_CACHE_CHARS = 4 * 1024 * 1024;

/** A request as the limits see it: what Apollo Server or graphql-ws resolved. */
export interface LimitedRequest extends CostedRequest {
  extensions?: Record<string, unknown> | null;
  /** Picks the cost budget: system callers get `maxCostSystem`. */
  caller?: Caller;
}

/** The limits of one service (the gateway, or a subgraph with {@link subgraphLimits}). */
export class OperationLimits {
  /** For Apollo Server's `parseOptions` (and graphql-ws's own parse). */
  readonly parseOptions: ParseOptions;
  /** For Apollo Server's `validationRules`: depth, aliases, directives. */
  readonly validationRules: readonly ValidationRule[];

  private readonly costs = new OperationCosts();
  /** Query texts {@link refuseEarly} found within the limits, and their length in all. */
  private readonly withinLimits = new Set<string>();
  private withinLimitsChars = 0;

  constructor(
    private readonly limits: OperationLimitsConfig,
    /** Strip "Did you mean ..." from validation errors (config `hideSchemaDetails`). */
    private readonly hideSuggestions: boolean,
  ) {
    this.parseOptions = limits.enabled ? { maxTokens: limits.maxTokens } : {};
    this.validationRules = limits.enabled
      ? [
          maxDepthRule({
            n: limits.maxDepth,
            flattenFragments: true,
            exposeLimits: true,
            propagateOnRejection: false,
            onReject: [refuseIn("depth", limits.maxDepth)],
          }),
          maxAliasesRule({
            n: limits.maxAliases,
            exposeLimits: true,
            propagateOnRejection: false,
            onReject: [refuseIn("aliases", limits.maxAliases)],
          }),
          maxDirectivesRule({
            n: limits.maxDirectives,
            exposeLimits: true,
            propagateOnRejection: false,
            onReject: [refuseIn("directives", limits.maxDirectives)],
          }),
        ]
      : [];
  }

  /**
   * The limits that need the request's values: the nesting of variables and extensions (first,
   * before anything serialises them), then the cost. Undefined when the request is within them.
   * Variables the operation cannot take are left to execution, which refuses them with its own
   * error (BAD_USER_INPUT).
   */
  check(request: LimitedRequest): AppError | undefined {
    const { limits } = this;
    if (!limits.enabled) return undefined;
    const deep = tooDeep(request.variables, request.extensions, limits.maxVariableDepth);
    if (deep) {
      // Named, as input errors name their field: which variable (or extension) nests too deeply.
      const { field, nested } = deep;
      const refusal = limitExceeded("variableDepth", limits.maxVariableDepth, nested);
      return new AppError(refusal.code, `${field}: ${refusal.message}`, { ...refusal.details, field });
    }
    const max = request.caller?.kind === "system" ? limits.maxCostSystem : limits.maxCost;
    const cost = this.costs.exceeding(request, max);
    return cost === undefined ? undefined : limitExceeded("cost", max, cost);
  }

  /**
   * Apollo Server's part: {@link check} once the operation is resolved, before it runs. With
   * suggestions hidden it also strips them from errors found while running (a variable's enum
   * value), which Apollo Server's own option leaves alone: it covers validation errors only.
   */
  plugin<TContext extends { caller: Caller }>(): ApolloServerPlugin<TContext> {
    const listener: GraphQLRequestListener<TContext> = {
      didResolveOperation: async ({ schema, document, operationName, request, contextValue }) => {
        const refusal = this.check({
          schema,
          document,
          operationName,
          variables: request.variables,
          extensions: request.extensions,
          caller: contextValue.caller,
        });
        if (refusal) throw requestError(refusal);
      },
    };
    if (this.hideSuggestions) {
      listener.didEncounterErrors = async ({ errors }) => this.hideSuggestionsIn(errors);
    }
    return { requestDidStart: async () => listener };
  }

  /** With suggestions hidden, strips "Did you mean ..." from errors found while running. */
  hideSuggestionsIn(errors: readonly GraphQLError[]): void {
    if (!this.hideSuggestions) return;
    for (const error of errors) error.message = error.message.replace(SUGGESTION, "");
  }

  /**
   * Parses and validates a document as Apollo Server does with these limits, for servers that
   * do it themselves (graphql-ws): the document, or its errors coded GRAPHQL_PARSE_FAILED or
   * GRAPHQL_VALIDATION_FAILED (a refusal by a limit carries its AppError, which formatError shows).
   */
  parseAndValidate(
    schema: GraphQLSchema,
    source: string,
  ): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
    const checked = this.parseWithinLimits(schema, source);
    if ("errors" in checked) return checked;
    const errors = validate(schema, checked.document, specifiedRules);
    return errors.length === 0 ? checked : { errors: errors.map((error) => this.validationFailed(error)) };
  }

  /**
   * The refusals a document's text alone earns (tokens, then depth, aliases and directives),
   * found before Apollo Server parses and validates the request. graphql-js validates with every
   * rule in one walk, so left to Apollo Server a 200-alias bomb costs a whole validation (tens
   * of ms of CPU) before the alias rule's refusal is read; here it costs a parse and the three
   * rules. Texts found within the limits are remembered, so a text seen before costs a lookup.
   * Undefined when the request is within them, has no query text (a persisted query's hash) or
   * does not parse: Apollo Server answers those as before.
   */
  refuseEarly(schema: GraphQLSchema, body: unknown): readonly GraphQLError[] | undefined {
    if (!this.limits.enabled) return undefined;
    const query = (body as { query?: unknown } | null)?.query;
    if (typeof query !== "string" || this.withinLimits.has(query)) return undefined;
    const checked = this.parseWithinLimits(schema, query);
    if ("document" in checked) {
      if (query.length <= EARLY_CACHE_CHARS / 16) {
        if (this.withinLimitsChars + query.length > EARLY_CACHE_CHARS) this.forgetWithinLimits();
        this.withinLimits.add(query);
        this.withinLimitsChars += query.length;
      }
      return undefined;
    }
    const refusals = checked.errors.filter((error) => error.originalError instanceof AppError);
    return refusals.length > 0 ? refusals : undefined;
  }

  private forgetWithinLimits(): void {
    this.withinLimits.clear();
    this.withinLimitsChars = 0;
  }

  /** Parses within the token limit, then applies {@link validationRules} alone. */
  private parseWithinLimits(
    schema: GraphQLSchema,
    source: string,
  ): { document: DocumentNode } | { errors: readonly GraphQLError[] } {
    let document: DocumentNode;
    try {
      document = parse(source, this.parseOptions);
    } catch (error) {
      const refusal = tokenLimitOf(error);
      if (refusal) return { errors: [requestError(refusal)] };
      const syntax = error as GraphQLError;
      const failed = new GraphQLError(syntax.message, {
        source: syntax.source,
        positions: syntax.positions,
        extensions: { code: "GRAPHQL_PARSE_FAILED" },
      });
      return { errors: [failed] };
    }
    const refusals = applyOperationRules(schema, document, this.validationRules);
    return refusals.length === 0
      ? { document }
      : { errors: refusals.map((error) => this.validationFailed(error)) };
  }

  /** A validation error coded GRAPHQL_VALIDATION_FAILED, as Apollo Server codes its own. */
  private validationFailed(error: GraphQLError): GraphQLError {
    return new GraphQLError(this.hideSuggestions ? error.message.replace(SUGGESTION, "") : error.message, {
      nodes: error.nodes,
      originalError: error.originalError,
      extensions: { ...error.extensions, code: "GRAPHQL_VALIDATION_FAILED" },
    });
  }
}

/**
 * `rules` over `document`'s operations. graphql-js's `validate` walks every node with its
 * TypeInfo, whose type checks are most of what a validation costs; the graphql-armor rules read
 * no type and visit only operation definitions (each counts its operation itself, following
 * fragment spreads), so here they are entered for each operation and nothing else is walked.
 */
function applyOperationRules(
  schema: GraphQLSchema,
  document: DocumentNode,
  rules: readonly ValidationRule[],
): GraphQLError[] {
  const errors: GraphQLError[] = [];
  if (rules.length === 0) return errors;
  const context = new ValidationContext(schema, document, new TypeInfo(schema), (error) =>
    errors.push(error),
  );
  const visitors = rules.map((rule) => rule(context));
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const visitor of visitors) {
      getEnterLeaveForKind(visitor, Kind.OPERATION_DEFINITION).enter?.call(
        visitor,
        definition,
        0,
        document,
        [],
        [],
      );
    }
  }
  return errors;
}

/** A graphql-armor rule's rejection as our refusal, reported like any validation error. */
function refuseIn(limit: LimitName, max: number) {
  return (context: ValidationContext | null, error: GraphQLError) => {
    // With `exposeLimits`, armor's message ends "... limit of N exceeded, found M."
    const found = /found (\d+)\.$/.exec(error.message)?.[1];
    const refusal = limitExceeded(limit, max, found === undefined ? null : Number(found));
    context?.reportError(new GraphQLError(refusal.message, { originalError: refusal }));
  };
}
