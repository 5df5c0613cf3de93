/**
 * A push-based async iterator: producers `push`, one consumer iterates. `return()` (a
 * subscription completed or its socket gone) runs `onClose` once, so listeners are removed;
 * `fail()` ends it with an error after what is already queued.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  private readonly items: T[] = [];
  private readonly waiting: Array<{
    resolve: (result: IteratorResult<T>) => void;
    reject: (error: unknown) => void;
  }> = [];
  private closed = false;
  private failure: { error: unknown } | undefined;

  constructor(private readonly onClose: () => void = () => undefined) {}

  /** Whether it has ended (returned or failed): a producer that has not started may stay away. */
  get ended(): boolean {
    return this.closed;
  }

  push(item: T): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next.resolve({ value: item, done: false });
    else this.items.push(item);
  }

  fail(error: unknown): void {
    if (this.closed) return;
    this.failure = { error };
    for (const next of this.waiting.splice(0)) next.reject(error);
    this.finish();
  }

  next(): Promise<IteratorResult<T>> {
    if (this.items.length) return Promise.resolve({ value: this.items.shift()!, done: false });
    if (this.failure) {
      const { error } = this.failure;
      this.failure = undefined;
      return Promise.reject(error);
    }
    if (this.closed) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  return(): Promise<IteratorResult<T>> {
    this.items.length = 0;
    this.finish();
    for (const next of this.waiting.splice(0)) next.resolve({ value: undefined, done: true });
    return Promise.resolve({ value: undefined, done: true });
  }

  private finish(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
