/**
 * An event answered in part by its own upstream subscription (decision 0048). The event query's
 * plan starts with one fetch from the subgraph that owns the subscription field (the event and
 * the fields that subgraph resolves under it). The upstream subscription selects what that
 * fetch would have read, so each event arrives with it, and the event query takes it from there:
 * only the fetches to the other subgraphs go over the network. An event query whose first fetch
 * is not of that kind (another subgraph, variables of the client's, names that collide with the
 * event's key) keeps the key-only upstream and the whole query.
 *
 * The first fetch is learnt by planning, not by reading @apollo/gateway's planner: the event
 * query is run once through the gateway with a context that makes every subgraph call record
 * itself and answer null (nothing leaves the gateway; the gateway then has no entity to fetch
 * from the other subgraphs).
 */
import { randomUUID } from "node:crypto";
import {
  type DocumentNode,
  type FieldNode,
  type FormattedExecutionResult,
  type FragmentDefinitionNode,
  Kind,
  type OperationDefinitionNode,
  parse,
  print,
  type SelectionSetNode,
} from "graphql";
import { log } from "../../common/log";
import type { GatewayContext, RecordedFetch } from "../context";
import type { RelayedOperation } from "./operation";
import type { ExecuteOperation } from "./relay";
import type { Credential } from "./share";

/** The first fetch of an event query, and what the upstream subscription adds to answer it. */
export interface EventFetch {
  /** The subgraph it goes to: the one that serves the subscription field. */
  subgraph: string;
  /** Its operation as the gateway sends it: the fetch a prefetched answer stands for. */
  operation: string;
  /** The root field's selection, printed, for the upstream subscription's event. */
  selection: string;
  /** The fragments the selection spreads, printed. */
  fragments: string;
}

/** Plans each relayed operation's event fetch once (per operation object, so per schema). */
export class EventFetchPlanner {
  private readonly plans = new WeakMap<RelayedOperation, Promise<EventFetch | undefined>>();

  constructor(private readonly execute: ExecuteOperation) {}

  /**
   * The event fetch of `operation` with the client's `variables`, planned with `credential`
   * (the first subscriber's); undefined when it cannot be answered upstream. Never rejects.
   */
  plan(
    operation: RelayedOperation,
    variables: Record<string, unknown>,
    credential: Credential,
  ): Promise<EventFetch | undefined> {
    let planned = this.plans.get(operation);
    if (!planned) {
      planned = this.learn(operation, variables, credential).catch((error: unknown) => {
        log.warn({ err: error }, "an event query could not be planned; its events are queried whole");
        return undefined;
      });
      this.plans.set(operation, planned);
    }
    return planned;
  }

  private async learn(
    operation: RelayedOperation,
    variables: Record<string, unknown>,
    { caller, token }: Credential,
  ): Promise<EventFetch | undefined> {
    const { query, operationName } = operation.eventQuery;
    const fetches: RecordedFetch[] = [];
    const context: GatewayContext = {
      caller,
      authorization: `Bearer ${token}`,
      requestId: randomUUID(),
      planning: (fetch) => void fetches.push(fetch),
    };
    await this.execute(
      { query, operationName, variables: { ...variables, ...placeholders(operation) } },
      context,
    );
    return eventFetchOf(operation, fetches);
  }
}

/** A value of the right type for each key variable (they are never sent): 0 for an `Int`, else a uuid. */
function placeholders({ eventQuery }: RelayedOperation): Record<string, unknown> {
  const keyVariables = new Set(Object.values(eventQuery.keyVariables));
  const definition = parse(eventQuery.query).definitions.find(
    (d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION,
  );
  return Object.fromEntries(
    (definition?.variableDefinitions ?? [])
      .filter((d) => keyVariables.has(d.variable.name.value))
      .map((d) => [d.variable.name.value, /^Int!?$/.test(print(d.type)) ? 0 : PLACEHOLDER_ID]),
  );
}

const PLACEHOLDER_ID = "00000000-0000-4000-8000-000000000000";

/** The event fetch among the fetches planning recorded, when it can be answered upstream. */
export function eventFetchOf(
  operation: RelayedOperation,
  fetches: readonly RecordedFetch[],
): EventFetch | undefined {
  if (fetches.length !== 1 || fetches[0].subgraph !== operation.field.subgraph) return undefined;
  const [fetch] = fetches;
  let document: DocumentNode;
  try {
    document = parse(fetch.query);
  } catch {
    return undefined;
  }
  const [definition, ...rest] = document.definitions;
  const fragments = rest.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION);
  if (definition?.kind !== Kind.OPERATION_DEFINITION || fragments.length !== rest.length) return undefined;
  const root = eventField(operation, definition);
  if (!root?.selectionSet) return undefined;
  const reserved = operation.field.cursor
    ? [...operation.field.key, operation.field.cursor.field]
    : operation.field.key;
  if (collides(root.selectionSet, reserved, new Map(fragments.map((f) => [f.name.value, f]))))
    return undefined;
  return {
    subgraph: fetch.subgraph,
    operation: fetch.query,
    // The key and cursor fields are the upstream document's own already.
    selection: root.selectionSet.selections
      .filter((selection) => selection.kind !== Kind.FIELD || !isPlainField(selection, reserved))
      .map((selection) => print(selection))
      .join(" "),
    fragments: fragments.map((fragment) => print(fragment)).join("\n"),
  };
}

/**
 * The fetch's one root field when it is the event query's field as the relay wrote it: the
 * client's response key, the key variables as its only arguments and only variables, no
 * directives.
 */
function eventField(operation: RelayedOperation, definition: OperationDefinitionNode): FieldNode | undefined {
  const { eventQuery, field } = operation;
  const keyVariables = new Set(Object.values(eventQuery.keyVariables));
  const variables = (definition.variableDefinitions ?? []).map((d) => d.variable.name.value);
  const [root, ...others] = definition.selectionSet.selections;
  if (others.length || root?.kind !== Kind.FIELD || definition.directives?.length) return undefined;
  if ((root.alias?.value ?? root.name.value) !== eventQuery.responseKey) return undefined;
  if (root.name.value !== field.eventQuery || root.directives?.length) return undefined;
  const argumentsAreKeys = (root.arguments ?? []).every(
    (argument) => argument.value.kind === Kind.VARIABLE && keyVariables.has(argument.value.name.value),
  );
  return argumentsAreKeys && variables.every((name) => keyVariables.has(name)) ? root : undefined;
}

/**
 * True when a field of the selection's top level answers under one of the event's key or cursor
 * names without being that plain field: the upstream subscription selects those fields itself.
 */
function collides(
  selectionSet: SelectionSetNode,
  reserved: readonly string[],
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
): boolean {
  return selectionSet.selections.some((selection) => {
    if (selection.kind === Kind.INLINE_FRAGMENT) return collides(selection.selectionSet, reserved, fragments);
    if (selection.kind === Kind.FRAGMENT_SPREAD) {
      const fragment = fragments.get(selection.name.value);
      return !fragment || collides(fragment.selectionSet, reserved, fragments);
    }
    const responseKey = selection.alias?.value ?? selection.name.value;
    return reserved.includes(responseKey) && !isPlainField(selection, reserved);
  });
}

/** A field that is one of `names`, unaliased, without arguments, directives or selection. */
function isPlainField(field: FieldNode, names: readonly string[]): boolean {
  return (
    names.includes(field.name.value) &&
    !field.alias &&
    !field.arguments?.length &&
    !field.directives?.length &&
    !field.selectionSet
  );
}

/** The fields of an event its subgraph could not resolve, as the subgraph sent them along (`extensions.event`). */
export function eventOfFailure(payload: FormattedExecutionResult): Record<string, unknown> | undefined {
  const event = payload.extensions?.event;
  return event && typeof event === "object" ? (event as Record<string, unknown>) : undefined;
}

/**
 * The answer to `eventFetch` that an event's own fields give: a copy each time it is asked for
 * (each try of the event query), since the gateway merges the other subgraphs' answers into it.
 */
export function prefetchOf(
  eventFetch: EventFetch,
  responseKey: string,
  event: Record<string, unknown>,
): () => NonNullable<GatewayContext["prefetched"]> {
  return () => ({
    subgraph: eventFetch.subgraph,
    operation: eventFetch.operation,
    answer: { data: { [responseKey]: structuredClone(event) } },
  });
}
