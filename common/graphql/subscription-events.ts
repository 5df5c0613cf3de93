/**
 * How a subgraph runs each event of a subscription (its graphql-ws endpoint's `subscribe`):
 * graphql-js's own steps, with two differences.
 * - Each event is resolved with a request context of its own, so what the event's fields read
 *   (DataLoaders' caches) is read for that event, never kept from an earlier one or from the
 *   moment the subscription began, and nothing accumulates while the subscription lasts.
 * - An event whose resolution failed at its root (`data: null`, with errors) carries its own
 *   scalar fields in `extensions.event`, so the gateway still knows which event it was and
 *   queries it whole (decision 0048). The gateway never passes extensions on to clients.
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
    return { ...result, extensions: { ...result.extensions, event: scalarsOf(payload) } };
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

/** The string, number and boolean properties of an event's root value: its key among them. */
function scalarsOf(payload: unknown): Record<string, unknown> {
  if (payload === null || typeof payload !== "object") return {};
  return Object.fromEntries(
    Object.entries(payload).filter(([, value]) => ["string", "number", "boolean"].includes(typeof value)),
  );
}
