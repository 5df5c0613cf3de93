/**
 * One operation on an admitted socket, from graphql-ws's `onSubscribe` to its start: the limit
 * per connection, the document prepared and checked (operation limits included, with the
 * caller's variables), a slot of the caller's, then a subscription relayed or a query or
 * mutation run through the gateway exactly as over HTTP.
 */
import { randomUUID } from "node:crypto";
import type {
  ExecutionArgs,
  FormattedExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
} from "graphql";
import type { ServerOptions, SubscribePayload } from "graphql-ws";
import type { Extra } from "graphql-ws/use/ws";
import type { WebSocket } from "ws";
import type { Config } from "../../common/config";
import { formatError, toGraphQLError } from "../../common/graphql/errors";
import type { OperationLimits } from "../../common/graphql/limits";
import { isErrors } from "../../common/graphql/operation";
import type { ConnectionContext, ConnectionParams, ConnectionRegistry, Identity } from "./connections";
import { refusedOperation, SubscriptionFailure } from "./errors";
import type { RelayedFields } from "./fields";
import type { CallerLimits, FullCount, Release } from "./limits";
import { type BoundOperation, bindVariables, OperationCache, type PreparedOperation } from "./operation";
import type { ExecuteOperation, SubscriptionRelay } from "./relay";
import type { DirectSend } from "./subscriber";

/** What dispatch works with: the sockets, the limits, the schema, and where operations run. */
export interface DispatchOptions {
  /** Who a socket is, where an operation's slot is held, and whether the gateway is stopping. */
  connections: Pick<ConnectionRegistry, "identity" | "hold" | "stopping">;
  /** Operations per connection (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION) and per caller (for the message). */
  limits: Pick<Config["subscriptions"], "maxPerConnection" | "maxPerCaller">;
  /** Counts the operations of each caller (shared with the registry, which counts sockets). */
  callers: Pick<CallerLimits, "operate">;
  /** The gateway's operation limits, which subscription documents meet too. */
  operationLimits: OperationLimits;
  /** The gateway's current API schema. */
  schema(): GraphQLSchema;
  /** The subscription fields relayed, and the subgraph of each (read from the supergraph). */
  relayedFields: RelayedFields;
  /** Runs a query or mutation through the gateway, as over HTTP (the relay's event queries too). */
  execute: ExecuteOperation;
  /** Where subscriptions go. */
  relay: Pick<SubscriptionRelay, "subscribe">;
}

/** The graphql-ws server hooks dispatch answers for. */
export type DispatchHooks = Required<
  Pick<ServerOptions<ConnectionParams, Extra>, "onSubscribe" | "execute" | "subscribe" | "onNext" | "onError">
>;

/** What onSubscribe hands to graphql-ws's `execute`/`subscribe`: the operation, ready to start. */
interface PreparedStart {
  start(): Promise<FormattedExecutionResult> | AsyncIterableIterator<FormattedExecutionResult>;
}

/** An operation that passed every check, with the client's variables bound. */
interface Checked {
  prepared: PreparedOperation;
  bound: BoundOperation;
}

/**
 * graphql-ws's hooks for operations: `onSubscribe` checks and prepares, `execute` and
 * `subscribe` start what it prepared, `onNext` and `onError` pass on results and errors as
 * already formatted.
 */
export function dispatchOperations(options: DispatchOptions): DispatchHooks {
  const dispatcher = new Dispatcher(options);
  return {
    onSubscribe: (context, id, payload) => dispatcher.onSubscribe(context, id, payload),
    execute: startPrepared,
    subscribe: startPrepared,
    // Results are already formatted (by Apollo Server, or by the relay for subgraph errors).
    onNext: (_context, _id, _payload, _args, result) => result as FormattedExecutionResult,
    onError: (_context, _id, _payload, errors) => errors.flatMap(formatted),
  };
}

class Dispatcher {
  private readonly operations: OperationCache;

  constructor(private readonly options: DispatchOptions) {
    this.operations = new OperationCache(options.operationLimits, options.relayedFields);
  }

  onSubscribe(
    context: ConnectionContext,
    id: string,
    payload: SubscribePayload,
  ): ExecutionArgs | readonly GraphQLError[] {
    const { socket } = context.extra;
    const identity = this.options.connections.identity(socket);
    if (!identity) return [refusedOperation("UNAUTHENTICATED", "The connection is not initialised")];
    const refusal = this.refusal(context);
    if (refusal) return [refusal];
    const schema = this.options.schema();
    const checked = this.check(schema, payload, identity);
    if (isErrors(checked)) return checked;
    // Taken last, when nothing else refuses: held until the operation ends or the socket closes.
    const slot = this.options.callers.operate(identity.caller);
    if (typeof slot !== "function") return [tooManyForCaller(slot.full, this.options.limits.maxPerCaller)];
    const ended = this.options.connections.hold(socket, slot);
    const start: PreparedStart = {
      start: () => this.start(checked, payload, identity, directSend(socket, id), ended),
    };
    return {
      schema,
      document: checked.prepared.document,
      operationName: payload.operationName,
      variableValues: payload.variables,
      contextValue: start,
    };
  }

  /** Why no operation may start on this socket now: the gateway is stopping, or the socket is full. */
  private refusal(context: ConnectionContext): GraphQLError | undefined {
    if (this.options.connections.stopping) {
      return refusedOperation(
        "SUBSCRIPTION_INTERRUPTED",
        "The gateway is stopping; subscribe again in a moment",
      );
    }
    const { maxPerConnection } = this.options.limits;
    // The reservation of this very operation is already counted.
    if (Object.keys(context.subscriptions).length > maxPerConnection) {
      return refusedOperation(
        "TOO_MANY_SUBSCRIPTIONS",
        `This connection already holds ${maxPerConnection} operations, the limit per connection (WS_MAX_SUBSCRIPTIONS_PER_CONNECTION); complete one or open another connection`,
      );
    }
    return undefined;
  }

  /** Prepares the document (cached), binds the variables and applies the limits that need them and the caller. */
  private check(
    schema: GraphQLSchema,
    payload: SubscribePayload,
    { caller }: Identity,
  ): Checked | readonly GraphQLError[] {
    const prepared = this.operations.prepare(schema, payload.query, payload.operationName);
    if (isErrors(prepared)) return prepared;
    const bound = bindVariables(schema, prepared, payload.variables);
    if (isErrors(bound)) return bound;
    // Cost and variable depth at subscribe time, so an operation over its budget is refused
    // once, not with every event.
    const refusal = this.options.operationLimits.check({
      schema,
      document: prepared.document,
      operationName: payload.operationName,
      variables: payload.variables,
      extensions: payload.extensions,
      caller,
    });
    if (refusal) return [toGraphQLError(refusal)];
    return { prepared, bound };
  }

  /** Relays a subscription, or runs a query or mutation; `ended` gives the caller's slot back either way. */
  private start(
    { prepared, bound }: Checked,
    payload: SubscribePayload,
    { caller, token, expiresAt }: Identity,
    direct: DirectSend,
    ended: Release,
  ): Promise<FormattedExecutionResult> | AsyncIterableIterator<FormattedExecutionResult> {
    if (bound.kind === "relay" && prepared.kind === "relay") {
      return this.options.relay.subscribe({
        caller,
        token,
        expiresAt,
        operation: prepared,
        bound,
        direct,
        ended,
      });
    }
    return this.options
      .execute(
        {
          query: payload.query,
          operationName: payload.operationName ?? undefined,
          variables: bound.variables,
        },
        { caller, authorization: `Bearer ${token}`, requestId: randomUUID() },
      )
      .finally(ended);
  }
}

/** graphql-ws's `execute` and `subscribe`: both start what onSubscribe prepared. */
function startPrepared(args: ExecutionArgs): never {
  return (args.contextValue as PreparedStart).start() as never;
}

/** TOO_MANY_SUBSCRIPTIONS for a caller whose operations on this gateway already reach the limit. */
function tooManyForCaller(full: FullCount, max: number): GraphQLError {
  const who =
    full === "caller"
      ? "This caller (its token's subject) already holds"
      : "This client's front-office callers already hold";
  return refusedOperation(
    "TOO_MANY_SUBSCRIPTIONS",
    `${who} ${max} operations on this gateway, the limit per caller (WS_MAX_SUBSCRIPTIONS_PER_CALLER); complete one first`,
  );
}

/** An operation's error as the client sees it: a relay failure carries its errors, others go through formatError. */
function formatted(error: GraphQLError): readonly GraphQLFormattedError[] {
  if (error.originalError instanceof SubscriptionFailure) return error.originalError.errors;
  return [formatError(error.toJSON(), error)];
}

/**
 * A graphql-ws `next` message for subscription `id`, written with the result as it was
 * serialised once; counts this subscription's messages the socket has not yet handed on.
 */
function directSend(socket: WebSocket, id: string): DirectSend {
  let unsentResults = 0;
  const written = () => void unsentResults--;
  return (serializedResult) => {
    if (socket.readyState !== socket.OPEN) return { sent: false, bufferedBytes: 0, unsentResults };
    unsentResults++;
    socket.send(nextMessage(id, serializedResult), TEXT_FRAME, written);
    return { sent: true, bufferedBytes: socket.bufferedAmount, unsentResults };
  };
}

/** A Buffer is sent as binary unless told: graphql-ws messages are text. */
const TEXT_FRAME = { binary: false } as const;
/** Messages kept per result: one per subscription id its subscribers use (clients mostly use a few). */
const MAX_MESSAGES_PER_RESULT = 64;
/** The `next` messages of the result being fanned out, by subscription id. */
const messages = { of: "", byId: new Map<string, Buffer>() };

/**
 * The `next` message of `serializedResult` for subscription `id`, encoded once for every
 * subscriber of the stream that uses the same id: the fan-out writes the same bytes to each
 * socket (ws neither copies nor changes a Buffer it sends unmasked, as a server does).
 */
function nextMessage(id: string, serializedResult: string): Buffer {
  if (serializedResult !== messages.of) {
    messages.of = serializedResult;
    messages.byId.clear();
  }
  let message = messages.byId.get(id);
  if (!message) {
    message = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":${serializedResult}}`);
    if (messages.byId.size < MAX_MESSAGES_PER_RESULT) messages.byId.set(id, message);
  }
  return message;
}
