/**
 * A graphql-ws operation checked against the gateway's API schema, and for a relayed
 * subscription its two derived documents: what to subscribe to at the owning subgraph
 * (the event's key only) and the client's operation rewritten as a query for one event.
 */
import {
  type ASTNode,
  astFromValue,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  type GraphQLField,
  GraphQLError,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  parseType,
  print,
  type SelectionNode,
  type SelectionSetNode,
  type VariableDefinitionNode,
  visit,
} from "graphql";
import type { OperationLimits } from "../../common/graphql/limits";
import { checkOperation, coerceVariables, isErrors, withCode } from "../../common/graphql/operation";
import type { RelayedField, RelayedFields } from "./fields";

/** A query or mutation: run through the gateway exactly as over HTTP. */
export interface ExecutedOperation {
  kind: "execute";
  document: DocumentNode;
  operation: OperationDefinitionNode;
}

/** A subscription on a relayed field. */
export interface RelayedOperation {
  kind: "relay";
  document: DocumentNode;
  operation: OperationDefinitionNode;
  field: RelayedField;
  fieldName: string;
  fieldDef: GraphQLField<unknown, unknown>;
  /** The client's field node: its arguments become the upstream subscription's. */
  fieldNode: FieldNode;
  /** The client's operation as a query on `field.eventQuery`, same alias, selection, fragments. */
  eventQuery: {
    query: string;
    operationName: string | undefined;
    /** The client's variables the query still uses (those only in the field's arguments are gone). */
    variableNames: readonly string[];
    /** Key field (`transferId`) -> the variable that carries it (`eventTransferId`). */
    keyVariables: Readonly<Record<string, string>>;
    /** The result's one root key: the client's alias, or the field name. */
    responseKey: string;
  };
}

/** An operation checked against the API schema: run as over HTTP, or relayed. */
export type PreparedOperation = ExecutedOperation | RelayedOperation;

/** A prepared operation with the client's variables bound. */
export type BoundOperation =
  | { kind: "execute"; variables: Record<string, unknown> }
  | {
      kind: "relay";
      /** The client's variables used by the event query (raw, as the client sent them). */
      variables: Record<string, unknown>;
      /** The subscription document for the owning subgraph, its arguments inlined. */
      upstreamQuery: string;
      /** False when the client asked for missed events (`after`, `afterSequence`): it gets its own upstream. */
      shareable: boolean;
      /**
       * With the field's cursor argument alone (`after`): where it starts, and the shared live
       * subscription it moves to once it has caught up (the same without the cursor).
       */
      resume?: { after: string; liveQuery: string };
    };

/** Documents longer than this are prepared every time rather than kept. */
const MAX_CACHED_QUERY_LENGTH = 16 * 1024;

/** Parses and validates once per schema, query and operation name: clients mostly repeat one document. */
export class OperationCache {
  private schema: GraphQLSchema | undefined;
  private readonly entries = new Map<string, PreparedOperation | readonly GraphQLError[]>();

  constructor(
    private readonly limits: OperationLimits,
    private readonly relayed: RelayedFields,
    private readonly maxEntries = 500,
  ) {}

  /** The operation prepared for `schema` (see {@link prepareOperation}), or why it is refused. */
  prepare(
    schema: GraphQLSchema,
    query: string,
    operationName: string | null | undefined,
  ): PreparedOperation | readonly GraphQLError[] {
    if (schema !== this.schema) {
      this.entries.clear();
      this.schema = schema;
    }
    const key = `${operationName ?? ""}\n${query}`;
    let prepared = this.entries.get(key);
    if (prepared) return prepared;
    prepared = prepareOperation(schema, query, operationName, this.limits, this.relayed);
    // Only documents worth repeating are kept: not refusals, not big ones (a caller could fill memory).
    if (Array.isArray(prepared) || query.length > MAX_CACHED_QUERY_LENGTH) return prepared;
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, prepared);
    return prepared;
  }
}

/**
 * Parses, validates (operation limits included, as over HTTP) and classifies an operation;
 * errors carry Apollo Server's codes. The limits that need variables (cost, variable depth) are
 * checked by dispatch when the operation is subscribed (a query or mutation over the socket meets
 * them once more inside Apollo Server's executeOperation). `relayed` names the subscription
 * fields the gateway relays, and where.
 */
export function prepareOperation(
  schema: GraphQLSchema,
  query: string,
  operationName: string | null | undefined,
  limits: OperationLimits,
  relayed: RelayedFields,
): PreparedOperation | readonly GraphQLError[] {
  const checked = checkOperation(schema, query, operationName, limits);
  if (isErrors(checked)) return checked;
  const { document, operation } = checked;
  if (operation.operation !== OperationTypeNode.SUBSCRIPTION) return { kind: "execute", document, operation };

  const fragments = new Map(
    document.definitions
      .filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION)
      .map((d) => [d.name.value, d]),
  );
  // Validation leaves one response key at the root, possibly spelled by several mergeable nodes.
  const fieldNodes = rootFields(operation.selectionSet, fragments);
  const fieldName = fieldNodes[0].name.value;
  const field = Object.hasOwn(relayed, fieldName) ? relayed[fieldName] : undefined;
  const fieldDef = schema.getSubscriptionType()?.getFields()[fieldName];
  const eventField = field && schema.getQueryType()?.getFields()[field.eventQuery];
  if (!field || !fieldDef || !eventField) {
    return [
      new GraphQLError(`The gateway does not relay the subscription field "${fieldName}"`, {
        extensions: { code: "GRAPHQL_VALIDATION_FAILED" },
      }),
    ];
  }
  return {
    kind: "relay",
    document,
    operation,
    field,
    fieldName,
    fieldDef,
    fieldNode: fieldNodes[0],
    eventQuery: eventQuery(operation, fieldNodes, fragments, eventField),
  };
}

/** Binds the client's variables: coerces them, and for a relayed subscription builds the upstream document. */
export function bindVariables(
  schema: GraphQLSchema,
  prepared: PreparedOperation,
  variables: Record<string, unknown> | null | undefined,
): BoundOperation | readonly GraphQLError[] {
  const raw = variables ?? {};
  const coerced = coerceVariables(schema, prepared.operation, raw);
  if (isErrors(coerced)) return coerced;
  if (prepared.kind === "execute") return { kind: "execute", variables: raw };

  let args: Record<string, unknown>;
  try {
    args = getArgumentValues(prepared.fieldDef, prepared.fieldNode, coerced.coerced);
  } catch (error) {
    return [withCode(error as GraphQLError, "BAD_USER_INPUT")];
  }
  const given = (name: string) => args[name] !== undefined && args[name] !== null;
  const { field, fieldName } = prepared;
  const upstream = (names: readonly string[]) => {
    const inlined = prepared.fieldDef.args
      .filter((arg) => names.includes(arg.name))
      .map((arg) => `${arg.name}: ${print(astFromValue(args[arg.name], arg.type)!)}`);
    const argumentList = inlined.length ? `(${inlined.join(", ")})` : "";
    const selection = field.cursor ? [...field.key, field.cursor.field] : field.key;
    return `subscription { ${fieldName}${argumentList} { ${selection.join(" ")}${UPSTREAM_END}`;
  };
  const named = prepared.fieldDef.args.map((arg) => arg.name).filter(given);
  const used = Object.fromEntries(
    prepared.eventQuery.variableNames.filter((name) => name in raw).map((name) => [name, raw[name]]),
  );
  const resumes = field.resumeArguments.filter(given);
  // A cursor that is not one (digits) goes to the subgraph as it is, which names the rule.
  const fromCursor =
    field.cursor &&
    resumes.length === 1 &&
    resumes[0] === field.cursor.argument &&
    /^\d{1,18}$/.test(String(args[field.cursor.argument]));
  return {
    kind: "relay",
    variables: used,
    upstreamQuery: upstream(named),
    shareable: resumes.length === 0,
    ...(fromCursor && {
      resume: {
        after: String(args[field.cursor!.argument]),
        liveQuery: upstream(named.filter((name) => name !== field.cursor!.argument)),
      },
    }),
  };
}

/** How an upstream document of {@link bindVariables} ends: after the event's key. */
const UPSTREAM_END = " } }";

/**
 * The upstream document `query` (of {@link bindVariables}) selecting `selection` too, with the
 * fragments it spreads: the event arrives with what the event query's first fetch would read.
 */
export function withSelection(query: string, selection: string, fragments: string): string {
  if (!query.endsWith(UPSTREAM_END)) throw new Error("not an upstream subscription document");
  return `${query.slice(0, -UPSTREAM_END.length)} ${selection}${UPSTREAM_END}${fragments ? `\n${fragments}` : ""}`;
}

/** The root fields of a selection set, through inline fragments and fragment spreads. */
function rootFields(
  selectionSet: SelectionSetNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): FieldNode[] {
  return selectionSet.selections.flatMap((selection): FieldNode[] => {
    if (selection.kind === Kind.FIELD) return [selection];
    if (selection.kind === Kind.INLINE_FRAGMENT) return rootFields(selection.selectionSet, fragments);
    const fragment = fragments.get(selection.name.value);
    return fragment ? rootFields(fragment.selectionSet, fragments) : [];
  });
}

/**
 * The operation as `query Name($clientVars..., $eventTransferId: ID!, $eventSequence: Int!) {
 * alias: transferStatusEvent(transferId: $eventTransferId, sequence: $eventSequence) { ...selection } }`,
 * keeping the fragments and variables the selection uses and dropping the rest (unused ones
 * would fail validation).
 */
function eventQuery(
  operation: OperationDefinitionNode,
  fieldNodes: readonly FieldNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  eventField: GraphQLField<unknown, unknown>,
): RelayedOperation["eventQuery"] {
  const { keyVariables, keyDefinitions } = eventKeyVariables(operation, eventField);
  const first = fieldNodes[0];
  const responseKey = first.alias?.value ?? first.name.value;
  const selection: SelectionNode = {
    kind: Kind.FIELD,
    alias: { kind: Kind.NAME, value: responseKey },
    name: { kind: Kind.NAME, value: eventField.name },
    arguments: eventField.args.map((arg) => ({
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: arg.name },
      value: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: keyVariables[arg.name] } },
    })),
    directives: first.directives,
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: fieldNodes.flatMap((node) => node.selectionSet?.selections ?? []),
    },
  };
  const selectionSet: SelectionSetNode = { kind: Kind.SELECTION_SET, selections: [selection] };
  const used = usedBy([selectionSet, ...(operation.directives ?? [])], fragments);
  const clientVariables = (operation.variableDefinitions ?? []).filter((d) =>
    used.variableNames.has(d.variable.name.value),
  );

  const document: DocumentNode = {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        kind: Kind.OPERATION_DEFINITION,
        operation: OperationTypeNode.QUERY,
        name: operation.name,
        directives: operation.directives,
        variableDefinitions: [...clientVariables, ...keyDefinitions],
        selectionSet,
      },
      ...used.fragments.values(),
    ],
  };
  return {
    query: print(document),
    operationName: operation.name?.value,
    variableNames: clientVariables.map((d) => d.variable.name.value),
    keyVariables,
    responseKey,
  };
}

/**
 * One variable per argument of the event field (`transferId` -> `$eventTransferId`), named
 * apart from the client's own variables.
 */
function eventKeyVariables(
  operation: OperationDefinitionNode,
  eventField: GraphQLField<unknown, unknown>,
): { keyVariables: Record<string, string>; keyDefinitions: VariableDefinitionNode[] } {
  const taken = new Set((operation.variableDefinitions ?? []).map((d) => d.variable.name.value));
  const keyVariables: Record<string, string> = {};
  const keyDefinitions: VariableDefinitionNode[] = eventField.args.map((arg) => {
    let name = `event${arg.name[0].toUpperCase()}${arg.name.slice(1)}`;
    while (taken.has(name)) name = `_${name}`;
    taken.add(name);
    keyVariables[arg.name] = name;
    return {
      kind: Kind.VARIABLE_DEFINITION,
      variable: { kind: Kind.VARIABLE, name: { kind: Kind.NAME, value: name } },
      type: parseType(String(arg.type)),
    };
  });
  return { keyVariables, keyDefinitions };
}

/** The fragments `nodes` spread (through each other) and the variables they use, in order of first use. */
function usedBy(
  nodes: readonly ASTNode[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): { fragments: Map<string, FragmentDefinitionNode>; variableNames: Set<string> } {
  const usedFragments = new Map<string, FragmentDefinitionNode>();
  const variableNames = new Set<string>();
  const collect = (node: ASTNode): void => {
    visit(node, {
      Variable: (variable) => void variableNames.add(variable.name.value),
      FragmentSpread: (spread) => {
        const fragment = fragments.get(spread.name.value);
        if (fragment && !usedFragments.has(fragment.name.value)) {
          usedFragments.set(fragment.name.value, fragment);
          collect(fragment);
        }
      },
    });
  };
  for (const node of nodes) collect(node);
  return { fragments: usedFragments, variableNames };
}
