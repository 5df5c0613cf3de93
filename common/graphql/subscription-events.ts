/**
 * How a subgraph runs each event of a subscription (its graphql-ws endpoint's `subscribe`):
 * graphql-js's own steps, with two differences.
 * - Each event is resolved with a request context of its own, so what the event's fields read
 *   (DataLoaders' caches) is read for that event, never kept from an earlier one or from the
 *   moment the subscription began, and nothing accumulates while the subscription lasts.
 * - An event whose resolution failed at its root (`data: null`, with errors) carries its key in
 *   `extensions.event` ({@link EVENT_KEY_FIELDS}, nothing else of it), so the gateway still
 *   knows which event it was and queries it whole (decision 0048). The gateway never passes
 *   extensions on to clients.
 */
import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from "graphql";

/** `subscribe` for graphql-ws: `freshContext` makes the context each event is resolved with. */
export async function subscribeEventByEvent(
  args: ExecutionArgs,
  freshContext: (subscriptionContext: unknown) => unknown,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!isAsyncIterable(stream)) return stream; // the subscription was refused: its errors
  const source = stream[Symbol.asyncIterator]();
  const resolve = async (payload: unknown): Promise<ExecutionResult> => {
    const result = await execute({
      ...args,
      rootValue: payload,
      contextValue: freshContext(args.contextValue),
    });
    if (result.data != null || !result.errors?.length) return result;
    return { ...result, extensions: { ...result.extensions, event: keyOf(payload) } };
  };
  // By hand rather than an async generator: `return` must reach the source at once, even while
  // it waits for its next event (an async generator would queue it behind that wait).
  const events: AsyncIterableIterator<ExecutionResult> = {
    next: async () => {
      const step = await source.next();
      return step.done ? step : { done: false, value: await resolve(step.value) };
    },
    return: async () => {
      await source.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error: unknown) => {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]: () => events,
  };
  return events;
}

function isAsyncIterable(value: object): value is AsyncIterable<unknown> {
  return Symbol.asyncIterator in value;
}

/**
 * The fields that identify an event of any subscription the gateway relays: the keys and cursors
 * of gateway/subscriptions/fields.ts (a unit test holds the two together).
 */
export const EVENT_KEY_FIELDS = ["transferId", "accountId", "sequence", "position"] as const;

/** The key fields an event's root value has. */
function keyOf(payload: unknown): Record<string, unknown> {
  if (payload === null || typeof payload !== "object") return {};
  const event = payload as Record<string, unknown>;
  return Object.fromEntries(
    EVENT_KEY_FIELDS.filter((name) => name in event).map((name) => [name, event[name]]),
  );
}
